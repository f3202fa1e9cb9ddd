"""The OpenID Connect provider, conformance-style (docs/identity.md): discovery, JWKS, the
authorization and token endpoints (PKCE S256 only, single-use codes, refresh rotation), ID
tokens verified with the published keys, userinfo limited to what was consented, pairwise
subjects, the consent ledger."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from jwcrypto import jwk, jwt

from opencity.accounts.consent import consent_export, consent_list, consent_withdraw
from opencity.accounts.identity import national_id_hash, user_set_national_id, user_set_verification
from opencity.accounts.models import ClaimRelease, Consent, VerificationLevel, VerificationSource
from opencity.accounts.oidc_claims import SCOPE_CLAIMS
from opencity.lib.models import AuditLog

from .oidc_helpers import SECRET, make_client, pkce_pair

pytestmark = pytest.mark.django_db
RP = "https://rp.example.org/callback"
OTHER_RP = "https://other.example.net/cb"
TOKEN_ONLY = {"iss", "aud", "exp", "iat", "auth_time", "nonce", "jti", "at_hash", "c_hash", "azp"}


@pytest.fixture
def browser(citizen) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(citizen)
    return client


@pytest.fixture
def rp(db):
    return make_client("Cổng dịch vụ thử", RP, scopes="openid profile phone address verification national_id")


def authorize(client: Client, app, *, scope="openid profile", challenge=None, method="S256", extra=None,
              redirect_uri=RP):
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": redirect_uri,
              "scope": scope, "state": "st4te", "nonce": "n0nce"}
    if challenge is not None:
        params["code_challenge"] = challenge
        params["code_challenge_method"] = method
    params.update(extra or {})
    return client.get("/o/authorize/", params)


def consent(client: Client, response, *, grant=None):
    """Submit the consent form the page shows, ticking ``grant`` (default: every optional scope)."""
    form = response.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    rows = response.context["scope_rows"]
    data["grant"] = [r["scope"] for r in rows if not r["required"]] if grant is None else grant
    data["allow"] = "Authorize"
    return client.post("/o/authorize/", data)


def code_of(response) -> str:
    assert response.status_code == 302, response.content[:500]
    query = parse_qs(urlsplit(response["Location"]).query)
    assert "code" in query, response["Location"]
    return query["code"][0]


def token(client: Client, app, code, verifier, redirect_uri=RP):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier is not None:
        data["code_verifier"] = verifier
    return client.post("/o/token/", data, HTTP_AUTHORIZATION=basic(app))


def basic(app) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{app.client_id}:{SECRET}".encode()).decode()


def sign_in(browser, app, *, scope="openid profile", grant=None, redirect_uri=RP):
    verifier, challenge = pkce_pair()
    response = authorize(browser, app, scope=scope, challenge=challenge, redirect_uri=redirect_uri)
    if response.status_code == 200:
        response = consent(browser, response, grant=grant)
    answer = token(Client(), app, code_of(response), verifier, redirect_uri=redirect_uri)
    assert answer.status_code == 200, answer.content
    return answer.json()


def verify_id_token(raw: str, app) -> dict:
    keys = jwk.JWKSet.from_json(Client().get("/o/.well-known/jwks.json").content)
    verified = jwt.JWT(jwt=raw, key=keys, algs=["RS256"], check_claims={"aud": app.client_id, "exp": None})
    return json.loads(verified.claims)


# --- discovery and keys ---------------------------------------------------------------------------


def test_discovery_says_code_flow_with_s256_pairwise_rs256():
    data = Client().get("/.well-known/openid-configuration").json()
    assert data["issuer"] == "http://testserver/o"
    assert data["authorization_endpoint"] == "http://testserver/o/authorize/"
    assert data["token_endpoint"] == "http://testserver/o/token/"
    assert data["userinfo_endpoint"] == "http://testserver/o/userinfo/"
    assert data["jwks_uri"] == "http://testserver/o/.well-known/jwks.json"
    assert data["end_session_endpoint"] == "http://testserver/o/logout/"
    assert data["response_types_supported"] == ["code"]
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["subject_types_supported"] == ["pairwise"]
    assert data["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "implicit" not in data["grant_types_supported"]


def test_discovery_lists_exactly_the_scopes_and_claims_issued():
    data = Client().get("/o/.well-known/openid-configuration").json()
    assert set(data["scopes_supported"]) == set(SCOPE_CLAIMS)
    assert set(data["claims_supported"]) == {c for claims in SCOPE_CLAIMS.values() for c in claims}


def test_the_claims_issued_with_every_scope_are_the_claims_supported(browser, citizen, rp):
    user_set_national_id(user=citizen, number="046090001234")
    answer = sign_in(browser, rp, scope=" ".join(SCOPE_CLAIMS))
    id_claims = verify_id_token(answer["id_token"], rp)
    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {answer['access_token']}").json()
    supported = set(Client().get("/.well-known/openid-configuration").json()["claims_supported"])
    assert set(info) == supported
    assert set(id_claims) - TOKEN_ONLY == supported


def test_jwks_publishes_the_current_key_with_kid_and_the_previous_after_rotation(settings):
    keys = Client().get("/o/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    old_kid = keys[0]["kid"]
    new_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": new_pem,
                                "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [settings.OPENCITY_OIDC_RSA_PRIVATE_KEY]}
    kids = [k["kid"] for k in Client().get("/o/.well-known/jwks.json").json()["keys"]]
    assert len(kids) == 2 and kids[1] == old_kid and kids[0] != old_kid
    assert all("d" not in k for k in Client().get("/o/.well-known/jwks.json").json()["keys"])


def test_id_tokens_are_signed_by_the_current_key(browser, rp):
    answer = sign_in(browser, rp)
    header = jwt.JWT(jwt=answer["id_token"]).token.jose_header
    current = Client().get("/o/.well-known/jwks.json").json()["keys"][0]["kid"]
    assert header["alg"] == "RS256" and header["kid"] == current
    claims = verify_id_token(answer["id_token"], rp)
    assert claims["nonce"] == "n0nce" and claims["iss"] == "http://testserver/o"


def test_the_authorization_response_names_the_issuer_of_discovery(browser, rp):
    """RFC 9207: a client compares `iss` with the discovery `issuer` (the eID connector does)."""
    _verifier, challenge = pkce_pair()
    response = consent(browser, authorize(browser, rp, challenge=challenge))
    issuer = Client().get("/o/.well-known/openid-configuration").json()["issuer"]
    assert parse_qs(urlsplit(response["Location"]).query)["iss"] == [issuer]


# --- the authorization code and PKCE -----------------------------------------------------------------


def _error_of(response) -> str:
    if response.status_code == 302:
        return parse_qs(urlsplit(response["Location"]).query).get("error", [""])[0]
    return "page:" + str(response.status_code)


def test_authorize_without_pkce_is_refused(browser, rp):
    response = authorize(browser, rp)
    assert _error_of(response) == "invalid_request"


def test_authorize_with_plain_pkce_is_refused(browser, rp):
    response = authorize(browser, rp, challenge="a" * 50, method="plain")
    assert _error_of(response) == "invalid_request"
    assert "code" not in parse_qs(urlsplit(response.get("Location", "")).query)


def test_token_with_a_missing_or_wrong_verifier_is_refused(browser, rp):
    verifier, challenge = pkce_pair()
    code = code_of(consent(browser, authorize(browser, rp, challenge=challenge)))
    assert token(Client(), rp, code, None).status_code == 400
    verifier2, challenge2 = pkce_pair()
    response = authorize(browser, rp, challenge=challenge2)  # consented now: no screen
    code2 = code_of(response)
    answer = token(Client(), rp, code2, verifier)  # the first pair's verifier
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_a_code_is_used_once(browser, rp):
    verifier, challenge = pkce_pair()
    code = code_of(consent(browser, authorize(browser, rp, challenge=challenge)))
    assert token(Client(), rp, code, verifier).status_code == 200
    again = token(Client(), rp, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_an_unregistered_redirect_uri_is_refused_without_redirecting(browser, rp):
    _verifier, challenge = pkce_pair()
    response = authorize(browser, rp, challenge=challenge, redirect_uri=RP + "/other")
    assert response.status_code == 400
    assert response.context["error"].error == "invalid_request"
    assert "Location" not in response


def test_refresh_tokens_rotate_and_the_old_one_is_refused(browser, rp):
    answer = sign_in(browser, rp)
    first = answer["refresh_token"]
    data = {"grant_type": "refresh_token", "refresh_token": first}
    renewed = Client().post("/o/token/", data, HTTP_AUTHORIZATION=basic(rp))
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != first
    replay = Client().post("/o/token/", data, HTTP_AUTHORIZATION=basic(rp))
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # Reuse detection: the replay revoked the whole family, the new refresh token too.
    newer = Client().post("/o/token/", {"grant_type": "refresh_token", "refresh_token": renewed.json()["refresh_token"]},
                          HTTP_AUTHORIZATION=basic(rp))
    assert newer.status_code == 400


def test_token_lifetimes_are_short(browser, rp):
    answer = sign_in(browser, rp)
    assert answer["expires_in"] == 600
    claims = verify_id_token(answer["id_token"], rp)
    assert claims["exp"] - claims["iat"] <= 600 + 5


# --- claims, consent, pairwise subjects ---------------------------------------------------------------


def test_userinfo_gives_only_the_consented_claims(browser, rp):
    answer = sign_in(browser, rp, scope="openid profile phone address", grant=["profile"])
    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {answer['access_token']}").json()
    assert set(info) == {"sub", "name"}
    assert info["name"] == "Nguyễn Văn An"
    consent_row = Consent.objects.get()
    assert consent_row.scopes == "openid profile" and consent_row.claims == ["sub", "name"]


def test_a_declined_scope_is_remembered_and_not_granted_on_the_next_sign_in(browser, rp):
    sign_in(browser, rp, scope="openid profile phone", grant=["profile"])
    verifier, challenge = pkce_pair()
    response = authorize(browser, rp, scope="openid profile phone", challenge=challenge)
    answer = token(Client(), rp, code_of(response), verifier).json()
    assert answer["scope"] == "openid profile"
    assert Consent.objects.get().scopes_declined == "phone"
    # Asking for a scope never decided on brings the screen back.
    assert authorize(browser, rp, scope="openid profile address", challenge=challenge).status_code == 200


def test_sub_is_pairwise_per_sector_and_never_the_phone(browser, citizen, rp):
    other = make_client("Dịch vụ khác", OTHER_RP)
    one = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {sign_in(browser, rp)['access_token']}").json()
    two = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {sign_in(browser, other, redirect_uri=OTHER_RP)['access_token']}").json()
    assert one["sub"] != two["sub"]
    for sub in (one["sub"], two["sub"]):
        assert citizen.phone.lstrip("+") not in sub and citizen.phone[-9:] not in sub
        assert citizen.citizen_id not in sub and str(citizen.pk) != sub
    again = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {sign_in(browser, rp)['access_token']}").json()
    assert again["sub"] == one["sub"]


def test_two_clients_of_one_sector_see_one_subject(browser):
    a = make_client("A", "https://a.example.org/cb", sector="hue.gov.vn")
    b = make_client("B", "https://b.example.org/cb", sector="hue.gov.vn")
    sub_a = verify_id_token(sign_in(browser, a, redirect_uri="https://a.example.org/cb")["id_token"], a)["sub"]
    sub_b = verify_id_token(sign_in(browser, b, redirect_uri="https://b.example.org/cb")["id_token"], b)["sub"]
    assert sub_a == sub_b


def test_verification_and_address_claims(browser, citizen, rp, phu_xuan):
    citizen.home_area = phu_xuan
    citizen.save()
    user_set_verification(user=citizen, level=VerificationLevel.ELECTRONIC_ID, source=VerificationSource.VNEID)
    answer = sign_in(browser, rp, scope="openid address verification")
    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {answer['access_token']}").json()
    assert info["verified"] is True and info["acr"] == "2" and isinstance(info["verified_at"], int)
    assert info["address"]["locality"] == phu_xuan.name and info["address"]["ward_code"] == phu_xuan.code


def test_the_national_id_needs_its_scope_and_each_release_is_audited(browser, citizen, rp):
    user_set_national_id(user=citizen, number="046 090 001 234")
    citizen.refresh_from_db()
    assert "046090001234" not in citizen.national_id_encrypted
    assert citizen.national_id_hash == national_id_hash("046090001234")
    plain = sign_in(browser, rp, scope="openid profile")
    assert "national_id" not in verify_id_token(plain["id_token"], rp)
    assert not AuditLog.objects.filter(action="national_id_release").exists()
    answer = sign_in(browser, rp, scope="openid national_id")
    assert verify_id_token(answer["id_token"], rp)["national_id"] == "046090001234"
    Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {answer['access_token']}")
    assert AuditLog.objects.filter(action="national_id_release").count() == 2


def test_a_request_without_openid_is_refused(browser, rp):
    _verifier, challenge = pkce_pair()
    assert _error_of(authorize(browser, rp, scope="profile", challenge=challenge)) == "invalid_scope"


def test_a_client_cannot_ask_for_a_scope_it_is_not_allowed(browser):
    app = make_client("Hẹp", RP, scopes="openid profile")
    _verifier, challenge = pkce_pair()
    response = authorize(browser, app, scope="openid national_id", challenge=challenge)
    assert _error_of(response) == "invalid_scope"


def test_a_city_service_signs_in_without_a_consent_screen_but_not_for_the_national_id(browser, citizen):
    app = make_client("Hue-S", RP, first_party=True, scopes="openid profile national_id")
    _verifier, challenge = pkce_pair()
    assert code_of(authorize(browser, app, challenge=challenge))
    assert authorize(browser, app, scope="openid national_id", challenge=challenge).status_code == 200
    assert not Consent.objects.exists()


def test_consent_is_asked_once_then_remembered_and_asked_again_after_withdrawal(browser, citizen, rp):
    answer = sign_in(browser, rp)
    _verifier, challenge = pkce_pair()
    assert authorize(browser, rp, challenge=challenge).status_code == 302  # remembered
    row = Consent.objects.get()
    consent_withdraw(user=citizen, consent_id=row.pk)
    assert authorize(browser, rp, challenge=challenge).status_code == 200  # the screen again
    refused = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {answer['access_token']}")
    assert refused.status_code == 401
    refresh = Client().post("/o/token/", {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"]},
                            HTTP_AUTHORIZATION=basic(rp))
    assert refresh.status_code == 400
    assert AuditLog.objects.filter(action="consent_withdraw").count() == 1


def test_prompt_none_without_consent_answers_consent_required(browser, rp):
    _verifier, challenge = pkce_pair()
    response = authorize(browser, rp, challenge=challenge, extra={"prompt": "none"})
    assert _error_of(response) == "consent_required"


def test_prompt_none_without_a_session_answers_login_required(rp):
    _verifier, challenge = pkce_pair()
    response = authorize(Client(), rp, challenge=challenge, extra={"prompt": "none"})
    assert _error_of(response) == "login_required"


def test_without_a_session_the_citizen_is_sent_to_sign_in(rp):
    _verifier, challenge = pkce_pair()
    response = authorize(Client(), rp, challenge=challenge)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/o/authorize/")


def test_a_new_purpose_version_asks_again(browser, rp):
    sign_in(browser, rp)
    rp.service.purpose_version = 2
    rp.service.save()
    _verifier, challenge = pkce_pair()
    assert authorize(browser, rp, challenge=challenge).status_code == 200


def test_the_ledger_lists_and_exports_what_each_service_received(browser, citizen, citizen2, rp):
    sign_in(browser, rp, scope="openid profile phone", grant=["phone"])
    entries = consent_list(citizen)
    assert len(entries) == 1 and entries[0].consent.scopes == "openid phone"
    assert entries[0].received == ["phone_number", "phone_number_verified", "sub"]
    assert consent_list(citizen2) == []
    exported = json.loads(json.dumps(consent_export(citizen)))
    assert exported["consents"][0]["scopes"] == ["openid", "phone"]
    assert exported["releases"][0]["via"] == "id_token"
    assert ClaimRelease.objects.filter(user=citizen).count() == 1


def test_one_cannot_withdraw_anothers_consent(browser, citizen2, rp):
    from opencity.errors import NotFoundError

    sign_in(browser, rp)
    with pytest.raises(NotFoundError):
        consent_withdraw(user=citizen2, consent_id=Consent.objects.get().pk)


def test_rp_initiated_logout_signs_out_and_returns_to_the_registered_uri(browser, rp):
    answer = sign_in(browser, rp)
    params = {"id_token_hint": answer["id_token"], "post_logout_redirect_uri": RP, "state": "bye",
              "client_id": rp.client_id}
    page = browser.get("/o/logout/", params)
    assert page.status_code == 200 and "đề nghị đăng xuất bạn khỏi OpenCity" in page.content.decode()
    assert "form-action 'self' https://rp.example.org" in page["Content-Security-Policy"]
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    done = browser.post("/o/logout/", {**data, "allow": "Logout"})
    assert done.status_code == 302 and done["Location"].startswith(RP) and "state=bye" in done["Location"]
    assert "_auth_user_id" not in browser.session


def test_rp_initiated_logout_refuses_an_unregistered_redirect(browser, rp):
    answer = sign_in(browser, rp)
    page = browser.get("/o/logout/", {"id_token_hint": answer["id_token"], "client_id": rp.client_id,
                                      "post_logout_redirect_uri": "https://evil.example.com/"})
    assert page.status_code == 400
    assert "_auth_user_id" in browser.session
