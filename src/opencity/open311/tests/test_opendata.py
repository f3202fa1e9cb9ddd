"""Open data: public reports as CSV (with its CSVW companion) and GeoJSON — columns from an
allow-list, no personal data, filters, the licence, streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.utils import timezone

from opencity.open311.opendata import COLUMNS, LICENSE_URL
from opencity.reports import services
from opencity.reports.models import Category, Report

pytestmark = pytest.mark.django_db

# The allow-list, written out: a new column must be added here on purpose.
ALLOWED = [
    "id",
    "ref",
    "category_code",
    "category_name",
    "status",
    "ward_code",
    "ward_name",
    "lat",
    "lon",
    "created_at",
    "assigned_at",
    "resolved_at",
    "closed_at",
    "unit_name",
    "on_time",
    "rating",
    "description",
    "answers",  # only to questions marked public (policy.can_view_answer)
]


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.content if not response.streaming else ""
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def read_geojson(response) -> dict:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    return json.loads(b"".join(response.streaming_content))


def ids(rows) -> set[int]:
    return {int(r["id"]) for r in rows}


@pytest.fixture
def resolved(make_report, operator, officer, citizen, lighting_rule):
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    services.report_resolve(report_id=report.pk, actor=officer, result="Đã thay bóng.")
    services.report_rate(report_id=report.pk, actor=citizen, rating=4)
    return Report.objects.get(pk=report.pk)


def test_the_columns_are_exactly_the_allow_list(client, resolved):
    assert list(COLUMNS) == ALLOWED
    response = client.get("/open-data/reports.csv")
    rows = read_csv(response)
    assert list(rows[0]) == ALLOWED
    features = read_geojson(client.get("/open-data/reports.geojson"))["features"]
    assert set(features[0]["properties"]) == set(ALLOWED) - {"lat", "lon"}


def test_a_row_says_what_the_public_page_says(client, resolved):
    [row] = read_csv(client.get("/open-data/reports.csv"))
    assert row["id"] == str(resolved.pk) and row["ref"] == resolved.ref
    assert (row["category_code"], row["category_name"]) == ("chieu-sang", "Chiếu sáng công cộng")
    assert row["status"] == "closed"
    assert (row["ward_code"], row["ward_name"]) == (resolved.area.code, "Phường Phú Xuân")
    assert float(row["lat"]) == resolved.lat and float(row["lon"]) == resolved.lon
    for name in ("created_at", "assigned_at", "resolved_at", "closed_at"):
        assert row[name].endswith("+07:00"), name
        assert dt.datetime.fromisoformat(row[name]) == getattr(resolved, name).replace(
            microsecond=0
        )
    assert row["unit_name"] == resolved.unit.name
    assert row["on_time"] == "true"
    assert row["rating"] == "4"
    assert row["description"] == resolved.public_description


def test_on_time_is_empty_until_resolved_and_false_when_late(
    client, make_report, operator, officer, lighting_rule
):
    waiting = make_report()
    late = make_report()
    services.report_route(report_id=late.pk, actor=operator)
    services.report_accept(report_id=late.pk, actor=officer)
    Report.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    services.report_resolve(report_id=late.pk, actor=officer, result="Muộn.")
    rows = {int(r["id"]): r for r in read_csv(client.get("/open-data/reports.csv"))}
    assert rows[waiting.pk]["on_time"] == "" and rows[waiting.pk]["assigned_at"] == ""
    assert rows[late.pk]["on_time"] == "false"
    feature = {
        f["id"]: f for f in read_geojson(client.get("/open-data/reports.geojson"))["features"]
    }
    assert feature[waiting.pk]["properties"]["on_time"] is None
    assert feature[late.pk]["properties"]["on_time"] is False


def test_no_personal_data_in_the_bytes(client, citizen, make_report, hotline):
    make_report(answers={})
    make_report(
        reporter=None,
        filed_by=hotline,
        channel="hotline",
        reporter_name="Trương Gọi Điện",
        reporter_phone="0987 654 321",
    )
    secrets = {
        citizen.full_name,
        citizen.email,
        citizen.citizen_id,
        citizen.phone,
        "0905000001",
        "0905 000 001",
        "Trương Gọi Điện",
        "+84987654321",
        "0987654321",
        "0987 654 321",
    }
    for url in ("/open-data/reports.csv", "/open-data/reports.geojson"):
        content = b"".join(client.get(url).streaming_content)
        for value in secrets:
            assert value.encode() not in content, (url, value)
            assert json.dumps(value).strip('"').encode() not in content, (url, value)


def test_private_and_spam_reports_are_left_out(client, make_report, operator):
    public = make_report()
    make_report(is_public=False)
    spam = make_report(description="Quảng cáo")
    services.report_reject(report_id=spam.pk, actor=operator, reason="spam")
    assert ids(read_csv(client.get("/open-data/reports.csv"))) == {public.pk}
    assert [
        f["id"] for f in read_geojson(client.get("/open-data/reports.geojson"))["features"]
    ] == [public.pk]


def test_filters(client, make_report, thuan_hoa, resolved):
    flooding = Category.objects.create(code="ngap-ung", name_vi="Ngập úng", name_en="Flooding")
    old = make_report(category=flooding, lat=16.4590, lon=107.5950, address="")
    assert old.area != resolved.area
    Report.objects.filter(pk=old.pk).update(created_at=dt.datetime(2025, 3, 10, 9, tzinfo=dt.UTC))

    def get(**params):
        return ids(read_csv(client.get("/open-data/reports.csv", params)))

    assert get() == {resolved.pk, old.pk}
    assert get(category="ngap-ung") == {old.pk}
    assert get(ward=old.area.code) == {old.pk}
    assert get(status="closed") == {resolved.pk}
    assert get(status="new,closed") == {resolved.pk, old.pk}
    assert get(**{"from": "01/03/2025", "to": "10/03/2025"}) == {old.pk}
    assert get(**{"from": "2025-03-11"}) == {resolved.pk}
    assert get(to="2025-03-09") == set()
    assert get(category="", ward="", status="") == {resolved.pk, old.pk}  # empty = absent
    geo = read_geojson(client.get("/open-data/reports.geojson", {"category": "ngap-ung"}))
    assert [f["id"] for f in geo["features"]] == [old.pk]
    assert geo["metadata"]["filters"]["category"] == "ngap-ung"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "31-12-2025"}, "from"),
        ({"to": "2025-02-30"}, "to"),
        ({"from": "02/01/2025", "to": "01/01/2025"}, "to"),
        ({"category": "khong-co"}, "category"),
        ({"ward": "99999"}, "ward"),
        ({"ward": "46"}, "ward"),  # the city is not a ward
        ({"status": "open"}, "status"),
    ],
)
def test_bad_filters_are_400_naming_the_filter(client, params, field):
    for url in ("/open-data/reports.csv", "/open-data/reports.geojson"):
        response = client.get(url, params)
        assert response.status_code == 400
        assert response.json()["error"]["field"] == field


def test_the_licence_is_stated(client, resolved):
    geo = read_geojson(client.get("/open-data/reports.geojson"))
    assert geo["type"] == "FeatureCollection"
    assert geo["metadata"]["license"] == "CC-BY-4.0"
    assert geo["metadata"]["license_url"] == LICENSE_URL
    assert set(geo["metadata"]["fields"]) == set(ALLOWED) - {"lat", "lon"}
    feature = geo["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [resolved.lon, resolved.lat]}
    response = client.get("/open-data/reports.csv")
    assert f'<{LICENSE_URL}>; rel="license"' in response["Link"]
    assert "reports.csv-metadata.json" in response["Link"]


def test_the_csv_has_a_csvw_companion_describing_every_column(client):
    response = client.get("/open-data/reports.csv-metadata.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/csvm+json; charset=utf-8"
    body = response.json()
    assert body["@context"] == "http://www.w3.org/ns/csvw"
    assert body["url"] == "http://testserver/open-data/reports.csv"
    assert body["dc:license"] == {"@id": LICENSE_URL}
    assert [c["name"] for c in body["tableSchema"]["columns"]] == ALLOWED
    assert all(c["dc:description"] for c in body["tableSchema"]["columns"])


def test_a_formula_in_a_description_is_defused(client, make_report):
    make_report(description='=HYPERLINK("http://evil.example","bấm")')
    [row] = read_csv(client.get("/open-data/reports.csv"))
    assert row["description"].startswith("'=")


def test_the_export_streams_in_chunks(client, make_report, monkeypatch):
    from opencity.open311 import opendata

    monkeypatch.setattr(opendata, "CHUNK_ROWS", 2)
    for _ in range(5):
        make_report()
    response = client.get("/open-data/reports.csv")
    chunks = list(response.streaming_content)
    assert len(chunks) == 3  # header + 5 rows, two lines a chunk
    assert sum(c.count(b"\r\n") for c in chunks) == 6


def test_the_exports_reject_post(client):
    for url in (
        "/open-data/reports.csv",
        "/open-data/reports.geojson",
        "/open-data/reports.csv-metadata.json",
    ):
        assert client.post(url).status_code == 405
