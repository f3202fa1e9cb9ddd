"""Forgotten password (issue #14, citizens 5): a code by SMS, then a new password.

What must hold: the code is scoped to the reset (a sign-up code does not work); the pages and the
API answer the same whether the number has an account or not; the reset ends every other
session and token, leaves only this browser known, clears the failed sign-ins, is audited and
notified; it never skips the second factor."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import time
from types import SimpleNamespace

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencity.accounts import services, signin, throttle
from opencity.accounts.models import ApiToken, PhoneCode, ThrottleBlock, User
from opencity.conftest import PASSWORD
from opencity.errors import RateLimitedError, ValidationError
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

RESET, LOGIN, OTP = "/accounts/password/reset/", "/accounts/login/", "/accounts/login/otp/"
NEW = "mat-khau-moi-2026"
UNKNOWN = "0912 345 678"


@pytest.fixture
def sms():
    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.fixture
def ask(sms, django_capture_on_commit_callbacks):
    """Ask for a reset code on the page (as a browser does); returns the response."""

    def run(client: Client, phone: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RESET, {"step": "phone", "phone": phone})

    return run


def reset(client: Client, phone: str, code: str, password: str = NEW, password2: str | None = None):
    return client.post(RESET, {"step": "reset", "phone": phone, "code": code, "password": password,
                               "password2": password if password2 is None else password2})


def signed_in(client: Client):
    return client.session.get("_auth_user_id")


# --- the happy path ----------------------------------------------------------------------------


def test_the_login_page_links_to_the_forgotten_password_page(client):
    page = client.get(LOGIN).content.decode()
    assert 'href="/accounts/password/reset/' in page
    assert client.get(RESET).status_code == 200


def test_a_citizen_sets_a_new_password_with_the_code_and_is_signed_in(citizen, ask, sms):
    client = Client()
    page = ask(client, "0905 000 001")
    assert page.status_code == 200
    [sent_to] = re.findall(r'data-testid="code-sent-to">(.*?)</p>', page.content.decode())
    assert "0905 000 001" in sent_to and "+84" not in sent_to
    [message] = sms
    assert message.to == citizen.phone and "không đưa mã cho ai" in message.body
    response = reset(client, citizen.phone, code_in(message))
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client) == str(citizen.pk)
    citizen.refresh_from_db()
    assert citizen.check_password(NEW) and not citizen.check_password(PASSWORD)
    assert citizen.password_changed_at is not None
    assert Client().post(LOGIN, {"phone": citizen.phone, "password": NEW}).status_code == 302


def test_the_reset_is_audited_and_notified(citizen, ask, sms):
    client = Client()
    ask(client, citizen.phone)
    reset(client, citizen.phone, code_in(sms[-1]))
    assert AuditLog.objects.filter(action="password_reset", target_id=str(citizen.pk)).count() == 1
    note = Notification.objects.get(user=citizen, verb="password_changed")
    assert note.title == "Mật khẩu của bạn đã được đổi"  # in the person's language


def test_it_ends_every_other_session_and_token(citizen, ask, sms):
    other = Client()
    other.force_login(citizen)
    assert other.get("/accounts/profile/").status_code == 200
    raw = services.api_token_issue(user=citizen)
    client = Client()
    ask(client, citizen.phone)
    reset(client, citizen.phone, code_in(sms[-1]))
    assert other.get("/accounts/profile/").status_code == 302  # sent to log in
    assert not ApiToken.objects.filter(user=citizen, revoked_at__isnull=True).exists()
    answer = Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 401


def test_known_device_cookies_stay_valid_only_for_this_browser(citizen, ask, sms):
    old_browser, this_browser = Client(), Client()
    for browser in (old_browser, this_browser):
        browser.post(LOGIN, {"phone": citizen.phone, "password": PASSWORD})
        browser.post("/accounts/logout/")
    request = type("R", (), {})()
    request.COOKIES = {signin.KNOWN_DEVICE_COOKIE: old_browser.cookies[signin.KNOWN_DEVICE_COOKIE].value}
    assert signin.known_device(request, citizen.pk) is not None
    ask(this_browser, citizen.phone)
    response = reset(this_browser, citizen.phone, code_in(sms[-1]))
    assert signin.known_device(request, citizen.pk) is None  # the other browser is a stranger now
    request.COOKIES = {signin.KNOWN_DEVICE_COOKIE: response.cookies[signin.KNOWN_DEVICE_COOKIE].value}
    assert signin.known_device(request, citizen.pk) is not None
    entries = signing.loads(request.COOKIES[signin.KNOWN_DEVICE_COOKIE], salt=signin.KNOWN_DEVICE_SALT)
    assert len(entries) >= 1


def test_it_clears_the_failed_sign_ins_that_held_the_account_back(citizen, ask, sms):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        attacker.post(LOGIN, {"phone": citizen.phone, "password": "sai-mat-khau"})
    owner = Client(REMOTE_ADDR="203.0.113.9")  # the same carrier address
    assert owner.post(LOGIN, {"phone": citizen.phone, "password": PASSWORD}).status_code == 429
    ask(owner, citizen.phone)
    reset(owner, citizen.phone, code_in(sms[-1]))
    owner.post("/accounts/logout/")
    fresh = Client(REMOTE_ADDR="203.0.113.9")
    assert fresh.post(LOGIN, {"phone": citizen.phone, "password": NEW}).status_code == 302
    assert not ThrottleBlock.objects.filter(key__contains=citizen.phone, lifted_at__isnull=True).exists()


# --- codes are scoped and limited ---------------------------------------------------------------


def test_a_sign_up_code_cannot_reset_a_password(citizen, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        PhoneCode.objects.all().delete()
        # a sign-up code for the number (made directly: sign-up refuses a number with an account)
        services.phone_code_send(phone="0912 000 111")
    signup_code = code_in(sms[-1])
    User.objects.filter(pk=citizen.pk).update(phone="+84912000111")
    with pytest.raises(ValidationError) as exc:
        services.password_reset(phone="+84912000111", code=signup_code, password=NEW)
    assert exc.value.code == "bad_code"
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_a_reset_code_cannot_be_used_twice(citizen, ask, sms):
    client = Client()
    ask(client, citizen.phone)
    code = code_in(sms[-1])
    reset(client, citizen.phone, code)
    again = reset(Client(), citizen.phone, code, password="mot-mat-khau-khac-9")
    assert again.status_code == 400
    citizen.refresh_from_db()
    assert citizen.check_password(NEW)


def test_guessing_the_code_is_limited(citizen, ask, sms):
    client = Client()
    ask(client, citizen.phone)
    code = code_in(sms[-1])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert reset(client, citizen.phone, wrong).status_code == 400
    response = reset(client, citizen.phone, code)  # even the right code, while the limit holds
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def age_codes() -> None:
    """Past the one-per-minute gap (the codes were sent two minutes ago)."""
    PhoneCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))


def test_codes_per_number_are_limited_with_retry_after(citizen, sms, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            age_codes()
            assert client.post(RESET, {"step": "phone", "phone": citizen.phone}).status_code == 200
        age_codes()
        response = client.post(RESET, {"step": "phone", "phone": citizen.phone})
    assert response.status_code == 429 and int(response["Retry-After"]) > 60
    assert len(sms) == 3


def test_a_weak_or_mismatched_password_is_refused_in_the_persons_language(citizen, ask, sms):
    client = Client()
    ask(client, citizen.phone)
    code = code_in(sms[-1])
    weak = reset(client, citizen.phone, code, password="12345678")
    assert weak.status_code == 400 and "Mật khẩu" in weak.content.decode()
    mismatch = reset(client, citizen.phone, code, password=NEW, password2=NEW + "x")
    assert mismatch.status_code == 400 and "không giống nhau" in mismatch.content.decode()
    assert reset(client, citizen.phone, code).status_code == 302  # a weak password cost no guess


# --- never tell whether a number has an account -------------------------------------------------


def _shape(response) -> str:
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
    body = re.sub(r'data-wait="\d+"|data-seconds>\d+<', "", body)  # the countdown runs on the clock
    return re.sub(r"0905 000 001|0912 345 678|\+84905000001|\+84912345678", "PHONE", body)


def test_the_answers_are_the_same_for_a_number_without_an_account(citizen, ask, sms):
    known, unknown = Client(), Client()
    with CaptureQueriesContext(connection) as known_queries:
        a = ask(known, "0905 000 001")
    with CaptureQueriesContext(connection) as unknown_queries:
        b = ask(unknown, UNKNOWN)
    assert a.status_code == b.status_code == 200
    assert _shape(a) == _shape(b), "\n".join(difflib.unified_diff(_shape(a).splitlines(), _shape(b).splitlines()))
    assert len(known_queries) == len(unknown_queries)  # the same work, not just the same words
    assert len(sms) == 1 and sms[0].to == citizen.phone  # but only the account's phone gets an SMS
    assert PhoneCode.objects.filter(phone="+84912345678", purpose="password_reset").count() == 1
    # the second step too: a wrong code reads the same
    a2, b2 = reset(known, "+84905000001", "000001"), reset(unknown, "+84912345678", "000001")
    assert a2.status_code == b2.status_code == 400 and _shape(a2) == _shape(b2)
    # and asking again at once
    a3, b3 = ask(known, "0905 000 001"), ask(unknown, UNKNOWN)
    assert a3.status_code == b3.status_code == 400 and _shape(a3) == _shape(b3)


def test_the_api_answers_the_same_for_a_number_without_an_account(citizen, sms, django_capture_on_commit_callbacks):
    def post(phone):
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post("/api/v1/auth/password/reset/code", json.dumps({"phone": phone}),
                                 content_type="application/json")

    a, b = post("0905000001"), post(UNKNOWN)
    assert a.status_code == b.status_code == 202
    assert a.json() == b.json() == {"retry_after": 60}
    assert len(sms) == 1


# --- the second factor stays ----------------------------------------------------------------------


def test_a_reset_does_not_skip_the_second_factor(operator, ask, sms):
    TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    client = Client()
    ask(client, operator.phone)
    response = reset(client, operator.phone, code_in(sms[-1]))
    assert response.status_code == 302 and response["Location"] == OTP
    assert signed_in(client) is None  # not signed in until the authenticator's code
    assert client.get("/ioc/").status_code == 302
    operator.refresh_from_db()
    assert operator.check_password(NEW)


def test_the_api_reset_then_needs_the_authenticator_code(operator, sms, django_capture_on_commit_callbacks):
    TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    api = Client()
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/auth/password/reset/code", json.dumps({"phone": operator.phone}),
                 content_type="application/json")
    done = api.post("/api/v1/auth/password/reset", json.dumps(
        {"phone": operator.phone, "code": code_in(sms[-1]), "password": NEW}), content_type="application/json")
    assert done.status_code == 204
    token = api.post("/api/v1/auth/token", json.dumps({"phone": operator.phone, "password": NEW}),
                     content_type="application/json")
    assert token.status_code == 401 and token.json()["error"]["code"] == "otp_required"


def test_wrong_methods_and_bad_input_are_4xx(client):
    assert client.put(RESET).status_code == 405
    assert client.post(RESET, {"step": "phone", "phone": "abc"}).status_code == 400
    assert client.post(RESET, {"step": "nonsense"}).status_code == 400
    assert client.post(RESET, {"step": "reset", "phone": "abc", "code": "1", "password": "x",
                               "password2": "x"}).status_code == 400
    api = client.post("/api/v1/auth/password/reset", json.dumps({"phone": "abc", "code": "1", "password": "x"}),
                      content_type="application/json")
    assert api.status_code == 400


def test_the_limits_refuse_with_rate_limited(citizen, sms, django_capture_on_commit_callbacks):
    for _ in range(5):
        throttle.fail("code.fail.phone", f"phone:{citizen.phone}")
    with pytest.raises(RateLimitedError):
        services.password_reset(phone=citizen.phone, code="123456", password=NEW)
