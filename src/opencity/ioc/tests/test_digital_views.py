"""The digital reports page (/ioc/reports/): who may generate, download and subscribe to which
report (policy.kpi_bounds), bad input (400 with a message), wrong methods (405)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from opencity.conftest import PASSWORD
from opencity.ioc.digital import services
from opencity.ioc.models import DigitalReport, DigitalReportStatus, DigitalReportSubscription

pytestmark = pytest.mark.django_db

PAGE = "/ioc/reports/"
REQUEST = "/ioc/reports/request/"
SUBSCRIBE = "/ioc/reports/subscriptions/"


def _login(client, user):
    assert client.login(phone=user.phone, password=PASSWORD)
    return client


def _last_month() -> str:
    from django.utils import timezone

    first = timezone.localdate().replace(day=1)
    return f"{first - dt.timedelta(days=1):%Y-%m}"


def _post(client, url, capture, **data):
    with capture(execute=True):
        return client.post(url, data)


@pytest.fixture
def city_report(leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.digital_report_request(actor=leader, level="city", area_id=None, unit_id=None,
                                                 month=dt.date.fromisoformat(_last_month() + "-01"), fmt="xlsx")
    report.refresh_from_db()
    assert report.status == DigitalReportStatus.READY, report.error
    return report


@pytest.fixture
def ward_report(ward_official, phu_xuan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.digital_report_request(actor=ward_official, level="ward", area_id=phu_xuan.pk, unit_id=None,
                                                 month=dt.date.fromisoformat(_last_month() + "-01"), fmt="pdf")
    report.refresh_from_db()
    return report


# --- the page ---------------------------------------------------------------------------------


def test_a_leader_sees_every_level(client, leader, urban_works):
    response = _login(client, leader).get(PAGE)
    assert response.status_code == 200
    assert [v for v, _l in response.context["options"].levels] == ["city", "ward", "unit"]
    assert len(response.context["options"].wards) == 40
    assert response.context["values"]["month"] == _last_month()
    assert 'value="city"' in response.content.decode()


def test_a_ward_official_sees_only_the_home_ward_preselected(client, ward_official, phu_xuan):
    response = _login(client, ward_official).get(PAGE)
    assert response.status_code == 200
    options = response.context["options"]
    assert [v for v, _l in options.levels] == ["ward"]
    assert [a.pk for a in options.wards] == [phu_xuan.pk] and options.units == []
    body = response.content.decode()
    assert f'<option value="{phu_xuan.pk}" selected>' in body
    assert 'value="city"' not in body


def test_a_unit_head_sees_only_the_unit(client, unit_head, urban_works, other_unit):
    response = _login(client, unit_head).get(PAGE)
    assert response.status_code == 200
    assert [u.pk for u in response.context["options"].units] == [urban_works.pk]


@pytest.mark.parametrize("who", ["citizen", "officer", "hotline"])
def test_people_without_the_console_are_refused(client, request, who):
    response = _login(client, request.getfixturevalue(who)).get(PAGE)
    assert response.status_code == 403


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_refuses_post(client, leader):
    assert _login(client, leader).post(PAGE).status_code == 405


def test_the_nav_links_the_page_for_leaders(client, leader):
    assert f'href="{PAGE}"' in _login(client, leader).get("/statistics/").content.decode()


# --- requesting a report ------------------------------------------------------------------


def test_a_leader_generates_the_citys_report(client, leader, django_capture_on_commit_callbacks):
    response = _post(_login(client, leader), REQUEST, django_capture_on_commit_callbacks,
                     month=_last_month(), level="city", format="xlsx")
    assert response.status_code == 302
    report = DigitalReport.objects.get()
    assert response["Location"] == f"{PAGE}#report-{report.pk}"
    assert (report.level, report.status, report.requested_by) == ("city", "ready", leader)
    assert report.file.name.startswith(f"digital-reports/{_last_month()}/city-")
    page = client.get(PAGE)
    assert f'id="report-{report.pk}"' in page.content.decode()
    assert reverse("ioc:digital_report_download", args=[report.pk]) in page.content.decode()


def test_requesting_refuses_get(client, leader):
    assert _login(client, leader).get(REQUEST).status_code == 405


@pytest.mark.parametrize("level", ["city", "other_ward"])
def test_a_ward_official_cannot_request_the_city_or_another_ward(client, ward_official, thuan_hoa, level,
                                                                django_capture_on_commit_callbacks):
    data = {"month": _last_month(), "format": "xlsx", "level": "city"}
    if level == "other_ward":
        data.update(level="ward", area=thuan_hoa.pk)
    response = _post(_login(client, ward_official), REQUEST, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 403
    assert not DigitalReport.objects.exists()


def test_a_ward_official_requests_the_home_ward(client, ward_official, phu_xuan, django_capture_on_commit_callbacks):
    response = _post(_login(client, ward_official), REQUEST, django_capture_on_commit_callbacks,
                     month=_last_month(), level="ward", area=phu_xuan.pk, format="pdf")
    assert response.status_code == 302
    assert DigitalReport.objects.get().target == f"ward:{phu_xuan.pk}"


def test_a_unit_head_cannot_request_another_unit(client, unit_head, other_unit, django_capture_on_commit_callbacks):
    response = _post(_login(client, unit_head), REQUEST, django_capture_on_commit_callbacks,
                     month=_last_month(), level="unit", unit=other_unit.pk, format="xlsx")
    assert response.status_code == 403


def test_a_citizen_cannot_request(client, citizen, django_capture_on_commit_callbacks):
    response = _post(_login(client, citizen), REQUEST, django_capture_on_commit_callbacks,
                     month=_last_month(), level="city", format="xlsx")
    assert response.status_code == 403


def test_a_visitor_cannot_request(client):
    response = client.post(REQUEST, {"month": _last_month(), "level": "city", "format": "xlsx"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not DigitalReport.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": "2026-13"}, "month", "Choose one of the last 24 months."),
        ({"month": "abc"}, "month", "Choose one of the last 24 months."),
        ({"month": "2019-01"}, "month", "Choose one of the last 24 months."),
        ({"month": ""}, "month", "Choose one of the last 24 months."),
        ({"level": "province"}, "level", "Choose the city, a ward or commune, or a unit."),
        ({"level": "ward"}, "area", "Choose the ward or commune."),
        ({"level": "ward", "area": "x"}, "area", "Choose a ward or commune of the city."),
        ({"level": "ward", "area": "999999"}, "area", "Choose a ward or commune of the city."),
        ({"level": "ward", "area": "²"}, "area", "Choose a ward or commune of the city."),  # was a 500
        ({"level": "unit", "unit": "１２"}, "unit", "Choose a unit."),
        ({"level": "unit", "unit": "999999"}, "unit", "Choose a unit."),
        ({"format": "docx"}, "format", "Choose XLSX or PDF."),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message(client, leader, data, field, message,
                                                 django_capture_on_commit_callbacks):
    post = {"month": _last_month(), "level": "city", "format": "xlsx", **data}
    response = _post(_login(client, leader), REQUEST, django_capture_on_commit_callbacks, **post)
    assert response.status_code == 400
    with translation.override("vi"):  # the page speaks Vietnamese; the catalogue may lack a message yet
        message = gettext(message)
    assert message in response.context["form"].errors[field]
    assert escape(message) in response.content.decode()
    assert not DigitalReport.objects.exists()


def test_a_future_month_is_refused_by_the_service(leader):
    from django.utils import timezone

    from opencity.errors import ValidationError

    next_month = (timezone.localdate().replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    with pytest.raises(ValidationError):
        services.digital_report_request(actor=leader, level="city", area_id=None, unit_id=None,
                                        month=next_month, fmt="xlsx")


# --- following and downloading --------------------------------------------------------------


def test_the_download_has_the_right_type_and_a_vietnamese_safe_name(client, leader, city_report):
    response = _login(client, leader).get(f"/ioc/reports/{city_report.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    name = services.download_name(city_report)
    assert name.endswith(".xlsx") and "Thành phố Huế" in name
    assert disposition.startswith('attachment; filename="')
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    ascii_part = disposition.split('filename="')[1].split('"')[0]
    assert ascii_part.isascii() and ascii_part.endswith(".xlsx") and "thanh-pho-hue" in ascii_part
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a zip: the workbook
    assert response["Cache-Control"] == "private, no-store"


def test_a_pdf_downloads_as_pdf(client, ward_official, ward_report):
    response = _login(client, ward_official).get(f"/ioc/reports/{ward_report.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_ward_official_cannot_download_the_citys_report(client, ward_official, city_report):
    assert _login(client, ward_official).get(f"/ioc/reports/{city_report.pk}/download/").status_code == 403
    assert client.get(f"/ioc/reports/{city_report.pk}/status/").status_code == 403


def test_a_ward_official_cannot_download_another_wards_report(client, ward_official, leader, thuan_hoa,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        other = services.digital_report_request(actor=leader, level="ward", area_id=thuan_hoa.pk, unit_id=None,
                                                month=dt.date.fromisoformat(_last_month() + "-01"), fmt="xlsx")
    assert _login(client, ward_official).get(f"/ioc/reports/{other.pk}/download/").status_code == 403
    assert other.pk not in [r.pk for r in client.get(PAGE).context["reports"]]


def test_the_page_lists_only_what_the_user_may_download(client, ward_official, ward_report, city_report):
    listed = [r.pk for r in _login(client, ward_official).get(PAGE).context["reports"]]
    assert listed == [ward_report.pk]


def test_a_leader_may_download_a_wards_report(client, leader, ward_report):
    assert _login(client, leader).get(f"/ioc/reports/{ward_report.pk}/download/").status_code == 200


def test_an_unknown_report_is_a_404(client, leader):
    assert _login(client, leader).get("/ioc/reports/999999/download/").status_code == 404
    assert client.get("/ioc/reports/999999/status/").status_code == 404


def test_download_refuses_post(client, leader, city_report):
    assert _login(client, leader).post(f"/ioc/reports/{city_report.pk}/download/").status_code == 405


@pytest.mark.parametrize("who", ["citizen", "officer"])
def test_others_cannot_download(client, request, who, city_report):
    user = request.getfixturevalue(who)
    assert _login(client, user).get(f"/ioc/reports/{city_report.pk}/download/").status_code == 403


def test_a_visitor_cannot_download(client, city_report):
    response = client.get(f"/ioc/reports/{city_report.pk}/download/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_report_not_ready_yet_polls_and_cannot_be_downloaded(client, leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the worker has not run yet
        report = services.digital_report_request(actor=leader, level="city", area_id=None, unit_id=None,
                                                 month=dt.date.fromisoformat(_last_month() + "-01"), fmt="xlsx")
    assert len(callbacks) == 1
    _login(client, leader)
    row = client.get(f"/ioc/reports/{report.pk}/status/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    body = row.content.decode()
    assert 'data-status="queued"' in body and 'hx-trigger="every 2s"' in body
    assert client.get(f"/ioc/reports/{report.pk}/download/").status_code == 409
    callbacks[0]()  # the worker runs
    body = client.get(f"/ioc/reports/{report.pk}/status/").content.decode()
    assert 'data-status="ready"' in body and "hx-trigger" not in body and "/download/" in body


# --- subscriptions ------------------------------------------------------------------------


def test_a_leader_subscribes_and_unsubscribes(client, leader):
    response = _login(client, leader).post(SUBSCRIBE, {"month": _last_month(), "level": "city", "format": "xlsx"})
    assert response.status_code == 302
    sub = DigitalReportSubscription.objects.get(user=leader)
    assert (sub.target, sub.formats, sub.active) == ("city", ["xlsx"], True)
    client.post(SUBSCRIBE, {"level": "city", "format": "pdf"})  # a second format for the same scope
    sub.refresh_from_db()
    assert sub.formats == ["pdf", "xlsx"] and DigitalReportSubscription.objects.count() == 1
    assert [s.pk for s in client.get(PAGE).context["subscriptions"]] == [sub.pk]
    assert client.post(f"/ioc/reports/subscriptions/{sub.pk}/cancel/").status_code == 302
    sub.refresh_from_db()
    assert not sub.active
    assert client.get(PAGE).context["subscriptions"] == []


def test_a_ward_official_subscribes_only_to_the_home_ward(client, ward_official, phu_xuan, thuan_hoa):
    _login(client, ward_official)
    assert client.post(SUBSCRIBE, {"level": "city", "format": "xlsx"}).status_code == 403
    assert client.post(SUBSCRIBE, {"level": "ward", "area": thuan_hoa.pk, "format": "xlsx"}).status_code == 403
    assert not DigitalReportSubscription.objects.exists()
    assert client.post(SUBSCRIBE, {"level": "ward", "area": phu_xuan.pk, "format": "pdf"}).status_code == 302
    assert DigitalReportSubscription.objects.get().target == f"ward:{phu_xuan.pk}"


def test_a_citizen_cannot_subscribe(client, citizen):
    assert _login(client, citizen).post(SUBSCRIBE, {"level": "city", "format": "xlsx"}).status_code == 403
    assert not DigitalReportSubscription.objects.exists()


def test_subscribing_with_bad_input_is_a_400(client, leader):
    response = _login(client, leader).post(SUBSCRIBE, {"level": "galaxy", "format": "xlsx"})
    assert response.status_code == 400
    with translation.override("vi"):
        assert escape(gettext("Choose the city, a ward or commune, or a unit.")) in response.content.decode()


def test_nobody_cancels_someone_elses_subscription(client, leader, operator):
    sub = services.digital_report_subscribe(actor=leader, level="city", area_id=None, unit_id=None, formats=["xlsx"])
    assert _login(client, operator).post(f"/ioc/reports/subscriptions/{sub.pk}/cancel/").status_code == 404
    sub.refresh_from_db()
    assert sub.active


def test_subscription_endpoints_refuse_get(client, leader):
    _login(client, leader)
    assert client.get(SUBSCRIBE).status_code == 405
    assert client.get("/ioc/reports/subscriptions/1/cancel/").status_code == 405


def test_administrators_see_the_reports_in_the_admin(client, admin_user, city_report, leader):
    services.digital_report_subscribe(actor=leader, level="city", area_id=None, unit_id=None, formats=["pdf"])
    client.force_login(admin_user)
    for path in ("/admin/ioc/digitalreport/", f"/admin/ioc/digitalreport/{city_report.pk}/change/",
                 "/admin/ioc/digitalreportsubscription/", "/admin/ioc/digitalreportdelivery/"):
        assert client.get(path).status_code == 200, path
