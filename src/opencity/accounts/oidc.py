"""The OpenID Connect provider (django-oauth-toolkit, docs/identity.md): our validator (pairwise
subjects, the claims of accounts/oidc_claims.py, the record of what each service received), the
scopes each client may ask for, the consent screen backed by the consent ledger
(accounts/consent.py), and the discovery document that says exactly what is issued.

What the library already does and we only configure (settings.OAUTH2_PROVIDER): the code flow
with PKCE required (S256 only), exact redirect URIs, refresh-token rotation with reuse
detection, RS256 ID tokens with ``kid``, a JWKS with the previous keys, RP-initiated logout."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit

from django.urls import reverse
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.views import AuthorizationView, ConnectDiscoveryInfoView, RPInitiatedLogoutView

from opencity.lib.csp import ContentSecurityPolicyMiddleware

from . import consent as ledger
from .models import ConsentChannel
from .oidc_claims import (
    ALL_CLAIMS,
    CLAIM_LABELS,
    CLAIM_SCOPE,
    SCOPE_CLAIMS,
    SCOPE_LABELS,
    claim_values,
)

# The scopes of a client without a ServiceClient row (registered in the admin, not yet described).
DEFAULT_CLIENT_SCOPES = ("openid", "profile")
# Claims about the token itself, which every ID token carries besides the person's.
TOKEN_CLAIMS = ("iss", "aud", "exp", "iat", "auth_time", "nonce", "jti", "at_hash", "c_hash", "azp")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def relying_party_origin(next_url: str) -> str:
    """The origin a sign-in will end at when ``next_url`` is our authorization endpoint with a
    registered redirect URI (else ""): the login and code pages let their form lead there."""
    parts = urlsplit(next_url or "")
    if parts.path != reverse("oauth2_provider:authorize"):
        return ""
    query = parse_qs(parts.query)
    client_id, redirect_uri = query.get("client_id", [""])[0], query.get("redirect_uri", [""])[0]
    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None or not application.redirect_uri_allowed(redirect_uri):
        return ""
    return _origin(redirect_uri)


def allow_form_redirect(response, origin: str):
    """Our Content-Security-Policy lets forms lead only to this site (``form-action 'self'``),
    and browsers hold the redirects after a form to it: a sign-in form whose answer ends at a
    service (the consent screen, the login page on the way) names that one origin too."""
    if origin:
        policy = ContentSecurityPolicyMiddleware(lambda request: None).policy
        response["Content-Security-Policy"] = policy.replace("form-action 'self'", f"form-action 'self' {origin}")
    return response


def client_scopes(application) -> list[str]:
    service = ledger.service_of(application) if application is not None else None
    allowed = service.allowed_scopes.split() if service else DEFAULT_CLIENT_SCOPES
    return [scope for scope in SCOPE_CLAIMS if scope in allowed]


class ClientScopes(SettingsScopes):
    """A client may ask only for the scopes its ``ServiceClient.allowed_scopes`` lists (the
    national ID number only for the services allowed it); discovery lists them all."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return list(SCOPE_CLAIMS)
        return client_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return ["openid"]


class OpenCityValidator(OAuth2Validator):
    """Claims from accounts/oidc_claims.py, by granted scope; every ID token and userinfo answer
    recorded in the ledger (``ClaimRelease``)."""

    oidc_claim_scope = dict(CLAIM_SCOPE)

    def get_discovery_claims(self, request):
        return list(ALL_CLAIMS)

    def get_oidc_claims(self, token, token_handler, request):
        return claim_values(request.user, request.client, request.scopes)

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        ledger.release_record(user=request.user, application=request.client,
                              claims=[c for c in claims if c in CLAIM_SCOPE], via="id_token")
        return claims, expiration

    # prompt=none: the authorization view requires a session and checks the consent ledger itself
    # (answering login_required / consent_required), so the library's silent checks pass.
    def validate_silent_login(self, request):
        return True

    def validate_silent_authorization(self, request):
        return True

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        ledger.release_record(user=request.user, application=request.client, claims=list(claims), via="userinfo")
        return claims


