"""The sign-in pages: the log-in form's limits and known-device cookie, the code page, the
security page (enrol, turn off), and the middleware that keeps unverified staff out."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencity.accounts import signin
from opencity.accounts.models import ThrottleBlock
from opencity.conftest import PASSWORD
from opencity.lib.models import AuditLog

pytestmark = pytest.mark.django_db

LOGIN, OTP, SECURITY = "/accounts/login/", "/accounts/login/otp/", "/accounts/security/"


def code_of(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def log_in(client: Client, user, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"phone": user.phone, "password": password}, **extra)


# --- the log-in form --------------------------------------------------------------------------


def test_a_citizen_signs_in_and_the_browser_becomes_known(citizen):
    client = Client()
    response = log_in(client, citizen)
    assert response.status_code == 302
    cookie = response.cookies[signin.KNOWN_DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 300 * 86400
    [[account, device]] = signing.loads(cookie.value, salt=signin.KNOWN_DEVICE_SALT)
    assert account != str(citizen.pk) and len(account) == 20  # a keyed hash names the account
    assert len(device) >= 16
    assert not cookie["secure"]


def test_the_known_device_cookie_is_secure_when_cookies_are(citizen, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = log_in(Client(), citizen)
    assert response.cookies[signin.KNOWN_DEVICE_COOKIE]["secure"]


def test_a_browser_stays_the_same_known_device_and_remembers_a_few_accounts(citizen, citizen2):
    client = Client()
    log_in(client, citizen)
    from django.test import RequestFactory

    def device_of(user):
        request = RequestFactory().get("/")
        request.COOKIES = {k: v.value for k, v in client.cookies.items()}
        return signin.known_device(request, user.pk)

    first = device_of(citizen)
    client.post("/accounts/logout/")
    log_in(client, citizen2)
    assert device_of(citizen) == first and device_of(citizen2) not in (None, first)


def test_a_wrong_password_is_a_form_error_and_counts(citizen, settings):
    settings.OPENCITY_LIMITS = "signin.fail.account_client=2/900"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = log_in(client, citizen, "sai-mat-khau")
    assert response.status_code == 400 and b"Wrong phone number or password." in response.content
    log_in(client, citizen, "sai-mat-khau")
    response = log_in(client, citizen)
    assert response.status_code == 429 and b"Too many attempts" in response.content
    assert ThrottleBlock.objects.filter(limit="signin.fail.account_client").exists()


def test_an_unknown_number_is_counted_like_an_account(db, settings):
    settings.OPENCITY_LIMITS = "signin.fail.account_client=2/900"
    client = Client()
    for _ in range(2):
        assert client.post(LOGIN, {"phone": "0905999999", "password": "x"}).status_code == 400
    assert client.post(LOGIN, {"phone": "0905999999", "password": "x"}).status_code == 429


def test_a_malformed_phone_is_a_form_error_that_counts_nothing(db, settings):
    settings.OPENCITY_LIMITS = "signin.fail.client=1/900"
    client = Client()
    assert client.post(LOGIN, {"phone": "12345", "password": "x"}).status_code == 400
    assert client.post(LOGIN, {"phone": "12345", "password": "x"}).status_code == 400


def test_the_log_in_page_rejects_put(client):
    assert client.put(LOGIN).status_code == 405


# --- the code page ----------------------------------------------------------------------------


def test_the_code_page_without_a_right_password_goes_back_to_log_in(client):
    response = client.get(OTP)
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_the_code_must_follow_the_password_within_minutes(operator):
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    client = Client()
    log_in(client, operator)
    session = client.session
    session["otp_pending_at"] = time.time() - 11 * 60
    session.save()
    response = client.post(OTP, {"token": code_of(device)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_the_right_code_signs_in_and_is_audited(operator):
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    client = Client()
    log_in(client, operator, **{"QUERY_STRING": "next=/ioc/triage/"})
    response = client.post(OTP, {"token": code_of(device)})
    assert response.status_code == 302
    assert signin.KNOWN_DEVICE_COOKIE in response.cookies
    assert AuditLog.objects.filter(actor=operator, action="login_2fa").exists()
    assert client.get("/ioc/triage/").status_code == 200


def test_a_signed_in_staff_member_gives_the_code_on_the_code_page(operator):
    """A session signed in before the requirement (or before enrolment elsewhere): the
    middleware sends them to the code page, which verifies this session."""
    client = Client()
    log_in(client, operator)  # no device yet: signed in, sent to enrol
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    response = client.get("/ioc/triage/")
    assert response["Location"] == f"{OTP}?next=%2Fioc%2Ftriage%2F"
    assert client.get(response["Location"]).status_code == 200
    response = client.post(OTP, {"token": code_of(device)})
    assert response["Location"] == "/ioc/triage/"
    assert client.get("/ioc/triage/").status_code == 200


# --- the middleware ---------------------------------------------------------------------------


@pytest.fixture
def unverified_operator(operator) -> Client:
    client = Client()
    log_in(client, operator)
    return client


@pytest.mark.parametrize("path", ["/accounts/security/", "/accounts/logout/", "/i18n/setlang/",
                                  "/static/opencity/app.css", "/api/v1/categories"])
def test_unverified_staff_still_reach_what_they_need(unverified_operator, path):
    response = unverified_operator.get(path)
    assert not (response.status_code == 302 and response["Location"].startswith(SECURITY))


@pytest.mark.parametrize("path", ["/", "/reports/", "/ioc/triage/", "/notifications/", "/admin/"])
def test_unverified_staff_are_sent_to_enrol_from_any_page(unverified_operator, path):
    response = unverified_operator.get(path)
    assert response.status_code == 302 and response["Location"].startswith(SECURITY)


def test_htmx_requests_are_sent_by_hx_redirect(unverified_operator):
    response = unverified_operator.get("/ioc/triage/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(SECURITY)


def test_citizens_are_not_asked_for_a_second_factor(citizen):
    client = Client()
    log_in(client, citizen)
    assert client.get("/reports/").status_code == 200


def test_without_the_requirement_staff_are_not_forced_but_the_admin_still_is(operator, admin_user, settings):
    settings.OPENCITY_STAFF_2FA_REQUIRED = False
    client = Client()
    log_in(client, operator)
    assert client.get("/ioc/triage/").status_code == 200
    admin = Client()
    log_in(admin, admin_user)
    assert admin.get("/reports/").status_code == 200
    response = admin.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(SECURITY)


# --- the security page ------------------------------------------------------------------------


def test_enrolment_returns_to_the_page_asked_for(unverified_operator, operator):
    response = unverified_operator.get("/ioc/triage/")
    page = unverified_operator.get(response["Location"])
    assert b'data-testid="two-factor-required"' in page.content
    response = unverified_operator.post(SECURITY, {"action": "start", "next": "/ioc/triage/"})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=operator, confirmed=False)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    assert unverified_operator.post(SECURITY, {"action": "confirm", "token": wrong}).status_code == 400
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = unverified_operator.post(SECURITY, {"action": "confirm", "token": code_of(device),
                                                   "next": "/ioc/triage/"})
    assert response.status_code == 302 and response["Location"] == "/ioc/triage/"
    assert AuditLog.objects.filter(actor=operator, action="2fa_enabled").exists()
    assert unverified_operator.get("/ioc/triage/").status_code == 200


def test_the_security_page_needs_a_sign_in(client):
    response = client.get(SECURITY)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_security_page_rejects_put(citizen):
    client = Client()
    client.force_login(citizen)
    assert client.put(SECURITY).status_code == 405


def test_turning_off_is_audited_and_needs_the_code_of_ones_own_device(citizen, citizen2):
    mine = TOTPDevice.objects.create(user=citizen, name="app", confirmed=True)
    theirs = TOTPDevice.objects.create(user=citizen2, name="app", confirmed=True)
    client = Client()
    client.force_login(citizen)
    response = client.post(SECURITY, {"action": "disable", "token": code_of(theirs)})
    assert response.status_code == 400 and TOTPDevice.objects.filter(pk=mine.pk).exists()
    TOTPDevice.objects.filter(pk=mine.pk).update(throttling_failure_count=0)
    assert client.post(SECURITY, {"action": "disable", "token": code_of(mine)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=citizen).exists()
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()
    assert AuditLog.objects.filter(actor=citizen, action="2fa_disabled").exists()


def test_force_login_in_tests_gives_staff_a_verified_session(operator):
    """The shared fixture (src/opencity/conftest.py) stands in for the code page."""
    client = Client()
    client.force_login(operator)
    assert client.get("/ioc/triage/").status_code == 200
    assert TOTPDevice.objects.filter(user=operator, confirmed=True).count() == 1
