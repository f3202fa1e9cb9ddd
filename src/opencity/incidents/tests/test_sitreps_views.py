"""The situation report pages: who may open, enter, sign and export (a permission matrix), a
cell saved with htmx and without, a stale cell, bad numbers, the exports' contents."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from opencity.incidents import services
from opencity.incidents.models import SituationCount, SituationReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(open_incident, operator, px_official, th_official, phu_xuan, thuan_hoa):
    incident = open_incident()
    for user, area in ((px_official, phu_xuan), (th_official, thuan_hoa)):
        services.roster_add(actor=operator, incident_id=incident.pk, user_id=user.pk, position="commander",
                            area_id=area.pk)
    return incident


@pytest.fixture
def report(incident, operator):
    return services.sitrep_start(actor=operator, incident_id=incident.pk)


@pytest.fixture
def outsider_official(db):
    """A ward official of a ward the incident does not affect."""
    from opencity.accounts.models import Role, User
    from opencity.conftest import PASSWORD
    from opencity.geo.models import Area

    other = Area.objects.filter(parent__code="46").exclude(name__in=["Phường Phú Xuân", "Phường Thuận Hóa"]).first()
    return User.objects.create_user("0905000069", PASSWORD, full_name="Võ Phường Khác", role="ward_official",
                                    home_area=other) if Role else None


def _url(name, report, *extra):
    return reverse(f"incidents:{name}", args=[report.incident_id, report.number, *extra])


@pytest.mark.parametrize("who, page, exports", [
    ("operator", 200, 200), ("leader", 200, 200), ("hotline", 200, 200),
    ("px_official", 200, 403), ("outsider_official", 403, 403), ("citizen", 403, 403), ("officer", 403, 403),
])
def test_who_opens_the_report_and_its_exports(client, request, report, who, page, exports):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url("sitrep_detail", report)).status_code == page
    assert client.get(_url("sitrep_pdf", report)).status_code == exports
    assert client.get(_url("sitrep_xlsx", report)).status_code == exports
    assert client.get(reverse("incidents:briefing_pdf", args=[report.incident_id])).status_code == exports


def test_a_visitor_is_sent_to_sign_in(client, report):
    response = client.get(_url("sitrep_detail", report))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_ward_commander_sees_and_edits_only_their_column(client, report, px_official, phu_xuan, thuan_hoa):
    client.force_login(px_official)
    page = client.get(_url("sitrep_detail", report))
    html = page.content.decode()
    assert f'data-testid="input-{phu_xuan.pk}-dead"' in html
    assert f"input-{thuan_hoa.pk}-dead" not in html and "value-" not in html and 'data-testid="total-dead"' not in html
    assert client.post(_url("sitrep_cell", report), {"area": thuan_hoa.pk, "counter": "dead", "value": "2"},
                       HTTP_HX_REQUEST="true").status_code == 403
    assert not SituationCount.objects.filter(area=thuan_hoa, value__gt=0).exists()


def test_a_cell_saved_with_htmx_returns_the_cell_and_the_city_total(client, report, operator, phu_xuan, thuan_hoa):
    SituationCount.objects.filter(report=report, area=thuan_hoa, counter="evacuated_people").update(value=40)
    client.force_login(operator)
    cell = SituationCount.objects.get(report=report, area=phu_xuan, counter="evacuated_people")
    response = client.post(_url("sitrep_cell", report), {"area": phu_xuan.pk, "counter": "evacuated_people",
                                                         "value": "120", "version": cell.version},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="120"' in html and 'id="total-evacuated_people"' in html and ">160</span>" in html


def test_a_stale_cell_gets_409_with_the_value_now(client, report, operator, px_official, phu_xuan):
    cell = SituationCount.objects.get(report=report, area=phu_xuan, counter="missing")
    services.sitrep_set_count(actor=px_official, report_id=report.pk, area_id=phu_xuan.pk, counter="missing",
                              value=7, expected_version=cell.version)
    client.force_login(operator)
    data = {"area": phu_xuan.pk, "counter": "missing", "value": "9", "version": cell.version}
    response = client.post(_url("sitrep_cell", report), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 409 and 'value="7"' in html and px_official.full_name in html
    assert SituationCount.objects.get(pk=cell.pk).value == 7
    # without JS: back to the page, which shows the message and the value as it is
    plain = client.post(_url("sitrep_cell", report), data, HTTP_REFERER="http://testserver" + _url("sitrep_detail", report))
    assert plain.status_code == 303 and SituationCount.objects.get(pk=cell.pk).value == 7


@pytest.mark.parametrize("bad", ["-1", "mười", "3,5"])
def test_a_bad_number_is_a_400_in_the_cell(client, report, operator, phu_xuan, bad):
    client.force_login(operator)
    response = client.post(_url("sitrep_cell", report), {"area": phu_xuan.pk, "counter": "dead", "value": bad},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    assert client.post(_url("sitrep_cell", report), {"area": phu_xuan.pk, "counter": "dead", "value": bad}
                       ).status_code == 400


def test_unknown_ward_counter_and_report_are_4xx(client, report, operator, phu_xuan):
    client.force_login(operator)
    assert client.post(_url("sitrep_cell", report), {"area": "x", "counter": "dead", "value": "1"}).status_code == 400
    assert client.post(_url("sitrep_cell", report), {"area": phu_xuan.pk, "counter": "cats", "value": "1"}
                       ).status_code == 400
    assert client.get(reverse("incidents:sitrep_detail", args=[report.incident_id, 99])).status_code == 404
    assert client.get(_url("sitrep_cell", report)).status_code == 405


def test_a_plain_form_saves_and_goes_back(client, report, px_official, phu_xuan):
    client.force_login(px_official)
    response = client.post(_url("sitrep_cell", report), {"area": phu_xuan.pk, "counter": "injured", "value": "3"})
    assert response.status_code == 302 and response["Location"].endswith("#row-injured")
    assert SituationCount.objects.get(report=report, area=phu_xuan, counter="injured").value == 3


def test_start_text_sign_and_the_next_report(client, incident, operator, leader, px_official):
    client.force_login(operator)
    start = reverse("incidents:sitrep_start", args=[incident.pk])
    assert client.post(start, {"after": "0"}).status_code == 302
    assert client.post(start, {"after": "0"}).status_code == 302  # the same form twice: one report
    report = SituationReport.objects.get()
    assert client.post(_url("sitrep_summary", report), {"as_of": "05/12/2026 06:00", "summary": "Mưa lớn",
                                                        "version": report.version}).status_code == 302
    assert client.post(_url("sitrep_summary", report), {"as_of": "hôm nay", "summary": "x"}).status_code == 400
    assert client.post(_url("sitrep_sign", report)).status_code == 403  # the operator does not sign
    client.force_login(leader)
    assert client.post(_url("sitrep_sign", report)).status_code == 302
    assert client.post(_url("sitrep_sign", report)).status_code == 409
    client.force_login(px_official)
    assert client.post(start, {"after": "1"}).status_code == 403
    client.force_login(operator)
    assert client.post(start, {"after": "1"}).status_code == 302
    assert SituationReport.objects.count() == 2


def test_the_incident_page_shows_the_part(client, report, operator, px_official):
    client.force_login(operator)
    html = client.get(reverse("incidents:detail", args=[report.incident_id])).content.decode()
    assert 'data-testid="sitreps-part"' in html and 'data-testid="sitrep-latest"' in html
    client.force_login(px_official)
    html = client.get(reverse("incidents:detail", args=[report.incident_id])).content.decode()
    assert 'data-testid="sitrep-latest"' in html and 'data-testid="briefing-pdf"' not in html


def test_the_pdf_is_a_bao_cao_nhanh_with_the_total(client, report, operator, leader, phu_xuan, thuan_hoa):
    from pypdf import PdfReader

    services.sitrep_set_count(actor=operator, report_id=report.pk, area_id=phu_xuan.pk, counter="evacuated_people",
                              value=1234)
    services.sitrep_set_count(actor=operator, report_id=report.pk, area_id=thuan_hoa.pk, counter="evacuated_people",
                              value=766)
    services.sitrep_sign(actor=leader, report_id=report.pk)
    client.force_login(operator)
    response = client.get(_url("sitrep_pdf", report))
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for words in ("BÁO CÁO NHANH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "UBND THÀNH PHỐ HUẾ", "Số: 1/BC-BCH",
                  "Huế, ngày", "Tổng cộng", "2.000", "1.234", leader.full_name, "Phường Phú Xuân"):
        assert words in text, words


def test_the_xlsx_has_numbers_wards_and_total(client, report, operator, phu_xuan, thuan_hoa):
    from openpyxl import load_workbook

    services.sitrep_set_count(actor=operator, report_id=report.pk, area_id=phu_xuan.pk, counter="dead", value=2)
    services.sitrep_set_count(actor=operator, report_id=report.pk, area_id=thuan_hoa.pk, counter="dead", value=1)
    client.force_login(operator)
    sheet = load_workbook(io.BytesIO(client.get(_url("sitrep_xlsx", report)).content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    head, dead = rows[0], rows[1]
    assert "Phường Phú Xuân" in head and "Phường Thuận Hóa" in head
    assert dead[-1] == 3 and isinstance(dead[-1], int) and sorted(dead[1:-1]) == [1, 2]
    assert len(rows) == 13


def test_the_briefing_pdf(client, report, operator, incident):
    from pypdf import PdfReader

    services.period_add(actor=operator, incident_id=incident.pk, starts_at=incident.started_at,
                        ends_at=incident.started_at + __import__("datetime").timedelta(hours=12),
                        objectives="Sơ tán hộ dân vùng trũng\nBảo đảm an toàn điểm sơ tán")
    client.force_login(operator)
    response = client.get(reverse("incidents:briefing_pdf", args=[incident.pk]))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "BÁO CÁO TÓM TẮT SỰ CỐ" in text and "Sơ tán hộ dân vùng trũng" in text and incident.name in text
