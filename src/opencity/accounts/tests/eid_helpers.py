"""Stand-ins for the national identity platform in the eID connector's tests (docs/identity.md).

- :class:`FakeProvider`: a small OpenID Connect provider on a local port (discovery, JWKS, token,
  userinfo), whose answers a test can spoil: a wrong nonce, a token signed by another key, a
  refused or failing token request.
- :class:`TransactionAdapter`: a transaction-style platform (start a transaction, the person
  confirms in their app, finish by its id), written against the same two calls as the OIDC one.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import RSAKey

from opencity.accounts.eid import EidAdapter, EidError, VerifiedIdentity

CLIENT_ID, CLIENT_SECRET = "opencity-test", "eid-secret-0123456789"
NATIONAL_ID = "046095001234"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class FakeProvider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_Quiet)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.claims = {"sub": "vneid-sub-1", "name": "Nguyễn Văn An", "national_id": NATIONAL_ID, "acr": "2"}
        self.id_token_claims = ("sub", "name", "national_id", "acr")  # the rest only from userinfo
        self.nonce = ""
        self.wrong_nonce = self.wrong_key = False
        self.token_status = 200
        self.token_requests: list[dict] = []

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/.well-known/openid-configuration":
            body = {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token", "userinfo_endpoint": f"{self.issuer}/userinfo",
                    "jwks_uri": f"{self.issuer}/jwks", "id_token_signing_alg_values_supported": ["RS256"]}
            status = 200
        elif path == "/jwks":
            status, body = 200, {"keys": [self.key.as_dict(private=False)]}
        elif path == "/token":
            form = parse_qs(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode())
            self.token_requests.append({k: v[0] for k, v in form.items()})
            status, body = self.token_status, self.token()
            if status == 400:
                body = {"error": "invalid_grant"}
            elif status >= 500:
                body = {"error": "server_error"}
        elif path == "/userinfo":
            status, body = 200, self.claims
        else:
            status, body = 404, {}
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def token(self) -> dict:
        now = int(time.time())
        claims = {k: v for k, v in self.claims.items() if k in self.id_token_claims}
        claims.update(iss=self.issuer, aud=CLIENT_ID, iat=now, exp=now + 300,
                      nonce="not-the-nonce" if self.wrong_nonce else self.nonce)
        key = self.other_key if self.wrong_key else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                "id_token": id_token}

    def settings(self, settings):
        settings.OPENCITY_EID_ENABLED = True
        settings.OPENCITY_EID_ADAPTER = "opencity.accounts.eid.OidcAdapter"
        settings.OPENCITY_EID_ISSUER = self.issuer
        settings.OPENCITY_EID_CLIENT_ID = CLIENT_ID
        settings.OPENCITY_EID_CLIENT_SECRET = CLIENT_SECRET
        settings.OPENCITY_EID_TIMEOUT = 5.0

    def authorized(self, authorization_url: str, **extra) -> str:
        """The platform's answer after the person signed in there: our callback's query."""
        query = parse_qs(authorization_url.split("?", 1)[1])
        self.nonce = query["nonce"][0]
        return urlencode({"code": "c0de", "state": query["state"][0], **extra})


# --- a transaction-style platform ---------------------------------------------------------------


class Platform:
    """The national platform's side: transactions the person confirms in their app."""

    transactions: dict[str, dict] = {}
    person = {"national_id": NATIONAL_ID, "level": 2, "subject": "txn-person-1", "name": "Nguyễn Văn An"}

    @classmethod
    def create(cls) -> str:
        txn = secrets.token_urlsafe(12)
        cls.transactions[txn] = {"confirmed": False}
        return txn

    @classmethod
    def confirm_in_app(cls, txn: str) -> None:
        cls.transactions[txn]["confirmed"] = True


class TransactionAdapter(EidAdapter):
    """``start`` opens a transaction and sends the person to a "confirm in your app" step (here,
    straight to our callback with the transaction id); ``finish`` asks the platform about it."""

    def start(self, request) -> str:
        txn = Platform.create()
        self.keep(request, txn=txn)
        return f"{reverse('accounts:eid_callback')}?{urlencode({'txn': txn})}"

    def finish(self, request) -> VerifiedIdentity:
        state = self.take(request)
        txn = request.GET.get("txn", "")
        if txn != state["txn"]:
            raise EidError("That transaction is not the one started here.")
        record = Platform.transactions.pop(txn, None)
        if not record or not record["confirmed"]:
            raise EidError("You did not confirm in the app.")
        person = Platform.person
        return VerifiedIdentity(national_id=person["national_id"], level=person["level"],
                                subject=person["subject"], full_name=person["name"],
                                claims=("level", "name", "national_id", "subject"))
