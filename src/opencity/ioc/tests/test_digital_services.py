"""Digital report services: generation (retry-safe, replacing the file), the font, and the
monthly job (each subscriber once per month, only subscribers, idempotent)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from opencity.errors import PermissionDeniedError, ValidationError
from opencity.ioc import tasks
from opencity.ioc.digital import pdf, services
from opencity.ioc.models import (
    DigitalReport,
    DigitalReportDelivery,
    DigitalReportStatus,
    DigitalReportSubscription,
)
from opencity.notifications.models import Notification, OutboxMessage
from opencity.orgs.models import Membership
from opencity.reports.tests.helpers import at

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)


def _request(actor, capture, *, fmt="xlsx", month=MARCH, **target):
    target = {"level": "city", "area_id": None, "unit_id": None, **target}
    with capture(execute=True):
        report = services.digital_report_request(actor=actor, month=month, fmt=fmt, **target)
    report.refresh_from_db()
    return report


# --- generation -----------------------------------------------------------------------------


def test_a_regeneration_replaces_the_file(history, leader, clock, django_capture_on_commit_callbacks):
    first = _request(leader, django_capture_on_commit_callbacks)
    old_name = first.file.name
    clock.set(at(2026, 3, 21, 9))
    second = _request(leader, django_capture_on_commit_callbacks)
    assert second.pk == first.pk and DigitalReport.objects.count() == 1
    assert second.file.name != old_name and second.status == DigitalReportStatus.READY
    assert not default_storage.exists(old_name) and default_storage.exists(second.file.name)
    assert second.finished_at == at(2026, 3, 21, 9)


def test_asking_twice_while_queued_queues_once(history, leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        a = services.digital_report_request(actor=leader, level="city", area_id=None, unit_id=None, month=MARCH,
                                            fmt="xlsx")
    with django_capture_on_commit_callbacks(execute=False) as again:
        b = services.digital_report_request(actor=leader, level="city", area_id=None, unit_id=None, month=MARCH,
                                            fmt="xlsx")
    assert a.pk == b.pk and len(callbacks) == 1 and again == []


def test_a_lost_job_is_queued_again(history, leader, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = services.digital_report_request(actor=leader, level="city", area_id=None, unit_id=None, month=MARCH,
                                                 fmt="xlsx")
    clock.set(clock.now + services.STALE_AFTER + dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        again = services.digital_report_request(actor=leader, level="city", area_id=None, unit_id=None, month=MARCH,
                                                fmt="xlsx")
    # queued again (a second outbox row; the first one, owed since its commit, is carried out too)
    assert again.pk == report.pk and OutboxMessage.objects.filter(kind=services.GENERATE_KIND).count() == 2
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
    again.refresh_from_db()
    assert again.status == DigitalReportStatus.READY


def test_a_failure_keeps_the_error_and_a_retry_succeeds(history, leader, settings, tmp_path,
                                                       django_capture_on_commit_callbacks):
    settings.OPENCITY_PDF_FONT = str(tmp_path / "missing.ttf")
    failed = _request(leader, django_capture_on_commit_callbacks, fmt="pdf")
    assert failed.status == DigitalReportStatus.FAILED
    assert "OPENCITY_PDF_FONT" in failed.error and not failed.file
    settings.OPENCITY_PDF_FONT = ""
    retried = _request(leader, django_capture_on_commit_callbacks, fmt="pdf")
    assert retried.pk == failed.pk and retried.status == DigitalReportStatus.READY and retried.error == ""
    # the task itself can run again on a ready report: it renders it again
    assert tasks.generate_digital_report.call_local(retried.pk) == DigitalReportStatus.READY


def test_no_font_is_a_clear_error(settings, monkeypatch):
    settings.OPENCITY_PDF_FONT = ""
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ("/nonexistent/DejaVuSans.ttf",))
    with pytest.raises(pdf.FontNotFound, match="fonts-dejavu-core"):
        pdf.find_fonts()


def test_the_default_font_has_a_bold_face(settings):
    settings.OPENCITY_PDF_FONT = ""
    regular, bold = pdf.find_fonts()
    assert regular.is_file() and bold.is_file()


def test_the_service_checks_the_bounds(ward_official, thuan_hoa, phu_xuan, unit_head, other_unit, citizen):
    common = {"month": MARCH, "fmt": "xlsx"}
    with pytest.raises(PermissionDeniedError):
        services.digital_report_request(actor=ward_official, level="city", area_id=None, unit_id=None, **common)
    with pytest.raises(PermissionDeniedError):
        services.digital_report_request(actor=ward_official, level="ward", area_id=thuan_hoa.pk, unit_id=None, **common)
    with pytest.raises(PermissionDeniedError):
        services.digital_report_request(actor=unit_head, level="unit", area_id=None, unit_id=other_unit.pk, **common)
    with pytest.raises(PermissionDeniedError):
        services.digital_report_subscribe(actor=citizen, level="city", area_id=None, unit_id=None, formats=["pdf"])
    with pytest.raises(ValidationError):
        services.digital_report_subscribe(actor=ward_official, level="ward", area_id=phu_xuan.pk, unit_id=None,
                                          formats=["doc"])
    assert not DigitalReport.objects.exists() and not DigitalReportSubscription.objects.exists()


# --- the monthly job ------------------------------------------------------------------------


@pytest.fixture
def subscribed(history, leader, operator, ward_official, unit_head, citizen, phu_xuan, urban_works):
    """Leader: the city in both formats; operator: the city as XLSX (shares the leader's
    workbook); ward official: Phú Xuân as PDF; unit head: HEPCO, then demoted; the leader's
    cancelled subscription to Phú Xuân must send nothing."""
    leader.email, ward_official.email, operator.email = "lanh-dao@hue.gov.vn", "phuong@hue.gov.vn", ""
    for u in (leader, ward_official, operator):
        u.save()
    subs = {
        "leader": services.digital_report_subscribe(actor=leader, level="city", area_id=None, unit_id=None,
                                                    formats=["xlsx", "pdf"]),
        "operator": services.digital_report_subscribe(actor=operator, level="city", area_id=None, unit_id=None,
                                                      formats=["xlsx"]),
        "ward": services.digital_report_subscribe(actor=ward_official, level="ward", area_id=phu_xuan.pk,
                                                  unit_id=None, formats=["pdf"]),
        "head": services.digital_report_subscribe(actor=unit_head, level="unit", area_id=None,
                                                  unit_id=urban_works.pk, formats=["xlsx"]),
    }
    cancelled = services.digital_report_subscribe(actor=leader, level="ward", area_id=phu_xuan.pk, unit_id=None,
                                                  formats=["xlsx"])
    services.digital_report_unsubscribe(actor=leader, subscription_id=cancelled.pk)
    Membership.objects.filter(user=unit_head).update(is_head=False)  # no longer a head: no report
    return subs


def test_the_monthly_job_sends_last_months_report_to_each_subscriber_once(
        subscribed, leader, operator, ward_official, unit_head, citizen, clock, django_capture_on_commit_callbacks):
    clock.set(at(2026, 4, 1, 6))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.digital_reports_monthly()
    assert counts == {"sent": 3, "revoked": 1}

    # three reports: the city's XLSX (shared by the leader and the operator), its PDF, Phú Xuân's PDF
    reports = DigitalReport.objects.filter(month=MARCH)
    assert sorted((r.target.split(":")[0], r.format) for r in reports) == [("city", "pdf"), ("city", "xlsx"),
                                                                           ("ward", "pdf")]
    assert all(r.status == "ready" and r.requested_by is None for r in reports)
    city_xlsx = reports.get(target="city", format="xlsx")
    ws = load_workbook(BytesIO(city_xlsx.file.read())).worksheets[0]
    assert [r[1] for r in ws.iter_rows(min_row=7, values_only=True) if r[4] == "received"] == [9]

    inbox = {u.pk: list(Notification.objects.filter(user=u, verb="digital_report")) for u in
             (leader, operator, ward_official, unit_head, citizen)}
    assert [len(inbox[u.pk]) for u in (leader, operator, ward_official, unit_head, citizen)] == [1, 1, 1, 0, 0]
    assert "03/2026" in inbox[leader.pk][0].title and inbox[leader.pk][0].url.endswith("/download/")
    assert inbox[operator.pk][0].url == f"/ioc/reports/{city_xlsx.pk}/download/"
    assert not DigitalReportSubscription.objects.get(pk=subscribed["head"].pk).active

    # e-mail with the download links to those who have an address
    assert sorted(m.to[0] for m in mail.outbox) == ["lanh-dao@hue.gov.vn", "phuong@hue.gov.vn"]
    leader_mail = next(m for m in mail.outbox if m.to == ["lanh-dao@hue.gov.vn"])
    assert f"/ioc/reports/{city_xlsx.pk}/download/" in leader_mail.body
    assert "PDF: http" in leader_mail.body and "XLSX: http" in leader_mail.body

    # again (a retry, a second worker): nothing new is sent or generated
    finished = {r.pk: r.finished_at for r in reports}
    clock.set(at(2026, 4, 1, 6, 30))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digital_reports_monthly() == {"already": 3}
    assert Notification.objects.filter(verb="digital_report").count() == 3
    assert DigitalReportDelivery.objects.count() == 3 and mail.outbox == []
    assert {r.pk: r.finished_at for r in DigitalReport.objects.filter(month=MARCH)} == finished


def test_the_monthly_job_regenerates_a_report_made_before_the_month_ended(
        history, leader, clock, django_capture_on_commit_callbacks):
    early = _request(leader, django_capture_on_commit_callbacks)  # on 20/3, March still running
    services.digital_report_subscribe(actor=leader, level="city", area_id=None, unit_id=None, formats=["xlsx"])
    clock.set(at(2026, 4, 1, 6))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_monthly_digital_reports.call_local() == {"sent": 1}
    early_finished = early.finished_at
    early.refresh_from_db()
    assert early.finished_at == at(2026, 4, 1, 6) != early_finished


def test_the_monthly_job_runs_early_on_the_first_in_hue_whatever_hueys_clock():
    # huey hands a naive timestamp: UTC by default (utc=True) …
    assert tasks.at_start_of_month(dt.datetime(2026, 3, 31, 23, 0), utc=True)  # 06:00 on 1/4 in Huế
    assert not tasks.at_start_of_month(dt.datetime(2026, 4, 1, 6, 0), utc=True)  # 13:00 in Huế
    assert not tasks.at_start_of_month(dt.datetime(2026, 4, 1, 23, 0), utc=True)  # 06:00 on 2/4
    # … or the process's local time (Django sets it to Asia/Ho_Chi_Minh)
    assert tasks.at_start_of_month(dt.datetime(2026, 4, 1, 6, 0), utc=False)
    assert not tasks.at_start_of_month(dt.datetime(2026, 4, 1, 6, 1), utc=False)


@pytest.mark.parametrize(
    ("who", "whole_city", "own_ward", "other_ward", "own_unit", "another_unit"),
    [
        ("leader", True, True, True, True, True),
        ("operator", True, True, True, True, True),
        ("admin_user", True, True, True, True, True),
        ("ward_official", False, True, False, False, False),
        ("unit_head", False, False, False, True, False),
        ("officer", False, False, False, False, False),
        ("hotline", False, False, False, False, False),
        ("citizen", False, False, False, False, False),
    ],
)
def test_who_may_have_which_report(request, who, whole_city, own_ward, other_ward, own_unit, another_unit,
                                   phu_xuan, thuan_hoa, urban_works, other_unit):
    from opencity import policy

    user = request.getfixturevalue(who)

    def may(level, area=None, unit=None):
        return policy.can_access_digital_report(user, level=level, area_id=area and area.pk, unit_id=unit and unit.pk)

    assert may("city") is whole_city
    assert may("ward", area=phu_xuan) is own_ward
    assert may("ward", area=thuan_hoa) is other_ward
    assert may("unit", unit=urban_works) is own_unit
    assert may("unit", unit=other_unit) is another_unit
    assert may("province") is False
    assert may("ward") is False  # a ward report needs its ward
