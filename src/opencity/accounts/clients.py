"""Registering a service with the city's identity provider (docs/identity.md): an OAuth client
(``oauth2_provider``'s Application, code flow, RS256 ID tokens, a confidential secret) and what
OpenCity knows of it beyond that (``ServiceClient``: city service or partner, sector, scopes it
may ask for, purpose). The admin does the same through its inline form; the demo and scripts
call this."""

from __future__ import annotations

import secrets

from django.db import transaction
from oauth2_provider.models import Application

from opencity.lib.audit import audit

from .models import ServiceClient


def service_client_register(*, name: str, redirect_uris: list[str], purpose: str, client_id: str | None = None,
                            first_party: bool = False, scopes: str = "openid profile", operator: str = "",
                            sector: str = "", actor=None) -> tuple[Application, str]:
    """Register a relying party; returns it and its client secret, shown this once (the library
    keeps only its hash). Redirect URIs are matched exactly; https only outside DEBUG (the
    library's ``ALLOWED_REDIRECT_URI_SCHEMES``)."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        app = Application(
            name=name, redirect_uris=" ".join(redirect_uris), post_logout_redirect_uris=" ".join(redirect_uris),
            client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            client_secret=secret, algorithm=Application.RS256_ALGORITHM, skip_authorization=False,
        )
        if client_id:
            app.client_id = client_id
        app.full_clean()
        app.save()
        service = ServiceClient(application=app, first_party=first_party, sector=sector, allowed_scopes=scopes,
                                purpose=purpose, operator=operator)
        service.full_clean()
        service.save()
        audit(actor, "oidc_client_register", app, summary=name, data={"client_id": app.client_id,
                                                                      "first_party": first_party})
    return app, secret
