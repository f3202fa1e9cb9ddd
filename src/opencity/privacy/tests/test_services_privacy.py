"""The privacy centre's services: deadlines, transitions, the export, the erasure of an account."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from opencity.accounts.models import BrowserSession
from opencity.conftest import PASSWORD
from opencity.errors import (
    ConflictError,
    IllegalTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from opencity.hotline.models import Call
from opencity.lib.models import AuditLog
from opencity.lib.worktime import TZ
from opencity.notifications.models import Notification, PushSubscription
from opencity.privacy import services
from opencity.privacy.deadlines import end_of_working_days
from opencity.privacy.models import Breach, DataSubjectRequest, ErasedAccount
from opencity.reports.models import Follow

pytestmark = pytest.mark.django_db


def test_a_request_received_on_friday_is_due_at_the_close_of_tuesday():
    friday = dt.datetime(2026, 3, 6, 15, 0, tzinfo=TZ)
    assert end_of_working_days(friday, 2) == dt.datetime(2026, 3, 10, 17, 0, tzinfo=TZ)


def test_public_holidays_do_not_count():
    # 30/4 and 1/5 are holidays: received on Wednesday 29/4/2026, 2 working days end on Tuesday 5/5
    received = dt.datetime(2026, 4, 29, 9, 0, tzinfo=TZ)
    assert end_of_working_days(received, 2) == dt.datetime(2026, 5, 5, 17, 0, tzinfo=TZ)


def test_the_deadline_follows_the_setting(settings, citizen):
    settings.OPENCITY_PRIVACY_CORRECTION_DAYS = 5
    r = services.privacy_request_create(user=citizen, kind="correction", details="Số nhà trên phản ánh bị sai.")
    assert r.due_at == end_of_working_days(r.received_at, 5)
    assert r.status == "received"
    assert list(r.steps.values_list("action", flat=True)) == ["receive"]


def test_a_citizen_cannot_file_a_deletion_as_a_free_text_request(citizen):
    with pytest.raises(ValidationError):
        services.privacy_request_create(user=citizen, kind="deletion", details="Xoá tài khoản của tôi ngay.")


def test_an_officer_answers_and_the_person_is_told(citizen, admin_user):
    r = services.privacy_request_create(user=citizen, kind="objection", details="Tôi phản đối nhận SMS quảng bá.")
    services.privacy_request_act(actor=admin_user, request_id=r.pk, action="start")
    r = services.privacy_request_act(actor=admin_user, request_id=r.pk, action="answer", note="Đã tắt SMS.")
    assert (r.status, r.answer) == ("answered", "Đã tắt SMS.")
    assert r.answered_at is not None
    assert list(r.steps.values_list("action", flat=True)) == ["receive", "start", "answer"]
    assert Notification.objects.filter(user=citizen, verb="privacy_request").count() == 2
    assert AuditLog.objects.filter(action="privacy.request_answer", target_id=str(r.pk)).exists()
    with pytest.raises(IllegalTransitionError):
        services.privacy_request_act(actor=admin_user, request_id=r.pk, action="refuse", note="Không.")


def test_a_refusal_needs_its_reason(citizen, admin_user):
    r = services.privacy_request_create(user=citizen, kind="restriction", details="Ngừng hiển thị ảnh của tôi.")
    with pytest.raises(ValidationError):
        services.privacy_request_act(actor=admin_user, request_id=r.pk, action="refuse", note=" ")


def test_staff_without_the_privacy_permission_are_refused(citizen, operator):
    r = services.privacy_request_create(user=citizen, kind="restriction", details="Ngừng hiển thị ảnh của tôi.")
    with pytest.raises(PermissionDeniedError):
        services.privacy_request_act(actor=operator, request_id=r.pk, action="start")
    operator.user_permissions.add(Permission.objects.get(codename="handle_privacy"))
    operator = type(operator).objects.get(pk=operator.pk)  # the permission cache is per object
    assert services.privacy_request_act(actor=operator, request_id=r.pk, action="start").status == "in_progress"


def test_a_citizen_given_the_permission_is_still_refused(citizen, citizen2):
    citizen2.user_permissions.add(Permission.objects.get(codename="handle_privacy"))
    r = services.privacy_request_create(user=citizen, kind="restriction", details="Ngừng hiển thị ảnh của tôi.")
    with pytest.raises(PermissionDeniedError):
        services.privacy_request_act(actor=type(citizen2).objects.get(pk=citizen2.pk), request_id=r.pk,
                                     action="start")


def test_the_export_holds_my_reports_and_not_others(citizen, citizen2, make_report):
    mine = make_report(description="Đèn đường hỏng ở kiệt 32 Lê Văn Hưu của tôi")
    other = make_report(reporter=citizen2, description="Cây đổ chắn đường của người khác")
    doc = services.export_document(citizen)
    refs = [row["ref"] for row in doc["sections"]["reports"]["rows"]]
    assert refs == [mine.ref] and other.ref not in json.dumps(doc, ensure_ascii=False)
    assert doc["sections"]["account"]["rows"][0]["phone"] == citizen.phone
    assert doc["format"] == "opencity.personal-data" and doc["version"] == 1
    assert "consents" in doc["sections"]


def test_the_pdf_copy_is_a_pdf_with_vietnamese_text(citizen, make_report):
    from opencity.privacy import pdf

    make_report()
    data = pdf.render(services.export_document(citizen))
    assert data.startswith(b"%PDF") and len(data) > 2000


def test_erase_keeps_reports_public_without_the_person(citizen, citizen2, make_report, file_sos):
    report = make_report(reporter_name="Nguyễn Văn An", reporter_phone="+84905000001")
    theirs = make_report(reporter=citizen2)
    sos = file_sos()
    from opencity.emergency.models import RescueRequest

    RescueRequest.objects.filter(pk=sos.pk).update(status="closed")
    Call.objects.create(phone=citizen.phone, caller=citizen)
    Follow.objects.create(report=theirs, user=citizen)
    PushSubscription.objects.create(user=citizen, endpoint="https://push.example/1", p256dh="k", auth="a")
    old_phone, old_number = citizen.phone, citizen.citizen_id
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36")
    browser.force_login(citizen)
    browser.get("/")
    assert BrowserSession.objects.filter(user=citizen).exists()

    erased = services.account_erase(user=citizen, password=PASSWORD)

    citizen.refresh_from_db()
    report.refresh_from_db()
    assert report.reporter_id == citizen.pk and report.is_public
    assert (report.reporter_name, report.reporter_phone) == ("", "")
    assert citizen.full_name == "Người dân đã xoá tài khoản"
    assert citizen.phone != old_phone and citizen.citizen_id != old_number and citizen.email == ""
    assert not citizen.is_active and not citizen.has_usable_password()
    assert not Call.objects.filter(phone=old_phone).exists() and not Call.objects.filter(caller=citizen).exists()
    assert not Follow.objects.filter(user=citizen).exists()
    assert not PushSubscription.objects.filter(user=citizen).exists()
    assert not BrowserSession.objects.filter(user=citizen).exists()  # no device named any more
    sos.refresh_from_db()
    assert (sos.caller_name, sos.caller_phone) == ("", "")
    assert erased.request.kind == "deletion" and erased.request.status == "answered"
    assert old_phone not in json.dumps(AuditLog.objects.filter(action="privacy.account_erase").values()[0],
                                       default=str)
    # the phone is free to sign up again
    type(citizen).objects.create_user(old_phone, "mat-khau-moi-2026", full_name="Người mới")
    # and the public page shows neither name nor phone
    page = Client().get(f"/reports/{report.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nguyễn Văn An" not in text and "0905 000 001" not in text and old_number not in text


def test_the_export_holds_the_consents_and_what_each_service_received(citizen):
    from opencity.accounts.tests.oidc_helpers import make_client
    from opencity.accounts.tests.test_oidc import sign_in

    app = make_client("Cổng dịch vụ thử", "https://rp.example.org/callback", scopes="openid profile phone")
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(citizen)
    sign_in(client, app, scope="openid profile phone", grant=["profile"])
    rows = services.export_document(citizen)["sections"]["consents"]["rows"]
    consent = next(r for r in rows if r["kind"] == "consent")
    assert consent["service"] == "Cổng dịch vụ thử" and consent["declined"] == ["phone"]
    assert any(r["kind"] == "release" and "name" in r["claims"] for r in rows)


def test_erase_ends_every_sign_in_at_the_city_services_and_forgets_the_national_id(citizen):
    from oauth2_provider.models import AccessToken, RefreshToken

    from opencity.accounts.identity import (
        national_id_hash,
        user_set_national_id,
        user_set_verification,
    )
    from opencity.accounts.models import Consent
    from opencity.accounts.tests.oidc_helpers import SECRET, make_client
    from opencity.accounts.tests.test_oidc import sign_in

    app = make_client("Cổng dịch vụ thử", "https://rp.example.org/callback", scopes="openid profile")
    user_set_national_id(user=citizen, number="046099001234")
    user_set_verification(user=citizen, level=2, source="vneid")
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(citizen)
    tokens = sign_in(client, app)
    assert AccessToken.objects.filter(user=citizen).exists()

    services.account_erase(user=citizen, password=PASSWORD)

    citizen.refresh_from_db()
    assert not AccessToken.objects.filter(user=citizen).exists()
    assert not RefreshToken.objects.filter(user=citizen).exists()
    assert Consent.objects.get(user=citizen).withdrawn_at is not None  # the ledger stays, ended
    assert (citizen.national_id_encrypted, citizen.national_id_hash, citizen.verification_level) == ("", "", 0)
    assert not type(citizen).objects.filter(national_id_hash=national_id_hash("046099001234")).exists()
    refresh = Client().post("/o/token/", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                          "client_id": app.client_id, "client_secret": SECRET})
    assert refresh.status_code in (400, 401)


def test_erase_needs_the_password(citizen):
    with pytest.raises(ValidationError):
        services.account_erase(user=citizen, password="sai-mat-khau")
    citizen.refresh_from_db()
    assert citizen.is_active and not ErasedAccount.objects.exists()


def test_erase_waits_for_an_open_rescue_request(citizen, file_sos):
    file_sos()
    with pytest.raises(ConflictError):
        services.account_erase(user=citizen, password=PASSWORD)


def test_staff_accounts_are_not_erased_here(operator):
    with pytest.raises(PermissionDeniedError):
        services.account_erase(user=operator, password=PASSWORD)


def test_a_breach_runs_a_72_hour_clock_and_tells_the_people(admin_user, citizen):
    discovered = dt.datetime(2026, 1, 5, 8, 0, tzinfo=TZ)
    breach = services.breach_record(actor=admin_user, title="Lộ tệp xuất", discovered_at=discovered,
                                    data_categories="Số điện thoại", subject_categories="Người gọi",
                                    affected_count=1, affected_user_ids=[citizen.pk])
    assert breach.notify_due_at == dt.datetime(2026, 1, 8, 8, 0, tzinfo=TZ)
    with pytest.raises(ValidationError):
        services.breach_notify_authority(actor=admin_user, breach_id=breach.pk, notified_at=discovered, reference="")
    services.breach_notify_authority(actor=admin_user, breach_id=breach.pk,
                                     notified_at=discovered + dt.timedelta(hours=30), reference="A05-2026-001")
    with pytest.raises(ConflictError):
        services.breach_notify_authority(actor=admin_user, breach_id=breach.pk,
                                         notified_at=discovered + dt.timedelta(hours=31), reference="again")
    b = services.breach_notify_people(actor=admin_user, breach_id=breach.pk,
                                      message="Số điện thoại của bạn có thể đã bị lộ; hãy cảnh giác với cuộc gọi lạ.")
    assert b.subjects_notified_count == 1
    assert Notification.objects.filter(user=citizen, verb="privacy_breach").exists()
    assert Breach.objects.get(pk=breach.pk).authority_reference == "A05-2026-001"


def test_requests_of_an_erased_account_stay_in_the_register(citizen):
    services.privacy_request_create(user=citizen, kind="correction", details="Sửa địa chỉ phản ánh PA1.")
    services.account_erase(user=citizen, password=PASSWORD)
    assert DataSubjectRequest.objects.filter(user=citizen).count() == 2


def test_the_warnings_a_person_read_are_in_their_export_and_forgotten_when_erased(citizen):
    """A warning is one row for everyone (a broadcast); what is kept about the person is that
    they read it: in "My data", and deleted with the account's data."""
    from opencity.notifications.models import NotificationReceipt
    from opencity.notifications.services import broadcast_mark_read
    from opencity.privacy.exporters import notifications as exported

    warning = Notification.objects.create(user=None, verb="alert", title="Cảnh báo lũ trên sông Hương",
                                          audience_unplaced=citizen.home_area_id is None)
    if citizen.home_area_id is not None:
        warning.audience_areas.add(citizen.home_area_id)
    assert broadcast_mark_read(user=citizen, notification_ids=[warning.pk]) == 1
    rows = exported(citizen, 100)
    assert [r["title"] for r in rows if r["read_at"]] == ["Cảnh báo lũ trên sông Hương"]

    services.account_erase(user=citizen, password=PASSWORD)

    assert not NotificationReceipt.objects.filter(user=citizen).exists()
    assert Notification.objects.filter(pk=warning.pk).exists()  # everyone's row stays
