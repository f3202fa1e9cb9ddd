"""Scopes → claims of the identity provider, in one place: the validator issues from here, the
discovery document publishes from here (``claims_supported``, ``scopes_supported``) and the
consent screen describes from here, so the three cannot drift (docs/identity.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# Scope → the claims it releases. `openid` is the sign-in itself (the pairwise subject only).
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": ("name",),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
    "verification": ("verified", "acr", "verified_at"),
    "national_id": ("national_id",),
}
CLAIM_SCOPE = {claim: scope for scope, claims in SCOPE_CLAIMS.items() for claim in claims}
ALL_CLAIMS: tuple[str, ...] = tuple(CLAIM_SCOPE)
# Scopes that need the citizen's consent even for a city service.
ALWAYS_ASK = frozenset({"national_id"})

# What the citizen reads on the consent screen and the connected-services page.
SCOPE_LABELS = {
    "openid": _("That you are signed in with OpenCity (an identifier for this service only)"),
    "profile": _("Your full name"),
    "phone": _("Your phone number"),
    "address": _("Your home ward or commune"),
    "verification": _("Whether your identity is verified, at which level and when"),
    "national_id": _("Your national ID number (CCCD)"),
}
CLAIM_LABELS = {
    "sub": _("identifier for this service"),
    "name": _("full name"),
    "phone_number": _("phone number"),
    "phone_number_verified": _("phone number confirmed"),
    "address": _("home ward/commune"),
    "verified": _("identity verified"),
    "acr": _("assurance level"),
    "verified_at": _("verified on"),
    "national_id": _("national ID number"),
}


def scopes_claims(scopes) -> list[str]:
    """The claims ``scopes`` release, in a stable order."""
    wanted = set(scopes)
    return [claim for scope, claims in SCOPE_CLAIMS.items() if scope in wanted for claim in claims]


def claim_values(user, application, scopes) -> dict[str, Any]:
    """The claims of ``user`` for ``application`` under ``scopes``: only those scopes' claims are
    computed (the national ID number is decrypted only when its scope was granted)."""
    from .identity import client_sector, national_id_of, pairwise_sub

    scopes = set(scopes)
    values: dict[str, Any] = {"sub": pairwise_sub(user, client_sector(application))}
    if "profile" in scopes:
        values["name"] = user.full_name
    if "phone" in scopes:
        values["phone_number"] = user.phone
        values["phone_number_verified"] = True  # proved by an SMS code at sign-up
    if "address" in scopes:
        area = user.home_area
        address: dict[str, str] = {}
        if area is not None:
            region = area.parent.name if area.parent_id else ""
            address = {"formatted": ", ".join(p for p in (area.name, region) if p), "locality": area.name,
                       "region": region, "country": "VN", "ward_code": area.code}
        values["address"] = address
    if "verification" in scopes:
        level = user.verification_level
        values["verified"] = level >= 1
        # Assurance: "2" only through the national electronic ID; a phone-proven account is "1".
        values["acr"] = "2" if level >= 2 else "1"
        values["verified_at"] = int(user.verified_at.timestamp()) if user.verified_at else None
    if "national_id" in scopes:
        values["national_id"] = national_id_of(user) or None
    return values
