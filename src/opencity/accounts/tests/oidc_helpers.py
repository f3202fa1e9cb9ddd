"""Relying parties for the identity provider's tests: a registered client and the PKCE pair."""

from __future__ import annotations

import base64
import hashlib
import secrets

from oauth2_provider.models import Application

from opencity.accounts.models import ServiceClient

SECRET = "s3cret-of-the-relying-party-0123456789"


def make_client(name: str, redirect_uri: str, *, first_party: bool = False, sector: str = "",
                scopes: str = "openid profile phone address verification", public: bool = False) -> Application:
    app = Application.objects.create(
        name=name, redirect_uris=redirect_uri, post_logout_redirect_uris=redirect_uri,
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, client_secret=SECRET,
        algorithm=Application.RS256_ALGORITHM, skip_authorization=False,
    )
    ServiceClient.objects.create(application=app, first_party=first_party, sector=sector, allowed_scopes=scopes,
                                 purpose=f"{name}: to know who you are.", operator="" if first_party else "Test Co.")
    return app


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge
