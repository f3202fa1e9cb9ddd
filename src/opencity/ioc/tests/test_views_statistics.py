"""The public statistics page (/statistics/): per unit as Hue-S publishes — received, processed,
on time, satisfied — over the history of reports/tests/test_kpi.py, read on Fri 20/3/2026.

Public reports only (R5 is private). All time: HEPCO received R1 R2 R3 R4 R11 (5), processed
R1 R2 R3 R11 (4 = 80%); HUEWACO received R6 R7 (2), processed both (100%)."""

from __future__ import annotations

import html
import re

import pytest

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"]+)" data-figure="([a-z_]+)" data-count="(\d+)"')


def _links(response) -> list[tuple[str, str, int]]:
    return [(html.unescape(url), figure, int(n)) for url, figure, n in LINK.findall(response.content.decode())]


def test_it_shows_the_city_and_each_unit(client, history):
    response = client.get("/statistics/")
    assert response.status_code == 200
    city = response.context["city"]
    # public, all time: R1 R2 R3 R4 R6 R7 R8 R11 R12 received; R1 R2 R3 R6 R7 R11 processed
    assert (city.received, city.processed, city.on_time, city.rated, city.satisfied) == (9, 6, 5, 4, 3)
    assert city.overdue_now == 1  # R4
    rows = {row.unit.code: row.figures for row in response.context["rows"]}
    assert (rows["hepco"].received, rows["hepco"].processed) == (5, 4)
    assert (rows["huewaco"].received, rows["huewaco"].processed) == (2, 2)
    body = response.content.decode()
    assert "HEPCO" in body and "80,0%" in body  # HEPCO processed 4 of 5, in Vietnamese notation


def test_it_filters_by_period_and_ward(client, history, thuan_hoa):
    march = client.get("/statistics/", {"period": "2026-03"})
    rows = {row.unit.code: row.figures for row in march.context["rows"]}
    assert rows["hepco"].received == 4  # R11 was received in February
    feb = client.get("/statistics/", {"period": "2026-02"})
    assert [row.unit.code for row in feb.context["rows"]] == ["hepco"]  # only R11
    ward = client.get("/statistics/", {"area": thuan_hoa.pk})
    assert [(row.unit.code, row.figures.received) for row in ward.context["rows"]] == [("hepco", 1)]  # R3
    assert ward.context["city"].received == 1
    odd = client.get("/statistics/", {"period": "not-a-period", "area": "x"})
    assert odd.status_code == 200 and odd.context["city"].received == 9  # ignored: all time, all wards
    # "²".isdigit() is true, but int("²") fails: ignored too (it was a 500)
    for area in ("²", "１２", "9" * 30):
        odd = client.get("/statistics/", {"area": area})
        assert odd.status_code == 200 and odd.context["area"] is None, area


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("-received", ["hepco", "huewaco"]),  # 5, 2
        ("received", ["huewaco", "hepco"]),
        ("-processed", ["huewaco", "hepco"]),  # 100%, 80%
        ("name", ["huewaco", "hepco"]),  # "Công ty … Cấp nước" before "Công ty … Môi trường"
        ("-name", ["hepco", "huewaco"]),
        ("bogus", ["hepco", "huewaco"]),  # the default: most received first
    ],
)
def test_it_sorts_on_the_server(client, history, sort, order):
    response = client.get("/statistics/", {"sort": sort})
    assert [row.unit.code for row in response.context["rows"]] == order


def test_the_sorted_column_says_so(client, history):
    body = client.get("/statistics/", {"sort": "-processed"}).content.decode()
    assert 'aria-sort="descending"><a href="?sort=processed">' in body


def test_each_count_equals_the_list_behind_its_link(client, history):
    response = client.get("/statistics/", {"period": "2026-03"})
    links = _links(response)
    figures = {figure for _url, figure, _n in links}
    assert {"received", "processed", "on_time", "satisfied", "overdue"} <= figures
    assert len(links) >= 5 + 2 * 4  # the headline cards and four links per unit
    for url, figure, count in links:
        listed = client.get(url)
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == count, (figure, url)


def test_it_rejects_post(client, history):
    assert client.post("/statistics/").status_code == 405


def test_staff_see_the_same_public_figures(client, history, leader):
    anonymous = client.get("/statistics/").context["city"]
    client.force_login(leader)
    signed_in = client.get("/statistics/").context["city"]
    assert signed_in.received == anonymous.received == 9  # the private R5 is never counted here


def test_the_page_is_in_vietnamese_first(client, history):
    body = client.get("/statistics/").content.decode()
    assert '<html lang="vi">' in body
    assert 'href="/statistics/"' in client.get("/").content.decode()  # the top navigation link


def test_an_empty_city_shows_no_unit(client, db):
    response = client.get("/statistics/")
    assert response.status_code == 200 and response.context["rows"] == []
    assert response.context["city"].processing_rate is None
