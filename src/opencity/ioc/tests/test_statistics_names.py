"""Issue 14: the public statistics named units by their internal short names ("QLĐB Huế"), and
the list behind a figure did not say whose reports it showed. Now a unit is shown by its full
public name (a brand acronym such as HEPCO beside it), and each figure opens a list headed
"Reports of <unit> — <figure>, <period>"; the list has exactly as many rows as the figure.

Over the history of reports/tests/test_kpi.py (see test_views_statistics.py)."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from opencity.orgs.models import Unit

pytestmark = pytest.mark.django_db

HEPCO = "Công ty Cổ phần Môi trường và Công trình đô thị Huế"
LINK = re.compile(r'href="([^"]+)" data-figure="([a-z_]+)" data-count="(\d+)"')


def _row(body: str, unit: Unit) -> str:
    return re.search(rf'<tr data-unit="{unit.pk}">(.*?)</tr>', body, re.S).group(1)


def test_units_are_shown_by_their_full_names(client, history):
    hepco = Unit.objects.get(code="hepco")
    Unit.objects.filter(pk=hepco.pk).update(short_name="QLĐB Huế")  # an internal abbreviation
    row = _row(client.get("/statistics/").content.decode(), hepco)
    assert HEPCO in row
    assert "QLĐB" not in row  # an abbreviation with spaces is an internal name: not shown


def test_a_brand_acronym_stays_beside_the_full_name(client, history):
    hepco = Unit.objects.get(code="hepco")
    row = _row(client.get("/statistics/").content.decode(), hepco)
    assert HEPCO in row and "(HEPCO)" in row


def test_the_list_behind_a_units_figure_says_whose_reports_it_shows(client, history):
    hepco = Unit.objects.get(code="hepco")
    body = client.get("/statistics/", {"period": "2026-03"}).content.decode()
    links = {figure: (html.unescape(url), int(n)) for url, figure, n in LINK.findall(_row(body, hepco))}
    url, count = links["processed"]
    assert url.startswith(reverse("ioc:statistics_reports"))
    listed = client.get(url)
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == count
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", listed.content.decode(), re.S).group(1)
    assert heading == f"Phản ánh của {HEPCO} — đã xử lý, 03/2026"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"overdue": "1", "period": "30d"}, "Phản ánh của {unit} — đang quá hạn, 30 ngày qua"),
        ({"status": "on_time"}, "Phản ánh của {unit} — xử lý đúng hạn"),
        ({"status": "satisfied", "period": "2026-Q1"}, "Phản ánh của {unit} — được đánh giá hài lòng, Quý 1/2026"),
        ({}, "Phản ánh của {unit} — đã tiếp nhận"),
    ],
)
def test_the_heading_names_the_figure_and_the_period(client, history, params, words):
    hepco = Unit.objects.get(code="hepco")
    response = client.get(reverse("ioc:statistics_reports"), {"unit": hepco.pk, **params})
    assert response.context["heading"] == words.format(unit=HEPCO)


def test_the_heading_in_english(client, history):
    hepco = Unit.objects.get(code="hepco")
    response = client.get(reverse("ioc:statistics_reports"), {"unit": hepco.pk, "overdue": "1", "period": "30d"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["heading"] == f"Reports of {HEPCO} — overdue now, last 30 days"


def test_a_city_figure_says_it_is_the_whole_city(client, history, thuan_hoa):
    response = client.get(reverse("ioc:statistics_reports"), {"status": "done", "area": thuan_hoa.pk})
    assert response.context["heading"] == f"Phản ánh trên toàn thành phố — đã xử lý, {thuan_hoa.name}"


def test_odd_parameters_are_ignored_not_a_500(client, history):
    for params in ({"unit": "x"}, {"unit": "²"}, {"unit": "9" * 30}, {"period": "1-2-3"}, {"status": "bogus"}):
        response = client.get(reverse("ioc:statistics_reports"), params)
        assert response.status_code == 200, params


def test_private_reports_are_never_listed(client, history):
    response = client.get(reverse("ioc:statistics_reports"), {})
    assert all(r.is_public for r in response.context["page"])


def test_it_rejects_post(client, history):
    assert client.post(reverse("ioc:statistics_reports")).status_code == 405
