"""The connector to the national identity platform (VNeID): who a person is, proved by the state
(docs/identity.md, "National eID connector").

A flow has two steps, whatever the platform:

1. ``adapter.start(request)`` keeps what it needs in the session and returns the URL the
   browser goes to (the platform's sign-in page, or a page of ours saying "confirm in your app");
2. ``adapter.finish(request)``, on the request that comes back to ``accounts:eid_callback``,
   checks it against what ``start`` kept and returns a :class:`VerifiedIdentity` — or raises
   :class:`EidError`, whose message the citizen reads.

The default adapter, :class:`OidcAdapter`, is an OpenID Connect relying party (Authlib's
client): discovery from the issuer, the code flow with PKCE S256, ``state`` and ``nonce``
checked, the ID token verified with the issuer's published keys, the claims completed from
userinfo. A platform that works by transactions (start one, the person confirms in their app,
finish by its id) is another subclass of :class:`EidAdapter`, named by ``OPENCITY_EID_ADAPTER``.

What the identity is used for (linking to an account, signing in) is ``accounts.eid_services``;
the adapters never touch the database.
"""

from __future__ import annotations

import logging
import secrets
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from opencity.errors import DomainError

logger = logging.getLogger(__name__)

# How long a started flow may wait for the person to come back (the platform's own page, an app).
FLOW_MAX_SECONDS = 600


class EidError(DomainError):
    """The platform did not give a usable identity: refused, cancelled, unreachable, or an answer
    that does not check out. The message is for the citizen; the reason is logged."""

    code = "eid_failed"
    http_status = 400
    default_message = _("The national eID check did not succeed. Please try again.")


class EidUnavailableError(EidError):
    code = "eid_unavailable"
    http_status = 503
    default_message = _("The national eID service cannot be reached now. Please try again later.")


@dataclass(frozen=True)
class VerifiedIdentity:
    """What the platform vouched for. ``national_id`` is the 12-digit number (never logged),
    ``level`` the assurance reached (1 or 2, ``VerificationLevel``), ``subject`` the platform's
    own identifier of the person, ``claims`` the names of the claims received (not their values)."""

    national_id: str
    level: int
    subject: str
    full_name: str = ""
    claims: tuple[str, ...] = field(default_factory=tuple)


def enabled() -> bool:
    return bool(settings.OPENCITY_EID_ENABLED)


def provider_name() -> str:
    return settings.OPENCITY_EID_NAME or "VNeID"


def callback_uri(request: HttpRequest) -> str:
    """Where the platform sends the person back (register this exact URI with it)."""
    return request.build_absolute_uri(reverse("accounts:eid_callback"))


def origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def level_from(value: Any) -> int:
    """The assurance level of a claim value: ``2``/``"2"`` or a URI ending in it (``…/loa/2``).
    Anything else is refused: a level we cannot read is not a level."""
    text = str(value if value is not None else "").strip().rstrip("/")
    digit = text.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if digit in ("1", "2"):
        return int(digit)
    raise EidError(_("The national eID service did not say at which level your identity is verified."))


class EidAdapter(ABC):
    """A way to the national identity platform. Subclasses keep their state in
    ``request.session`` under ``SESSION_KEY`` (one flow at a time per browser) and must make
    ``finish`` fail for a request that ``start`` did not begin (another browser, a replay)."""

    SESSION_KEY = "eid_flow"

    @abstractmethod
    def start(self, request: HttpRequest) -> str:
        """Begin a check; return the URL to send the browser to."""

    @abstractmethod
    def finish(self, request: HttpRequest) -> VerifiedIdentity:
        """Complete the check begun by ``start`` in this session; raise ``EidError`` if it fails."""

    def form_origins(self) -> list[str]:
        """The origins ``start`` may send the browser to (``https://id.example.vn``): the pages
        with an eID button let their form lead there (Content-Security-Policy ``form-action``).
        Known without a network call; none when ``start`` leads to a page of ours."""
        return []

    # Helpers for subclasses: the state is single-use and expires.
    def keep(self, request: HttpRequest, **state: Any) -> None:
        request.session[self.SESSION_KEY] = {**state, "started": time.time()}

    def take(self, request: HttpRequest) -> dict[str, Any]:
        state = request.session.pop(self.SESSION_KEY, None)
        if not isinstance(state, dict) or time.time() - float(state.get("started", 0)) > FLOW_MAX_SECONDS:
            raise EidError(_("This eID check has expired or was started elsewhere. Please start again."))
        return state


