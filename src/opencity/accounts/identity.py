"""The keyed identifiers of a person: the pairwise subject each service sees, and the keyed hash
of the national ID number (docs/identity.md).

Both are HMAC-SHA256 under keys derived from ``OPENCITY_IDENTITY_SECRET`` (one label each), not
from ``SECRET_KEY``: rotating the session key must not change who a person is to the services,
nor lose the lookups of ID numbers. Changing ``OPENCITY_IDENTITY_SECRET`` does both: never do it
on a running city."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.errors import ConflictError, ValidationError
from opencity.lib.audit import audit
from opencity.lib.credentials import decrypt_secret, encrypt_secret

from .models import User, VerificationLevel, VerificationSource

_NATIONAL_ID = re.compile(r"^\d{12}$")  # the CCCD / personal identification number: 12 digits


def _key(label: bytes) -> bytes:
    return hmac.new(settings.OPENCITY_IDENTITY_SECRET.encode(), label, hashlib.sha256).digest()


def client_sector(application) -> str:
    """The sector a client's pairwise ``sub`` is computed for: its ``ServiceClient.sector`` or
    else the host of its first redirect URI (services of one host see one subject)."""
    service = getattr(application, "service", None)
    if service is not None and service.sector:
        return service.sector.strip().lower()
    uris = (application.redirect_uris or "").split()
    return (urlsplit(uris[0]).hostname or "") if uris else application.client_id


def pairwise_sub(user: User, sector: str) -> str:
    """The subject one sector sees for ``user``: an HMAC of the internal id and the sector, so two
    sectors cannot join their records by it, and it says nothing of the phone or ID number."""
    digest = hmac.new(_key(b"opencity.oidc.pairwise-sub.v1"), f"{sector}\x00{user.pk}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def national_id_normalize(raw: str) -> str:
    number = re.sub(r"\s+", "", raw or "")
    if not _NATIONAL_ID.match(number):
        raise ValidationError(_("A national ID number has 12 digits."), field="national_id")
    return number


def national_id_hash(raw: str) -> str:
    """The keyed hash an account is found by (the next step's eID connector links by it)."""
    return hmac.new(_key(b"opencity.national-id.v1"), national_id_normalize(raw).encode(),
                    hashlib.sha256).hexdigest()


def national_id_of(user: User) -> str:
    return decrypt_secret(user.national_id_encrypted) if user.national_id_encrypted else ""


class NationalIdTakenError(ConflictError):
    code = "national_id_taken"
    default_message = _("This national ID is already linked to another OpenCity account.")


def user_set_national_id(*, user: User, number: str, actor=None) -> None:
    """Keep the person's national ID number encrypted, with its keyed hash. Audited (without the
    number). One number, one account: ``NationalIdTakenError`` when another account holds it —
    found before writing, or, when both write at the same moment, by the database's unique
    constraint on the hash (``accounts_user_national_id_once``)."""
    normalized = national_id_normalize(number)
    digest = national_id_hash(normalized)
    if User.objects.filter(national_id_hash=digest).exclude(pk=user.pk).exists():
        raise NationalIdTakenError()
    try:
        with transaction.atomic():
            user.national_id_encrypted = encrypt_secret(normalized)
            user.national_id_hash = digest
            # the constraint is the database's to decide (the check above may be stale)
            user.full_clean(exclude=["password"], validate_constraints=False)
            user.save(update_fields=["national_id_encrypted", "national_id_hash"])
            audit(actor, "national_id_set", user)
    except IntegrityError:
        user.national_id_encrypted = user.national_id_hash = ""
        raise NationalIdTakenError() from None


def user_set_verification(*, user: User, level: int, source: str, actor=None) -> None:
    """Record the identity assurance a person reached (``VerificationLevel``) and how."""
    if level not in VerificationLevel.values:
        raise ValidationError(_("Unknown verification level."), field="level")
    if level and source not in VerificationSource.values:
        raise ValidationError(_("Say how the identity was verified."), field="source")
    with transaction.atomic():
        user.verification_level = level
        user.verification_source = source if level else ""
        user.verified_at = timezone.now() if level else None
        user.full_clean(exclude=["password"])
        user.save(update_fields=["verification_level", "verification_source", "verified_at"])
        audit(actor, "identity_verification_set", user, data={"level": level, "source": source})