class DiscoveryView(ConnectDiscoveryInfoView):
    """The library's discovery document, said exactly: ID tokens are signed with RS256 only (every
    client is registered with it), and the assurance levels `acr` may take."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data["id_token_signing_alg_values_supported"] = ["RS256"]
        data["acr_values_supported"] = ["1", "2"]
        data["grant_types_supported"] = ["authorization_code", "refresh_token"]
        data["claims_parameter_supported"] = False
        data["ui_locales_supported"] = ["vi", "en"]
        response.content = json.dumps(data).encode()
        response["Content-Length"] = str(len(response.content))
        return response


class ConsentAuthorizationView(AuthorizationView):
    """The authorization endpoint with the consent ledger: a city service, or a service the
    citizen already decided on (these scopes, this purpose version), signs in without a screen,
    with the scopes granted; any other gets our consent screen, where the citizen may leave out
    optional scopes.
    ``prompt=none`` where consent is missing answers ``consent_required``."""

    template_name = "accounts/oidc_consent.html"

    def dispatch(self, request, *args, **kwargs):
        if (not request.user.is_authenticated and request.method == "GET"
                and "none" in request.GET.get("prompt", "").split()):
            self.oauth2_data = {}
            try:
                _scopes, credentials = self.validate_authorization_request(request)
            except OAuthToolkitError as error:
                return self.error_response(error, application=None)
            application = get_application_model().objects.get(client_id=credentials["client_id"])
            return self._error_redirect(credentials, application, "login_required")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        prompt = set(request.GET.get("prompt", "").split())
        if prompt & {"login", "create"}:
            return super().get(request, *args, **kwargs)
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError:
            return super().get(request, *args, **kwargs)  # its error page or error redirect
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        if "openid" not in scopes:  # an OpenID Connect provider: every sign-in is one
            return self._error_redirect(credentials, application, "invalid_scope", "the openid scope is required")
        if credentials.get("code_challenge_method") != "S256":
            # PKCE is required (the library refuses a request without it); S256 only, refused here
            # before any screen rather than when the code is made.
            return self._error_redirect(credentials, application, "invalid_request",
                                        "code_challenge_method must be S256")
        granted = ledger.consent_silent_scopes(user=request.user, application=application, scopes=scopes)
        if granted is None:
            if "none" in prompt:
                return self._error_redirect(credentials, application, "consent_required")
            return super().get(request, *args, **kwargs)
        if "ui_locales" in credentials and isinstance(credentials["ui_locales"], list):
            credentials["ui_locales"] = " ".join(credentials["ui_locales"])
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(granted), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def _error_redirect(self, credentials, application, error: str, description: str = ""):
        query = {"error": error}
        if description:
            query["error_description"] = description
        if credentials.get("state"):
            query["state"] = credentials["state"]
        separator = "&" if "?" in credentials["redirect_uri"] else "?"
        return self.redirect(f"{credentials['redirect_uri']}{separator}{urlencode(query)}", application)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        return allow_form_redirect(response, _origin(self.oauth2_data.get("redirect_uri") or ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if application is not None:
            service = ledger.service_of(application)
            context["service"] = service
            context["scope_rows"] = [
                {"scope": scope, "label": SCOPE_LABELS[scope], "required": scope == "openid",
                 "claims": [CLAIM_LABELS[c] for c in SCOPE_CLAIMS[scope]]}
                for scope in SCOPE_CLAIMS if scope in context.get("scopes", [])
            ]
        return context

    def form_valid(self, form):
        asked = form.cleaned_data.get("scope", "").split()
        chosen = set(self.request.POST.getlist("grant")) | {"openid"}
        granted = [scope for scope in asked if scope in chosen]
        form.cleaned_data["scope"] = " ".join(granted)
        if form.cleaned_data.get("allow"):
            application = get_application_model().objects.filter(client_id=form.cleaned_data["client_id"]).first()
            if application is not None and set(granted) <= set(client_scopes(application)):
                ledger.consent_grant(user=self.request.user, application=application, scopes=granted,
                                     declined=[s for s in asked if s not in granted], channel=ConsentChannel.WEB)
        return super().form_valid(form)


class LogoutView(RPInitiatedLogoutView):
    """RP-initiated logout (``end_session_endpoint``) on our page: the citizen confirms, then goes
    back to the service's registered ``post_logout_redirect_uri``."""

    template_name = "accounts/oidc_logout.html"

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        form = context.get("form")
        target = (form.initial.get("post_logout_redirect_uri") if form is not None else "") or ""
        application = context.get("application")
        allowed = application is not None and target in (application.post_logout_redirect_uris or "").split()
        return allow_form_redirect(response, _origin(target) if allowed else "")
