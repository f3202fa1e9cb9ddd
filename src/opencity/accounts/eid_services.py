"""What a verified national identity does to accounts (docs/identity.md, "National eID connector").

- ``eid_link``: a signed-in person proves who they are; their account keeps the ID number
  (encrypted, with its keyed hash) and the level reached, never lowered by a weaker later check.
  One ID number, one account: a number already linked to another account is refused.
- ``eid_account_for``: signing in with the eID finds the account linked to the number; none is
  created (the person signs up with their phone and verifies from their profile).

Every link, refusal and sign-in is audited, with the level and the claim names, never the number.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from opencity.errors import ConflictError, DomainError
from opencity.lib.audit import audit

from .eid import EidError, VerifiedIdentity
from .identity import (
    NationalIdTakenError,
    national_id_hash,
    user_set_national_id,
    user_set_verification,
)
from .models import User, VerificationSource


class EidConflictError(ConflictError):
    code = "eid_conflict"


def _hash_of(identity: VerifiedIdentity) -> str:
    try:
        return national_id_hash(identity.national_id)
    except DomainError as exc:  # the platform sent something that is not a 12-digit number
        raise EidError(_("The national eID service sent an ID number we cannot read.")) from exc


def _facts(identity: VerifiedIdentity, adapter: str) -> dict:
    return {"level": identity.level, "adapter": adapter, "claims": list(identity.claims)}


def eid_link(*, user: User, identity: VerifiedIdentity, adapter: str = "", ip: str | None = None) -> bool:
    """Link ``identity`` to ``user``; return whether the verification level went up.

    Refused (``EidConflictError``, audited ``eid_link_refused``) when the number belongs to another
    account, or when this account is already linked to another number. The row of ``user`` is
    locked while it is checked and written, so two checks of one account do not interleave."""
    digest = _hash_of(identity)
    facts = _facts(identity, adapter)
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            other = User.objects.filter(national_id_hash=digest).exclude(pk=user.pk).exists()
            mismatch = bool(locked.national_id_hash) and locked.national_id_hash != digest
            if not (other or mismatch):
                if not locked.national_id_hash:
                    user_set_national_id(user=locked, number=identity.national_id, actor=user)
                raised = identity.level > locked.verification_level
                if identity.level >= locked.verification_level:  # a weaker check never lowers the level
                    user_set_verification(user=locked, level=identity.level, source=VerificationSource.VNEID,
                                          actor=user)
                audit(user, "eid_link", locked, data={**facts, "raised": raised}, ip=ip)
    except NationalIdTakenError:
        # another account took the number between this check and the write (user_set_national_id
        # and the unique constraint on the hash): nothing of this one was kept
        other, mismatch = True, False
    if other or mismatch:
        reason = "other_account" if other else "other_number"
        audit(user, "eid_link_refused", user, data={**facts, "reason": reason}, ip=ip)
        if other:
            raise EidConflictError(_("This national ID is already linked to another OpenCity account. "
                                     "Sign in to that account, or ask the ward office for help."))
        raise EidConflictError(_("Your account is already linked to a different national ID."))
    user.refresh_from_db()
    return raised


def eid_account_for(*, identity: VerifiedIdentity, adapter: str = "", ip: str | None = None) -> User | None:
    """The active account linked to ``identity``'s number, or None (audited either way). The
    caller signs it in through the same second-factor step as a password sign-in."""
    digest = _hash_of(identity)
    user = User.objects.filter(national_id_hash=digest, is_active=True).first()
    facts = _facts(identity, adapter)
    if user is None:
        audit(None, "eid_login_no_account", "eid", data=facts, ip=ip)
        return None
    audit(user, "eid_login", user, data=facts, ip=ip)
    return user