def get_adapter() -> EidAdapter:
    """The configured adapter; 404 when the connector is off (its pages do not exist)."""
    if not enabled():
        raise Http404("eID connector disabled")
    try:
        cls = import_string(settings.OPENCITY_EID_ADAPTER)
    except ImportError as exc:
        raise ImproperlyConfigured(f"OPENCITY_EID_ADAPTER: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, EidAdapter)):
        raise ImproperlyConfigured("OPENCITY_EID_ADAPTER must name an EidAdapter subclass")
    return cls()


# --- the default adapter: an OpenID Connect relying party -------------------------------------

_discovery_cache: dict[str, tuple[float, dict]] = {}
_DISCOVERY_SECONDS = 3600
# ID tokens signed with a public key only: never "none", never a secret shared with us (HS*).
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class OidcAdapter(EidAdapter):
    """The national platform as an OpenID Connect provider (``OPENCITY_EID_ISSUER``)."""

    def __init__(self):
        self.issuer = settings.OPENCITY_EID_ISSUER.rstrip("/")
        self.client_id = settings.OPENCITY_EID_CLIENT_ID
        self.client_secret = settings.OPENCITY_EID_CLIENT_SECRET
        self.scope = settings.OPENCITY_EID_SCOPES
        self.timeout = settings.OPENCITY_EID_TIMEOUT

    def form_origins(self) -> list[str]:
        origins = [origin(self.issuer)]
        cached = _discovery_cache.get(self.issuer)
        if cached:  # the sign-in page may live on another host of the platform
            origins.append(origin(cached[1]["authorization_endpoint"]))
        return sorted({o for o in origins if o})

    # Every HTTP call goes through here: a timeout, and a failure the citizen can read.
    def _get_json(self, url: str, **kwargs) -> dict:
        import requests

        try:
            response = requests.get(url, timeout=self.timeout, **kwargs)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            logger.warning("eID provider call failed: %s: %s", url, exc)
            raise EidUnavailableError() from exc
        if not isinstance(data, dict):
            raise EidUnavailableError()
        return data

    def metadata(self) -> dict:
        cached = _discovery_cache.get(self.issuer)
        if cached and time.monotonic() - cached[0] < _DISCOVERY_SECONDS:
            return cached[1]
        meta = self._get_json(f"{self.issuer}/.well-known/openid-configuration")
        if meta.get("issuer", "").rstrip("/") != self.issuer:
            logger.warning("eID discovery names issuer %r, configured %r", meta.get("issuer"), self.issuer)
            raise EidUnavailableError()
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not meta.get(key):
                raise EidUnavailableError()
        _discovery_cache[self.issuer] = (time.monotonic(), meta)
        return meta

    def session(self, redirect_uri: str, **kwargs):
        from authlib.integrations.requests_client import OAuth2Session

        return OAuth2Session(self.client_id, self.client_secret, scope=self.scope, redirect_uri=redirect_uri,
                             code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
                             default_timeout=self.timeout, **kwargs)

    def start(self, request: HttpRequest) -> str:
        from authlib.common.security import generate_token

        meta = self.metadata()
        redirect_uri = callback_uri(request)
        verifier, nonce = generate_token(64), secrets.token_urlsafe(24)
        url, state = self.session(redirect_uri).create_authorization_url(
            meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce, state=secrets.token_urlsafe(24))
        self.keep(request, state=state, nonce=nonce, verifier=verifier, redirect_uri=redirect_uri)
        return url

    def finish(self, request: HttpRequest) -> VerifiedIdentity:
        flow = self.take(request)
        query = request.GET
        if query.get("error"):
            logger.info("eID provider answered %s: %s", query.get("error"), query.get("error_description", ""))
            if query["error"] == "access_denied":
                raise EidError(_("The national eID check was cancelled."))
            raise EidError()
        if not query.get("state") or not secrets.compare_digest(str(query["state"]), str(flow.get("state", ""))):
            raise EidError(_("This eID check has expired or was started elsewhere. Please start again."))
        if not query.get("code"):
            logger.warning("eID callback without a code")
            raise EidError()
        iss = query.get("iss")
        if iss and iss.rstrip("/") != self.issuer:  # RFC 9207: the answer comes from our issuer
            logger.warning("eID callback from issuer %r, expected %r", iss, self.issuer)
            raise EidError()
        meta = self.metadata()
        token = self._token(meta, query["code"], flow)
        claims = self._id_token_claims(meta, token.get("id_token"), flow["nonce"])
        national_claim = settings.OPENCITY_EID_NATIONAL_ID_CLAIM
        level_claim = settings.OPENCITY_EID_LEVEL_CLAIM
        if (not claims.get(national_claim) or not claims.get(level_claim)) and meta.get("userinfo_endpoint"):
            info = self._get_json(meta["userinfo_endpoint"],
                                  headers={"Authorization": f"Bearer {token.get('access_token', '')}"})
            if info.get("sub") != claims["sub"]:  # OIDC Core 5.3.2: userinfo is about the same person
                logger.warning("eID userinfo names another subject than the ID token")
                raise EidError()
            claims = {**info, **claims}
        number = str(claims.get(national_claim) or "").strip()
        if not number:
            raise EidError(_("The national eID service did not give your ID number. Allow it to be shared "
                             "and try again."))
        return VerifiedIdentity(national_id=number, level=level_from(claims.get(level_claim)),
                                subject=str(claims["sub"]), full_name=str(claims.get("name") or ""),
                                claims=tuple(sorted(claims)))

    def _token(self, meta: dict, code: str, flow: dict) -> dict:
        import requests
        from authlib.integrations.base_client.errors import OAuthError

        try:
            token = self.session(flow["redirect_uri"]).fetch_token(
                meta["token_endpoint"], grant_type="authorization_code", code=code,
                code_verifier=flow["verifier"])
        except OAuthError as exc:
            logger.warning("eID token request refused: %s", exc)
            raise EidError() from exc
        except (requests.RequestException, ValueError) as exc:
            logger.warning("eID token request failed: %s", exc)
            raise EidUnavailableError() from exc
        if not token.get("id_token"):
            logger.warning("eID token response without an ID token")
            raise EidError()
        return dict(token)

    def _id_token_claims(self, meta: dict, id_token: str, nonce: str) -> dict:
        """The ID token's claims, once its signature (a key of the issuer's JWKS), issuer,
        audience, expiry and nonce check out."""
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        keys = self._get_json(meta["jwks_uri"])
        try:
            offered = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
            token = jwt.decode(id_token, KeySet.import_key_set(keys),
                               algorithms=[a for a in offered if a in SIGNING_ALGORITHMS])
            jwt.JWTClaimsRegistry(
                leeway=60, iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                nonce={"essential": True, "value": nonce}, exp={"essential": True}, sub={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError, TypeError) as exc:
            logger.warning("eID ID token refused: %s", exc)
            raise EidError() from exc
        return dict(token.claims)
