"""``/open-data/``: the index of every dataset (it answered 404), and export file names in the
reader's language (issue #14, operators 6)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_index_lists_every_dataset_with_formats_licence_and_freshness(client, make_report):
    report = make_report()
    response = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Dữ liệu mở</h1>" in page
    for url in ("/open-data/reports.csv", "/open-data/reports.geojson", "/open-data/reports.csv-metadata.json",
                "/alerts/feed.atom", "/reports/areas.geojson", "/open311/v2/discovery.xml",
                "/open311/v2/services.json", "/open311/v2/requests.json", "/api/docs"):
        assert f'href="{url}' in page, url
    assert "https://creativecommons.org/licenses/by/4.0/" in page and "CC-BY-4.0" in page
    assert timezone.localtime(report.created_at).strftime("%d/%m/%Y %H:%M") in page  # freshness, dd/mm/yyyy
    assert "Giấy phép" in page and "Định dạng" in page


def test_the_index_speaks_english_on_request(client):
    page = client.get(reverse("opendata:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Open data</h1>" in page and "Licence" in page and "Public field reports" in page


def test_the_index_rejects_post(client):
    assert client.post("/open-data/").status_code == 405


def _filename(response) -> str:
    match = re.search(r'filename="([^"]+)"', response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    return match[1]


@pytest.mark.parametrize(("language", "stem"), [("vi", "phan-anh"), ("en", "reports")])
@pytest.mark.parametrize("export", ["reports.csv", "reports.geojson"])
def test_export_file_names_follow_the_readers_language(client, language, stem, export):
    response = client.get(f"/open-data/{export}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    extension = export.rsplit(".", 1)[1]
    assert _filename(response) == f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def test_the_metadata_names_the_host_that_serves_it(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    body = client.get("/open-data/reports.csv-metadata.json", HTTP_HOST="127.0.0.1:8102").json()
    assert body["dc:source"] == "http://127.0.0.1:8102"
    assert body["url"].startswith("http://127.0.0.1:8102/")
