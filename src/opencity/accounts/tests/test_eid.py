"""The national eID connector (docs/identity.md): off unless configured; the OIDC adapter against
a local fake platform (state, nonce, signature, a failing platform); linking an identity to an
account (one number, one account; the level never lowered); signing in with it (no account
created, staff still give their second factor); a transaction-style adapter through the same
pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencity.accounts import eid
from opencity.accounts.identity import national_id_hash, national_id_of, user_set_verification
from opencity.accounts.models import User, VerificationLevel, VerificationSource
from opencity.lib.models import AuditLog

from .eid_helpers import NATIONAL_ID, FakeProvider, Platform

pytestmark = pytest.mark.django_db
VERIFY, LOGIN, CALLBACK, PROFILE = "/accounts/eid/verify/", "/accounts/eid/login/", "/accounts/eid/callback/", \
    "/accounts/profile/"


@pytest.fixture
def provider(settings):
    eid._discovery_cache.clear()
    with FakeProvider() as fake:
        fake.settings(settings)
        yield fake


@pytest.fixture
def browser(citizen) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(citizen)
    return client


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def run_flow(client: Client, provider: FakeProvider, start: str = VERIFY, **answer):
    started = client.post(start)
    assert started.status_code == 302 and started["Location"].startswith(f"{provider.issuer}/authorize?")
    return client.get(f"{CALLBACK}?{provider.authorized(started['Location'], **answer)}", follow=True)


# --- off unless configured ---------------------------------------------------------------------


def test_the_connector_is_absent_when_not_enabled(browser, settings):
    settings.OPENCITY_EID_ENABLED = False
    for url in (VERIFY, LOGIN):
        assert browser.post(url).status_code == 404
    assert browser.get(CALLBACK).status_code == 404
    assert b'data-testid="eid-panel"' not in browser.get(PROFILE).content
    assert b'data-testid="eid-login"' not in Client().get("/accounts/login/").content


def test_enabled_pages_offer_the_buttons_by_their_configured_name(browser, provider, settings):
    settings.OPENCITY_EID_NAME = "VNeID"
    response = browser.get(PROFILE)
    profile = response.content.decode()
    assert 'data-testid="eid-panel"' in profile and "Xác thực bằng VNeID" in profile
    login = Client(HTTP_ACCEPT_LANGUAGE="vi").get("/accounts/login/")
    assert "Đăng nhập bằng VNeID" in login.content.decode()
    # Their forms may lead to the platform (browsers hold a form's redirects to form-action)...
    for page in (response, login):
        assert f"form-action 'self' {provider.issuer};" in page["Content-Security-Policy"]
    # ...and no other page's may.
    assert provider.issuer not in browser.get("/accounts/security/")["Content-Security-Policy"]


@pytest.mark.parametrize("env,error", [
    ({}, "OPENCITY_EID_ISSUER, OPENCITY_EID_CLIENT_ID, OPENCITY_EID_CLIENT_SECRET"),
    ({"OPENCITY_EID_ISSUER": "https://id.example.vn", "OPENCITY_EID_CLIENT_ID": "x",
      "OPENCITY_EID_CLIENT_SECRET": "y", "OPENCITY_EID_SCOPES": "profile"}, "must include openid"),
])
def test_an_enabled_but_incomplete_configuration_stops_the_start(tmp_path, env, error):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OPENCITY_EID_")}
    environ.update(env, OPENCITY_EID_ENABLED="True", OPENCITY_VAR_DIR=str(tmp_path),
                   DJANGO_SETTINGS_MODULE="opencity.settings")
    src = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", "import opencity.settings"], env=environ, cwd=src,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and error in result.stderr


# --- verifying from the profile ------------------------------------------------------------------


def test_a_citizen_verifies_and_the_account_keeps_the_number_encrypted_at_level_2(browser, citizen, provider):
    response = run_flow(browser, provider)
    assert response.redirect_chain[-1][0].endswith("/accounts/profile/#eid")
    assert "Danh tính của bạn đã được xác thực bằng VNeID" in messages_of(response)
    citizen.refresh_from_db()
    assert citizen.verification_level == VerificationLevel.ELECTRONIC_ID
    assert citizen.verification_source == VerificationSource.VNEID and citizen.verified_at is not None
    assert citizen.national_id_hash == national_id_hash(NATIONAL_ID)
    assert NATIONAL_ID not in citizen.national_id_encrypted and national_id_of(citizen) == NATIONAL_ID
    # PKCE S256 went with the code; the platform's client authentication too.
    sent = provider.token_requests[-1]
    assert sent["code"] == "c0de" and len(sent["code_verifier"]) >= 43
    link = AuditLog.objects.get(action="eid_link")
    assert link.data["level"] == 2 and link.data["raised"] is True and "national_id" in link.data["claims"]
    assert NATIONAL_ID not in str(list(AuditLog.objects.values_list("data", "summary")))
    assert 'data-testid="eid-level"' in response.content.decode()
    assert "Mức 2: định danh điện tử quốc gia" in response.content.decode()


def test_the_number_comes_from_userinfo_when_the_id_token_lacks_it(browser, citizen, provider):
    provider.id_token_claims = ("sub",)
    run_flow(browser, provider)
    citizen.refresh_from_db()
    assert citizen.verification_level == 2 and national_id_of(citizen) == NATIONAL_ID


def test_a_number_linked_to_another_account_is_refused_and_audited(browser, citizen, citizen2, provider):
    citizen2.national_id_hash = national_id_hash(NATIONAL_ID)
    citizen2.save()
    response = run_flow(browser, provider)
    assert "đã được liên kết với một tài khoản OpenCity khác" in messages_of(response)
    citizen.refresh_from_db()
    assert citizen.verification_level == 0 and not citizen.national_id_hash
    refusal = AuditLog.objects.get(action="eid_link_refused")
    assert refusal.data["reason"] == "other_account" and refusal.target_id == str(citizen.pk)


def test_two_accounts_linking_one_number_at_once_cannot_both_keep_it(browser, citizen, citizen2, provider,
                                                                     monkeypatch):
    """The other account takes the number between this one's check and its write: the database's
    unique constraint refuses the second, which is answered as a number of another account."""
    from opencity.accounts import eid_services

    real = eid_services.user_set_national_id

    def other_account_first(**kwargs):
        User.objects.filter(pk=citizen2.pk).update(national_id_hash=national_id_hash(NATIONAL_ID))
        return real(**kwargs)

    monkeypatch.setattr(eid_services, "user_set_national_id", other_account_first)
    response = run_flow(browser, provider)
    assert "đã được liên kết với một tài khoản OpenCity khác" in messages_of(response)
    citizen.refresh_from_db()
    assert citizen.verification_level == 0 and not citizen.national_id_hash


def test_the_database_holds_one_number_to_one_account(citizen, citizen2):
    from django.db import IntegrityError, transaction

    from opencity.accounts.identity import NationalIdTakenError, user_set_national_id

    user_set_national_id(user=citizen, number=NATIONAL_ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=citizen2.pk).update(national_id_hash=national_id_hash(NATIONAL_ID))
    with pytest.raises(NationalIdTakenError):
        user_set_national_id(user=citizen2, number=NATIONAL_ID)
    User.objects.filter(pk__in=[citizen.pk, citizen2.pk]).update(national_id_hash="")  # empty: many may


def test_a_weaker_later_check_never_lowers_the_level(browser, citizen, provider):
    run_flow(browser, provider)
    provider.claims["acr"] = "1"
    response = run_flow(browser, provider)
    assert "đã được kiểm tra lại" in messages_of(response)
    citizen.refresh_from_db()
    assert citizen.verification_level == 2 and citizen.verification_source == VerificationSource.VNEID
    last = AuditLog.objects.filter(action="eid_link").order_by("pk").last()
    assert last.data["level"] == 1 and last.data["raised"] is False


def test_a_check_raises_a_level_recorded_at_the_ward_office(browser, citizen, provider):
    user_set_verification(user=citizen, level=1, source=VerificationSource.COUNTER)
    run_flow(browser, provider)
    citizen.refresh_from_db()
    assert (citizen.verification_level, citizen.verification_source) == (2, VerificationSource.VNEID)


@pytest.mark.parametrize("spoil,message", [
    ({"wrong_nonce": True}, "không thành công"),
    ({"wrong_key": True}, "không thành công"),
    ({"token_status": 400}, "không thành công"),
    ({"token_status": 500}, "không kết nối được"),
])
def test_a_bad_answer_from_the_platform_is_refused_with_a_message(browser, citizen, provider, spoil, message):
    for name, value in spoil.items():
        setattr(provider, name, value)
    response = run_flow(browser, provider)
    assert response.status_code == 200 and message in messages_of(response)
    citizen.refresh_from_db()
    assert citizen.verification_level == 0 and not citizen.national_id_hash


def test_a_callback_with_a_wrong_state_a_missing_code_or_an_error_is_refused(browser, citizen, provider):
    started = browser.post(VERIFY)
    query = provider.authorized(started["Location"])
    forged = query.replace("state=", "state=x")
    response = browser.get(f"{CALLBACK}?{forged}", follow=True)
    assert "đã hết hạn hoặc được bắt đầu ở nơi khác" in messages_of(response)
    # the state is single-use: the genuine answer, after a forged one, is refused too
    response = browser.get(f"{CALLBACK}?{query}", follow=True)
    assert "Vui lòng bắt đầu lại" in messages_of(response)
    started = browser.post(VERIFY)
    state = provider.authorized(started["Location"]).split("state=")[1].split("&")[0]
    response = browser.get(f"{CALLBACK}?state={state}", follow=True)
    assert "không thành công" in messages_of(response)
    started = browser.post(VERIFY)
    response = browser.get(f"{CALLBACK}?{provider.authorized(started['Location'], error='access_denied')}",
                           follow=True)
    assert "đã bị huỷ" in messages_of(response)
    assert provider.token_requests == []
    citizen.refresh_from_db()
    assert citizen.verification_level == 0


def test_a_platform_that_cannot_be_reached_gives_a_message_not_an_error_page(browser, settings):
    settings.OPENCITY_EID_ENABLED = True
    settings.OPENCITY_EID_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.OPENCITY_EID_CLIENT_ID, settings.OPENCITY_EID_CLIENT_SECRET = "x", "y"
    settings.OPENCITY_EID_TIMEOUT = 2.0
    eid._discovery_cache.clear()
    response = browser.post(VERIFY, follow=True)
    assert response.status_code == 200 and "không kết nối được" in messages_of(response)


def test_verify_needs_a_signed_in_person_and_a_post(provider):
    assert Client().post(VERIFY)["Location"].startswith("/accounts/login/")
    client = Client()
    assert client.get(LOGIN).status_code == 405


def test_a_check_started_by_one_account_does_not_verify_another(browser, citizen, citizen2, provider):
    started = browser.post(VERIFY)
    browser.force_login(citizen2)
    response = browser.get(f"{CALLBACK}?{provider.authorized(started['Location'])}", follow=True)
    assert "Vui lòng bắt đầu lại" in messages_of(response)  # a new sign-in flushed the session
    assert not User.objects.filter(verification_level=2).exists()


# --- signing in with the eID ---------------------------------------------------------------------


def _linked(user):
    user.national_id_hash = national_id_hash(NATIONAL_ID)
    user.save()
    return user


def test_the_linked_account_signs_in_with_the_eid(citizen, provider):
    _linked(citizen)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    response = client.post(LOGIN, {"next": "/accounts/profile/"})
    query = provider.authorized(response["Location"])
    response = client.get(f"{CALLBACK}?{query}")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert client.get(PROFILE).context["user"] == citizen
    assert AuditLog.objects.filter(action="eid_login", actor=citizen).exists()


def test_no_account_is_created_for_an_unknown_number(provider):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    before = User.objects.count()
    response = run_flow(client, provider, start=LOGIN)
    assert "Chưa có tài khoản OpenCity nào được liên kết" in messages_of(response)
    assert User.objects.count() == before and not response.context["user"].is_authenticated
    assert AuditLog.objects.filter(action="eid_login_no_account").exists()


def test_staff_with_an_authenticator_still_give_their_code(operator, provider):
    _linked(operator)
    TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    response = client.post(LOGIN)
    response = client.get(f"{CALLBACK}?{provider.authorized(response['Location'])}")
    assert response["Location"] == "/accounts/login/otp/"
    assert "_auth_user_id" not in client.session
    assert client.get(PROFILE)["Location"].startswith("/accounts/login/")


def test_staff_without_an_authenticator_are_not_signed_in_by_the_eid(operator, provider):
    _linked(operator)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    response = run_flow(client, provider, start=LOGIN)
    assert "_auth_user_id" not in client.session
    assert "Tài khoản cán bộ đăng nhập bằng" in messages_of(response)


# --- a transaction-style adapter through the same pages -----------------------------------------


def test_a_transaction_style_adapter_fits_the_same_two_calls(browser, citizen, settings):
    settings.OPENCITY_EID_ENABLED = True
    settings.OPENCITY_EID_ADAPTER = "opencity.accounts.tests.eid_helpers.TransactionAdapter"
    started = browser.post(VERIFY)
    txn = started["Location"].split("txn=")[1]
    # not confirmed in the app yet: refused
    response = browser.get(started["Location"], follow=True)
    assert "You did not confirm in the app." in messages_of(response)
    started = browser.post(VERIFY)
    Platform.confirm_in_app(started["Location"].split("txn=")[1])
    assert txn != started["Location"].split("txn=")[1]
    response = browser.get(started["Location"], follow=True)
    citizen.refresh_from_db()
    assert citizen.verification_level == 2 and national_id_of(citizen) == NATIONAL_ID
    # and the same adapter signs the person in, later
    client = Client()
    started = client.post(LOGIN)
    Platform.confirm_in_app(started["Location"].split("txn=")[1])
    assert client.get(started["Location"])["Location"] == "/"
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_a_dotted_path_that_is_not_an_adapter_is_refused(settings):
    settings.OPENCITY_EID_ENABLED = True
    settings.OPENCITY_EID_ADAPTER = "opencity.accounts.eid.VerifiedIdentity"
    from django.core.exceptions import ImproperlyConfigured
    with pytest.raises(ImproperlyConfigured):
        eid.get_adapter()


def test_levels_are_read_from_numbers_and_uris():
    assert eid.level_from("2") == 2 and eid.level_from(1) == 1 and eid.level_from("urn:vneid:loa:2") == 2
    with pytest.raises(eid.EidError):
        eid.level_from("3")
