"""The consent ledger of the identity provider (docs/identity.md): what each citizen allowed
each service to receive, for which purpose, and what each service did receive.

- :func:`consent_grant` records a consent (the consent screen, or another channel);
- :func:`consent_silent_scopes` says whether a sign-in goes through without a screen (a city
  service, or a consent in force that decided on every scope asked) and with which scopes: the
  authorization endpoint asks when it cannot (accounts/oidc.py);
- :func:`consent_withdraw` ends one and revokes the service's tokens; :func:`identity_forget`
  ends them all for an account being deleted;
- :func:`release_record` writes what a token or a userinfo answer carried (claim names only);
- :func:`consent_list` and :func:`consent_export` are the citizen's view of it all (the
  connected-services page, and the privacy centre's export).

A consent counts only for the purpose version it was given to: when a service's purpose
changes (``ServiceClient.purpose_version`` raised), the next sign-in asks again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from opencity.errors import NotFoundError, ValidationError
from opencity.lib.audit import audit

from .models import ClaimRelease, Consent, ConsentChannel, ServiceClient, User
from .oidc_claims import ALWAYS_ASK, SCOPE_CLAIMS, scopes_claims


def service_of(application) -> ServiceClient | None:
    try:
        return application.service
    except ServiceClient.DoesNotExist:
        return None


def _purpose(application) -> tuple[str, int]:
    service = service_of(application)
    return (service.purpose, service.purpose_version) if service else ("", 1)


def consent_silent_scopes(*, user: User, application, scopes) -> list[str] | None:
    """The scopes a sign-in may be granted without a screen, or None when the citizen must be
    asked: a city service gets what it asks for (except the scopes in ``ALWAYS_ASK``); any other
    needs a consent in force, for the service's current purpose version, that decided on every
    scope asked (granted or declined), and gets the granted ones."""
    service = service_of(application)
    if service is not None and service.first_party and not (set(scopes) & ALWAYS_ASK):
        return list(scopes)
    consent = consent_for(user=user, application=application, scopes=scopes)
    if consent is None:
        return None
    granted = set(consent.scopes.split())
    return [scope for scope in scopes if scope in granted]


def consent_for(*, user: User, application, scopes) -> Consent | None:
    """The newest consent in force of ``user`` to ``application`` that decided on every scope
    asked (granted it or declined it)."""
    _text, version = _purpose(application)
    wanted = set(scopes)
    for consent in Consent.objects.filter(user=user, application=application, withdrawn_at__isnull=True,
                                          purpose_version=version):
        if wanted <= set(consent.scopes.split()) | set(consent.scopes_declined.split()):
            return consent
    return None


def consent_grant(*, user: User, application, scopes, declined=(), channel: str = ConsentChannel.WEB) -> Consent:
    """Record that ``user`` allowed ``application`` the ``scopes`` (and refused ``declined``) for
    its current purpose. An earlier consent in force to the same service is closed
    (``withdrawn_at``): one in force per service, the newest."""
    scopes = [s for s in SCOPE_CLAIMS if s in set(scopes)]
    declined = [s for s in SCOPE_CLAIMS if s in set(declined) and s not in scopes]
    if "openid" not in scopes:
        raise ValidationError(_("A consent covers the openid scope."), field="scopes")
    purpose, version = _purpose(application)
    now = timezone.now()
    consent = Consent(user=user, application=application, scopes=" ".join(scopes),
                      scopes_declined=" ".join(declined), claims=scopes_claims(scopes), purpose=purpose or application.name,
                      purpose_version=version, channel=channel, granted_at=now)
    consent.full_clean()
    with transaction.atomic():
        Consent.objects.filter(user=user, application=application, withdrawn_at__isnull=True).update(withdrawn_at=now)
        consent.save()
        audit(user, "consent_grant", consent, summary=f"{application.name}: {consent.scopes}",
              data={"application": application.client_id, "scopes": scopes, "declined": declined, "channel": channel})
    return consent


def _revoke_tokens(user: User, application) -> int:
    """Stop every token of ``user`` at ``application``: refresh tokens revoked (their access
    tokens deleted with them), then what remains deleted."""
    count = 0
    for refresh in RefreshToken.objects.filter(user=user, application=application, revoked__isnull=True):
        refresh.revoke()
        count += 1
    count += AccessToken.objects.filter(user=user, application=application).delete()[0]
    IDToken.objects.filter(user=user, application=application).delete()
    Grant.objects.filter(user=user, application=application).delete()
    return count


def consent_withdraw(*, user: User, consent_id: int) -> Consent:
    """Withdraw one of ``user``'s consents: it stops counting, the service's tokens stop at once,
    and its next sign-in asks for consent again. A consent already withdrawn stays as it was."""
    with transaction.atomic():
        consent = (Consent.objects.select_for_update().select_related("application")
                   .filter(pk=consent_id, user=user).first())
        if consent is None:
            raise NotFoundError()
        if consent.withdrawn_at is None:
            consent.withdrawn_at = timezone.now()
            consent.save(update_fields=["withdrawn_at"])
            revoked = _revoke_tokens(user, consent.application)
            audit(user, "consent_withdraw", consent, summary=consent.application.name,
                  data={"application": consent.application.client_id, "tokens_revoked": revoked})
    return consent


def identity_forget(*, user: User) -> dict[str, int]:
    """For an account being deleted (the privacy centre): every consent in force withdrawn and
    every token, code and ID token of every service ended. The ledger's rows stay: they are the
    city's record that each release was consented to (Law 91/2025), and they name no one once
    the account is emptied."""
    with transaction.atomic():
        now = timezone.now()
        withdrawn = Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=now)
        for refresh in RefreshToken.objects.filter(user=user, revoked__isnull=True):
            refresh.revoke()
        tokens = AccessToken.objects.filter(user=user).delete()[0]
        RefreshToken.objects.filter(user=user).delete()
        IDToken.objects.filter(user=user).delete()
        Grant.objects.filter(user=user).delete()
    return {"consents_withdrawn": withdrawn, "service_tokens_deleted": tokens}


def release_record(*, user: User, application, claims, via: str) -> ClaimRelease:
    """Write what ``application`` received (claim names, not values). The national ID number is
    also written to the audit log, each time."""
    consent = consent_for(user=user, application=application, scopes=[]) if user else None
    release = ClaimRelease.objects.create(user=user, application=application, consent=consent,
                                          via=via, claims=sorted(claims))
    if "national_id" in claims:
        audit(user, "national_id_release", release, summary=application.name,
              data={"application": application.client_id, "via": via,
                    "consent": consent.pk if consent else None})
    return release


@dataclass
class ConnectedService:
    application: Any
    first_party: bool
    purpose: str
    consent: Consent | None  # in force
    last_release: ClaimRelease | None
    received: list[str] = field(default_factory=list)  # every claim it ever received
    releases: int = 0


def consent_list(user: User) -> list[ConnectedService]:
    """The services ``user`` signed in to or consented to, newest first: for each, the consent in
    force, what it received and when last."""
    by_app: dict[int, ConnectedService] = {}
    consents = Consent.objects.filter(user=user).select_related("application", "application__service")
    releases = ClaimRelease.objects.filter(user=user).select_related("application", "application__service")
    for item in [*consents, *releases]:
        app = item.application
        if app.pk not in by_app:
            service = service_of(app)
            by_app[app.pk] = ConnectedService(application=app, first_party=bool(service and service.first_party),
                                              purpose=service.purpose if service else "", consent=None,
                                              last_release=None)
    for consent in consents:  # newest first
        entry = by_app[consent.application_id]
        if consent.withdrawn_at is None and entry.consent is None:
            entry.consent = consent
    for release in releases:  # newest first
        entry = by_app[release.application_id]
        entry.last_release = entry.last_release or release
        entry.releases += 1
        entry.received = sorted(set(entry.received) | set(release.claims))

    def newest(entry: ConnectedService):
        times = [t for t in (entry.consent and entry.consent.granted_at,
                             entry.last_release and entry.last_release.released_at) if t]
        return max(times) if times else timezone.now()

    return sorted(by_app.values(), key=newest, reverse=True)


def consent_export(user: User) -> dict[str, Any]:
    """A JSON-serialisable copy of ``user``'s consents and of what each service received (the
    privacy centre's export)."""
    def when(value):
        return value.isoformat() if value else None

    return {
        "consents": [
            {"id": c.pk, "service": c.application.name, "client_id": c.application.client_id,
             "scopes": c.scopes.split(), "declined": c.scopes_declined.split(), "claims": list(c.claims), "purpose": c.purpose,
             "purpose_version": c.purpose_version, "channel": c.channel, "granted_at": when(c.granted_at),
             "withdrawn_at": when(c.withdrawn_at)}
            for c in Consent.objects.filter(user=user).select_related("application").order_by("granted_at", "pk")
        ],
        "releases": [
            {"service": r.application.name, "client_id": r.application.client_id, "via": r.via,
             "claims": list(r.claims), "released_at": when(r.released_at), "consent": r.consent_id}
            for r in ClaimRelease.objects.filter(user=user).select_related("application")
            .order_by("released_at", "pk")
        ],
    }
