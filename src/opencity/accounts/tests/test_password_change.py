"""Changing one's password while signed in (issue #14, citizens 5): the current password and a
code sent by SMS, on the security page and in the API. Other sessions and tokens end."""

from __future__ import annotations

import json
import re
import time
from types import SimpleNamespace

import pytest
from django.test import Client

from opencity.accounts import services, throttle
from opencity.accounts.models import ApiToken, PhoneCode
from opencity.conftest import PASSWORD
from opencity.lib.models import AuditLog
from opencity.notifications.models import Notification
from opencity.notifications.sms import ConsoleBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch):
    """The limits count in fixed windows of their clock: pin it just after a day's start (where
    every window starts), so a test that counts hits cannot straddle two windows."""
    moment = (time.time() // 86400) * 86400 + 1
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: moment))

SECURITY = "/accounts/security/"
NEW = "mat-khau-moi-2026"


@pytest.fixture
def sms():
    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.fixture
def web(citizen, sms, django_capture_on_commit_callbacks):
    """A signed-in browser that asked for the code on the security page."""
    client = Client()
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(SECURITY, {"action": "password_code"})
    assert page.status_code == 200
    client.page = page
    return client


def change(client: Client, code: str, current: str = PASSWORD, new: str = NEW, new2: str | None = None):
    return client.post(SECURITY, {"action": "password_change", "current_password": current, "code": code,
                                  "password": new, "password2": new if new2 is None else new2})


def test_the_security_page_offers_to_change_the_password(citizen):
    client = Client()
    client.force_login(citizen)
    page = client.get(SECURITY).content.decode()
    assert 'data-testid="password-start"' in page and "Đổi mật khẩu" in page


def test_a_citizen_changes_the_password_with_the_current_one_and_the_code(citizen, web, sms):
    [message] = sms
    assert message.to == citizen.phone
    sent_to = re.search(r'data-testid="code-sent-to">(.*?)</p>', web.page.content.decode()).group(1)
    assert "0905 000 001" in sent_to
    response = change(web, code_in(message))
    assert response.status_code == 302 and response["Location"] == "/accounts/security/#password"
    citizen.refresh_from_db()
    assert citizen.check_password(NEW)
    assert web.get(SECURITY).status_code == 200  # this session stays signed in
    assert AuditLog.objects.filter(action="password_change", target_id=str(citizen.pk)).exists()
    assert Notification.objects.filter(user=citizen, verb="password_changed").count() == 1


def test_other_sessions_and_tokens_end(citizen, web, sms):
    other = Client()
    other.force_login(citizen)
    raw = services.api_token_issue(user=citizen)
    change(web, code_in(sms[-1]))
    assert other.get(SECURITY).status_code == 302
    assert Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_the_current_password_is_required_and_guessing_it_is_limited(citizen, web, sms):
    code = code_in(sms[-1])
    wrong = change(web, code, current="khong-phai")
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng" in wrong.content.decode()
    for _ in range(4):
        change(web, code, current="khong-phai")
    limited = change(web, code)  # even the right one, while the limit holds
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_the_code_is_required(citizen, web, sms):
    code = code_in(sms[-1])
    wrong = change(web, "000000" if code != "000000" else "111111")
    assert wrong.status_code == 400
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_a_reset_code_cannot_change_the_password(citizen, sms, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(phone=citizen.phone, purpose=services.PURPOSE_PASSWORD_RESET)
    assert change(client, code_in(sms[-1])).status_code == 400
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_weak_same_or_mismatched_passwords_are_refused(citizen, web, sms):
    code = code_in(sms[-1])
    assert change(web, code, new="12345678").status_code == 400
    assert change(web, code, new=PASSWORD).status_code == 400
    mismatch = change(web, code, new2=NEW + "!")
    assert mismatch.status_code == 400 and "Hai mật khẩu không giống nhau" in mismatch.content.decode()
    assert change(web, code).status_code == 302


def test_the_resend_button_counts_down_from_the_wait(citizen, web):
    page = web.page.content.decode()
    assert re.search(r'data-testid="resend-code"', page)
    assert int(re.search(r'data-wait="(\d+)"', page).group(1)) == 60
    again = web.post(SECURITY, {"action": "password_code"})  # too soon
    assert again.status_code == 400 and PhoneCode.objects.filter(purpose="password_change").count() == 1


def test_the_page_needs_a_signed_in_person(client):
    response = client.post(SECURITY, {"action": "password_code"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- the API ------------------------------------------------------------------------------------


def api(client, path, token, body=None):
    return client.post(f"/api/v1/auth/password/{path}", json.dumps(body or {}), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_changes_the_password_and_keeps_only_this_token(citizen, sms, django_capture_on_commit_callbacks):
    client = Client()
    mine, other = services.api_token_issue(user=citizen), services.api_token_issue(user=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        sent = api(client, "change/code", mine)
    assert sent.status_code == 202 and sent.json() == {"retry_after": 60}
    done = api(client, "change", mine, {"current_password": PASSWORD, "code": code_in(sms[-1]), "password": NEW})
    assert done.status_code == 204
    assert client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {mine}").status_code == 200
    assert client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 401
    assert ApiToken.objects.filter(user=citizen, revoked_at__isnull=True).count() == 1


def test_the_api_refuses_a_wrong_current_password_and_strangers(citizen, sms, django_capture_on_commit_callbacks):
    client = Client()
    token = services.api_token_issue(user=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        api(client, "change/code", token)
    wrong = api(client, "change", token, {"current_password": "sai", "code": code_in(sms[-1]), "password": NEW})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_password"
    assert client.post("/api/v1/auth/password/change", "{}", content_type="application/json").status_code == 401
    assert client.get("/api/v1/auth/password/change").status_code == 405


@pytest.mark.parametrize("usable", [True, False])
def test_an_administrator_setting_the_password_ends_what_the_old_one_opened(citizen, admin_user, usable,
                                                                             django_capture_on_commit_callbacks):
    """The admin's "change password" goes through the same service as the owner's change (it
    used to store only the new hash): other sessions and API tokens end, ``password_changed_at``
    moves (other browsers' known-device entries stop counting), the owner is told, it is audited."""
    other = Client()
    other.force_login(citizen)
    raw = services.api_token_issue(user=citizen)
    admin = Client()
    admin.force_login(admin_user)
    data = {"password1": NEW, "password2": NEW}
    if usable:
        data["usable_password"] = "true"
    else:
        data = {"usable_password": "false", "unset-password": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/accounts/user/{citizen.pk}/password/", data)
    assert response.status_code == 302 and response["Location"].endswith(f"/{citizen.pk}/change/"), response
    citizen.refresh_from_db()
    assert citizen.password_changed_at is not None
    assert citizen.has_usable_password() is usable and (citizen.check_password(NEW) is usable)
    assert other.get(SECURITY).status_code == 302
    assert Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditLog.objects.filter(action="password_set_by_admin", target_id=str(citizen.pk)).count() == 1
    assert Notification.objects.filter(user=citizen, verb="password_changed").count() == 1
