"""Single sign-on through OpenCity, in the browser, with a stock client (docs/identity.md).

A small relying party, written with Authlib's OAuth2 client (PKCE S256, nonce, the ID token
checked against the provider's JWKS), runs on a local port in a thread. A citizen signs in to it
through OpenCity: login, the consent screen (where they leave out their phone and address),
and back to the service, which shows what it received: only what was consented. The citizen
then withdraws the consent on "Connected services"; the next sign-in asks again. A city
service signs the citizen in without any screen."""

from __future__ import annotations

import html
import json
import secrets
import threading
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from playwright.sync_api import expect

from opencity.accounts.tests.oidc_helpers import SECRET, make_client
from opencity.conftest import PASSWORD


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class RelyingParty:
    """A service that signs its users in with OpenCity, as any city partner would: Authlib's
    ``OAuth2Session`` for the code flow with PKCE, joserfc (Authlib's JOSE library) for the ID
    token."""

    def __init__(self, provider: str, scope: str):
        self.provider = provider
        self.scope = scope
        self.pending: dict[str, dict] = {}
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_Quiet)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.redirect_uri = f"{self.base}/callback"
        self.client_id = ""
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def session(self, **kwargs):
        from authlib.integrations.requests_client import OAuth2Session

        return OAuth2Session(self.client_id, SECRET, scope=self.scope, redirect_uri=self.redirect_uri,
                             code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
                             **kwargs)

    def discovery(self) -> dict:
        import requests

        return requests.get(f"{self.provider}/.well-known/openid-configuration", timeout=10).json()

    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        try:
            if path == "/login":
                status, headers, body = self.login()
            elif path == "/callback":
                status, headers, body = self.callback(environ)
            else:
                status, headers, body = "404 Not Found", [], "not found"
        except Exception as exc:  # shown on the page, so a failing test says why
            status, headers, body = "500 Internal Server Error", [], f"<pre id=error>{html.escape(repr(exc))}</pre>"
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), *headers])
        return [body.encode()]

    def login(self):
        from authlib.common.security import generate_token

        verifier, nonce = generate_token(48), secrets.token_urlsafe(16)
        uri, state = self.session().create_authorization_url(
            self.discovery()["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
        self.pending[state] = {"verifier": verifier, "nonce": nonce}
        return "302 Found", [("Location", uri)], ""

    def callback(self, environ):
        import requests
        from joserfc import jwt
        from joserfc.jwk import KeySet

        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "error" in query:
            return "200 OK", [], f"<p id=error>{html.escape(query['error'][0])}</p>"
        state = query["state"][0]
        pending = self.pending.pop(state)
        meta = self.discovery()
        session = self.session(state=state)
        token = session.fetch_token(meta["token_endpoint"], authorization_response=f"{self.base}/callback?"
                                    + environ["QUERY_STRING"], code_verifier=pending["verifier"])
        # The ID token: signed by a key of the JWKS, for this client, from this issuer, this nonce.
        keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
        id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(iss={"essential": True, "value": meta["issuer"]},
                              aud={"essential": True, "value": self.client_id},
                              nonce={"essential": True, "value": pending["nonce"]},
                              exp={"essential": True}, sub={"essential": True}).validate(id_token.claims)
        claims = id_token.claims
        userinfo = session.get(meta["userinfo_endpoint"]).json()
        return "200 OK", [], (
            "<h1>Signed in</h1>"
            f"<pre id=userinfo>{html.escape(json.dumps(userinfo, ensure_ascii=False, sort_keys=True))}</pre>"
            f"<pre id=id-token>{html.escape(json.dumps(dict(claims), ensure_ascii=False, sort_keys=True))}</pre>"
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_redirects(settings):
    """The relying party listens on plain http on this machine (loopback)."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"]}


def _received(page) -> dict:
    return json.loads(page.locator("#userinfo").inner_text())


def test_a_partner_service_receives_only_the_consented_claims_and_asks_again_after_withdrawal(
        new_page, live_server, citizen, http_redirects):
    with RelyingParty(f"{live_server.url}/o", "openid profile phone address") as rp:
        rp.client_id = make_client("Bệnh viện Trung ương Huế – đặt lịch khám", rp.redirect_uri).client_id

        # 1. The citizen starts at the service, signs in on OpenCity's own page.
        page = new_page(width=390)
        page.goto(f"{rp.base}/login")
        page.wait_for_url("**/accounts/login/**")
        page.fill("#id_phone", citizen.phone)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")

        # 2. The consent screen names the service, its purpose and each item in plain words;
        # the citizen keeps the name and leaves out the phone and the address.
        consent = page.locator("[data-testid=consent]")
        expect(consent).to_contain_text("Bệnh viện Trung ương Huế")
        expect(page.locator("[data-testid=consent-purpose]")).to_be_visible()
        expect(page.locator("[data-testid=consent-scope-phone]")).to_contain_text("Số điện thoại của bạn")
        page.locator("[data-testid=consent-scope-phone] input").uncheck()
        page.locator("[data-testid=consent-scope-address] input").uncheck()
        page.click("[data-testid=consent-allow]")

        # 3. Back at the service: it holds a verified ID token and only the consented claims.
        page.wait_for_url(f"{rp.base}/callback**")
        expect(page.locator("h1")).to_have_text("Signed in")
        userinfo = _received(page)
        assert set(userinfo) == {"sub", "name"}
        assert userinfo["name"] == citizen.full_name
        id_token = json.loads(page.locator("#id-token").inner_text())
        assert id_token["sub"] == userinfo["sub"] and "phone_number" not in id_token
        assert citizen.phone[-9:] not in page.content()

        # 4. A second sign-in goes straight through: the decision is remembered, phone and address
        # still left out.
        page.goto(f"{rp.base}/login")
        page.wait_for_url(f"{rp.base}/callback**")
        assert set(_received(page)) == {"sub", "name"}

        # 5. "Connected services" shows what the service received; the citizen withdraws.
        page.goto(f"{live_server.url}/accounts/services/")
        card = page.locator(f"[data-testid=connected-{rp.client_id}]")
        expect(card.locator("[data-testid=received]")).to_contain_text("họ và tên")
        expect(card.locator("[data-testid=received]")).not_to_contain_text("số điện thoại")
        card.locator("[data-testid=withdraw]").click()
        expect(page.locator(".msg-success")).to_be_visible()
        expect(card.locator("[data-testid=consent-withdrawn]")).to_be_visible()

        # 6. The next sign-in through the service asks for consent again: no silent sign-in.
        page.goto(f"{rp.base}/login")
        expect(page.locator("[data-testid=consent]")).to_be_visible()
        assert page.url.startswith(f"{live_server.url}/o/authorize/")
        assert page.js_errors == []


def test_a_city_service_signs_in_without_a_consent_screen(login, live_server, citizen, http_redirects):
    with RelyingParty(f"{live_server.url}/o", "openid profile") as rp:
        rp.client_id = make_client("Hue-S", rp.redirect_uri, first_party=True).client_id
        page = login(citizen)
        page.goto(f"{rp.base}/login")
        page.wait_for_url(f"{rp.base}/callback**")
        assert _received(page)["name"] == citizen.full_name
        page.goto(f"{live_server.url}/accounts/services/")
        card = page.locator(f"[data-testid=connected-{rp.client_id}]")
        expect(card.locator("[data-testid=city-service]")).to_be_visible()
        expect(card.locator("[data-testid=withdraw]")).to_have_count(0)
