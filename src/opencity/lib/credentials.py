"""One way to issue, check, rotate, expire and revoke credentials (docs/credentials.md).

Every credential kind — the mobile app's API tokens (``accounts.ApiToken``), Open311 keys
(``open311.ApiKey``), the telephone exchange's webhook secret (``hotline.ExchangeSecret``), the
monitoring sources' keys (``monitoring.SourceKey``) — is a concrete model of :class:`Credential`
and changes only through the four services here, each of which writes the audit log (OpenID
Connect clients are django-oauth-toolkit's applications, which hash their own secrets:
``accounts/clients.py``):

- :func:`credential_issue` makes a random secret and returns it in plain **once**; the row keeps
  its SHA-256 (a secret of 240+ random bits needs no slow hash: there is nothing to guess) and its
  first characters (``prefix``) so that people can tell credentials apart;
- :func:`credential_verify` finds the row by the hash of what was presented and refuses one that
  is revoked or expired; ``last_used_at`` is written at most once per ``touch_interval``;
- :func:`credential_rotate` issues a successor (``rotated_from``) and schedules the end of the
  old one: it keeps working for the kind's ``rotation_grace``, then stops (``revoked_at`` lies in
  the future until then);
- :func:`credential_revoke` stops one at once.

A secret the server itself must use — the key of an HMAC signature it checks — cannot be kept
as a hash: :class:`EncryptedCredential` also stores it encrypted (Fernet) with a key derived from
``SECRET_KEY`` (and readable with the ``SECRET_KEY_FALLBACKS`` while ``SECRET_KEY`` is changed).

``lib`` imports no app: the registry of kinds is every installed model that subclasses
:class:`Credential`, and the audit log is written through :func:`opencity.lib.audit.audit`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.errors import ConflictError, DomainError, NotFoundError, ValidationError
from opencity.lib.audit import audit

PREFIX_LENGTH = 8
MAX_PRESENTED = 200  # longer than any secret we issue: not worth hashing
IMPORTED_MIN_LENGTH = 24  # a secret brought in from elsewhere (the exchange's) must be at least this long
REFUSAL_AUDIT_INTERVAL = 3600  # seconds: one audit row per refused credential per hour at most
_FERNET_INFO = b"opencity.lib.credentials.v1"

logger = logging.getLogger("opencity.credentials")

C = TypeVar("C", bound="Credential")


class CredentialRefused(DomainError):
    """A presented secret is unknown, revoked or expired (``reason``: ``unknown``, ``revoked``,
    ``expired``). Each kind answers with its own error (a 401 of the API, a 403 of Open311…)."""

    code = "credential_refused"
    http_status = 401
    default_message = _("This key is not valid or was revoked.")

    def __init__(self, reason: str, credential: Credential | None = None) -> None:
        super().__init__(code=f"credential_{reason}")
        self.reason = reason
        self.credential = credential


class Credential(models.Model):
    """What every kind of credential keeps. Subclasses set ``credential_kind`` (the audit
    actions are ``<kind>_issue``, ``_rotate``, ``_revoke``, ``_refused``) and may change
    ``secret_bytes``, ``rotation_grace``, ``touch_interval`` and ``rotation_fields``.

    ``revoked_at`` is when the credential stops (or stopped) working by a person's act: a
    revocation (now) or a rotation (the end of its grace period, in the future until then).
    ``expires_at`` is when it stops by itself (null: it does not expire)."""

    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Empty: it does not expire.")
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("stops working at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    rotated_from = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="successors", editable=False,
    )

    credential_kind: ClassVar[str] = ""
    secret_bytes: ClassVar[int] = 32
    rotation_grace: ClassVar[dt.timedelta] = dt.timedelta(days=1)
    touch_interval: ClassVar[dt.timedelta] = dt.timedelta(minutes=1)
    # Fields a successor copies from the credential it replaces (besides ``expires_at`` rules).
    rotation_fields: ClassVar[tuple[str, ...]] = ()
    # False: only their owners issue them (the app's tokens, at sign-in), not ``manage.py credentials``.
    issuable_by_command: ClassVar[bool] = True

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.prefix}…"

    # -- state, cheap and without queries ------------------------------------------------------

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (self.revoked_at is None or self.revoked_at > now) and (
            self.expires_at is None or self.expires_at > now
        )

    def state(self, now: dt.datetime | None = None) -> str:
        """``active``, ``rotating`` (replaced, in its grace period), ``revoked`` or ``expired``."""
        now = now or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= now:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "rotating" if self.revoked_at is not None else "active"

    @classmethod
    def usable_q(cls, now: dt.datetime | None = None) -> Q:
        """The rows that work at ``now``: not revoked (or revoked later), not expired."""
        now = now or timezone.now()
        return (Q(revoked_at__isnull=True) | Q(revoked_at__gt=now)) & (
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )

    def successor_expiry(self, now: dt.datetime) -> dt.datetime | None:
        """When the successor of a rotation expires; by default it lives as long as a new one."""
        return self.default_expiry(now)

    @classmethod
    def default_expiry(cls, now: dt.datetime) -> dt.datetime | None:
        return None


class EncryptedCredential(Credential):
    """A credential whose secret the server must read back (an HMAC key it checks signatures
    with): besides the hash, the secret is kept encrypted at rest (:func:`encrypt_secret`)."""

    secret_encrypted = models.TextField(editable=False)

    # A setting holding the secret before any row exists (``manage.py credentials issue <kind>
    # --from-setting`` brings it in); its reader decides what it means (hotline.exchange).
    bootstrap_setting: ClassVar[str] = ""

    class Meta:
        abstract = True

    def secret(self) -> str:
        return decrypt_secret(self.secret_encrypted)


# --- hashing and encryption -----------------------------------------------------------------


def hash_secret(raw: str) -> str:
    """SHA-256 in hex: the secrets are random (no dictionary to try), so a fast hash is enough and
    an index finds the row."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret(nbytes: int) -> str:
    return secrets.token_urlsafe(nbytes)


def _fernet():
    """A MultiFernet over keys derived (HKDF-SHA256) from ``SECRET_KEY`` then each of
    ``SECRET_KEY_FALLBACKS``: it encrypts with the first and decrypts with any, so secrets stay
    readable while ``SECRET_KEY`` is being replaced (re-encrypt them with ``credentials
    reencrypt``, then drop the fallback)."""
    from cryptography.fernet import Fernet, MultiFernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    keys = []
    for secret_key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_FERNET_INFO).derive(
            str(secret_key).encode()
        )
        keys.append(Fernet(base64.urlsafe_b64encode(derived)))
    return MultiFernet(keys)


def encrypt_secret(raw: str) -> str:
    return _fernet().encrypt(raw.encode()).decode("ascii")


def decrypt_secret(token: str) -> str:
    """The plain secret; ``cryptography.fernet.InvalidToken`` when no key can read it (the
    ``SECRET_KEY`` it was encrypted with is gone)."""
    return _fernet().decrypt(token.encode("ascii")).decode()


# --- the registry of kinds ------------------------------------------------------------------


def credential_kinds() -> dict[str, type[Credential]]:
    """Every installed concrete credential model by its ``credential_kind``."""
    return {
        model.credential_kind: model
        for model in apps.get_models()
        if issubclass(model, Credential) and model.credential_kind
    }


def _action(obj: Credential | type[Credential], verb: str) -> str:
    return f"{obj.credential_kind}_{verb}"


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


# --- the services ---------------------------------------------------------------------------


def credential_issue(
    model: type[C],
    *,
    actor: Any = None,
    secret: str | None = None,
    expires_at: dt.datetime | None | bool = True,
    ip: str | None = None,
    **fields: Any,
) -> tuple[C, str]:
    """Create a credential of ``model`` and return it with its secret in plain — the only time
    it exists outside the client. ``secret``: bring one in rather than make one (at least
    ``IMPORTED_MIN_LENGTH`` characters; the exchange's, already configured there). ``expires_at``:
    True for the kind's default, None for never, or a time. Audited as ``<kind>_issue``."""
    if secret is None:
        raw = new_secret(model.secret_bytes)
    else:
        raw = secret.strip()
        if len(raw) < IMPORTED_MIN_LENGTH:
            raise ValidationError(
                _("A secret must have at least %(n)d characters.") % {"n": IMPORTED_MIN_LENGTH},
                field="secret",
            )
    now = timezone.now()
    obj = model(
        **fields,
        prefix=raw[:PREFIX_LENGTH],
        key_hash=hash_secret(raw),
        created_by=_actor(actor),
        created_at=now,
        expires_at=model.default_expiry(now) if expires_at is True else expires_at,
    )
    if isinstance(obj, EncryptedCredential):
        obj.secret_encrypted = encrypt_secret(raw)
    obj.full_clean()
    with transaction.atomic():
        obj.save()
        audit(actor, _action(obj, "issue"), obj, summary=obj.prefix, ip=ip)
    return obj, raw


def credential_verify(
    model: type[C],
    raw: str | None,
    *,
    queryset: models.QuerySet | None = None,
    now: dt.datetime | None = None,
    ip: str | None = None,
    touch: bool = True,
) -> C:
    """The credential whose secret is ``raw``, or :class:`CredentialRefused`.

    The row is found by the SHA-256 of ``raw`` (an indexed lookup, so timing tells nothing about
    the secret) and the hashes are compared again with ``hmac.compare_digest``. ``queryset``
    narrows the rows (e.g. of active accounts); rows outside it are ``unknown``. A known but
    revoked or expired secret is audited (``<kind>_refused``, at most once an hour per
    credential: a leaked one still in use shows up). ``last_used_at`` is a last-seen stamp,
    written by one guarded UPDATE at most once per ``touch_interval``."""
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_PRESENTED:
        raise CredentialRefused("unknown")
    digest = hash_secret(raw)
    qs = queryset if queryset is not None else model._default_manager.all()
    found = qs.filter(key_hash=digest).first()
    if found is None or not hmac.compare_digest(found.key_hash, digest):
        raise CredentialRefused("unknown")
    now = now or timezone.now()
    state = found.state(now)
    if state in ("revoked", "expired"):
        _audit_refusal(found, state, ip)
        raise CredentialRefused(state, found)
    if touch:
        credential_touch(found, now=now)
    return found


def credential_touch(obj: Credential, *, now: dt.datetime | None = None) -> None:
    """Stamp ``last_used_at``, at most once per the kind's ``touch_interval`` (not a state
    change: one conditional UPDATE, no lock, so concurrent requests never wait on it)."""
    now = now or timezone.now()
    stale = now - obj.touch_interval
    if obj.last_used_at is None or obj.last_used_at < stale:
        type(obj)._default_manager.filter(pk=obj.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
        obj.last_used_at = now


def _audit_refusal(obj: Credential, reason: str, ip: str | None) -> None:
    key = f"credentials:refused:{obj._meta.label_lower}:{obj.key_hash}"
    if cache.add(key, 1, timeout=REFUSAL_AUDIT_INTERVAL):
        audit(None, _action(obj, "refused"), obj, summary=obj.prefix, data={"reason": reason}, ip=ip)


def credential_rotate(
    obj: C,
    *,
    actor: Any = None,
    grace: dt.timedelta | None = None,
    secret: str | None = None,
    ip: str | None = None,
) -> tuple[C, str]:
    """Issue the successor of ``obj`` (same kind-specific fields, ``rotated_from=obj``) and
    return it with its secret in plain (shown once). ``obj`` keeps working for ``grace`` (the
    kind's ``rotation_grace`` by default; zero: it stops at once), then stops; an explicit
    revocation can end it sooner. A credential already revoked, expired or rotated cannot be
    rotated (409): rotate its successor. ``secret``: the successor's secret when the caller
    derives it (the API's idempotent token rotation).

    Two rotations of one credential race safely: the old row is claimed by one conditional
    UPDATE inside the transaction, and the loser rolls back with a 409."""
    model = type(obj)
    raw = new_secret(model.secret_bytes) if secret is None else secret
    grace = model.rotation_grace if grace is None else grace
    if grace < dt.timedelta(0):
        raise ValidationError(_("The grace period cannot be negative."), field="grace")
    now = timezone.now()
    ends = now + grace
    if obj.expires_at is not None and obj.expires_at < ends:
        ends = obj.expires_at
    with transaction.atomic():
        claimed = (
            model._default_manager.filter(pk=obj.pk, revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .update(revoked_at=ends, revoked_by=_actor(actor))
        )
        if not claimed:
            raise ConflictError(
                _("This key was already revoked, replaced or has expired: it cannot be rotated."),
                code="credential_not_rotatable",
            )
        successor = model(
            **{name: getattr(obj, name) for name in model.rotation_fields},
            prefix=raw[:PREFIX_LENGTH],
            key_hash=hash_secret(raw),
            created_by=_actor(actor),
            created_at=now,
            expires_at=obj.successor_expiry(now),
            rotated_from=obj,
        )
        if isinstance(successor, EncryptedCredential):
            successor.secret_encrypted = encrypt_secret(raw)
        successor.full_clean(validate_unique=False)  # a duplicate hash: IntegrityError, for the caller
        successor.save()
        audit(
            actor, _action(obj, "rotate"), successor, summary=successor.prefix, ip=ip,
            data={"replaces": obj.pk, "replaces_prefix": obj.prefix, "old_stops_at": ends.isoformat()},
        )
    obj.revoked_at, obj.revoked_by = ends, _actor(actor)
    return successor, raw


def credential_revoke(obj: Credential, *, actor: Any = None, ip: str | None = None) -> bool:
    """Stop ``obj`` now (also one in a rotation's grace period). False when it had already
    stopped: nothing changes and nothing is audited."""
    model = type(obj)
    now = timezone.now()
    with transaction.atomic():
        done = (
            model._default_manager.filter(pk=obj.pk)
            .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=now))
            .update(revoked_at=now, revoked_by=_actor(actor))
        )
        if done:
            audit(actor, _action(obj, "revoke"), obj, summary=obj.prefix, ip=ip)
    if done:
        obj.revoked_at, obj.revoked_by = now, _actor(actor)
    return bool(done)


def credentials_revoke(
    queryset: models.QuerySet, *, actor: Any = None, reason: str = "", ip: str | None = None
) -> int:
    """Revoke every still-working credential of ``queryset`` (e.g. a person's tokens when their
    password changes); one audit row each. Returns how many stopped."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for obj in queryset.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=now)).select_for_update():
            type(obj)._default_manager.filter(pk=obj.pk).update(revoked_at=now, revoked_by=_actor(actor))
            audit(actor, _action(obj, "revoke"), obj, summary=obj.prefix, ip=ip,
                  data={"reason": reason} if reason else None)
            count += 1
    return count


def live_secrets(model: type[EncryptedCredential], *, now: dt.datetime | None = None) -> list[tuple[Any, str]]:
    """The working credentials of an encrypted kind with their plain secrets, newest first: a
    signature is checked against each (during a rotation's grace, the old and the new one)."""
    from cryptography.fernet import InvalidToken

    found = []
    for row in model._default_manager.filter(model.usable_q(now)).order_by("-created_at", "-pk"):
        try:
            found.append((row, row.secret()))
        except InvalidToken:  # encrypted with a SECRET_KEY that is gone: unusable, say so
            logger.error("%s %s cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS: "
                         "issue a new one", model._meta.label, row.prefix)
    return found


def reencrypt(model: type[EncryptedCredential]) -> int:
    """Encrypt every stored secret of ``model`` again with the current ``SECRET_KEY`` (after it
    changed, while the old one is still in ``SECRET_KEY_FALLBACKS``)."""
    count = 0
    with transaction.atomic():
        for row in model._default_manager.select_for_update():
            model._default_manager.filter(pk=row.pk).update(
                secret_encrypted=encrypt_secret(row.secret())
            )
            count += 1
    return count


MAX_LINEAGE = 100  # rotations followed back, at most (a chain is one per rotation: a few a year)


def credential_lineage(obj: Credential) -> Credential:
    """The first credential of ``obj``'s rotations (itself if it replaces none): the old secret
    and its successor, both working during the grace period, are one client — what is counted
    per client (a rate limit) is counted against this one, so a rotation does not double it."""
    model = type(obj)
    current_id, parent_id = obj.pk, obj.rotated_from_id
    for _hop in range(MAX_LINEAGE):
        if parent_id is None:
            break
        current_id = parent_id
        parent_id = model._default_manager.filter(pk=parent_id).values_list("rotated_from_id", flat=True).first()
    return obj if current_id == obj.pk else model._default_manager.get(pk=current_id)


def credential_find(model: type[C], ident: str, queryset: Iterable | None = None) -> C:
    """One credential by id or by prefix (as people see it), for the management command."""
    qs = model._default_manager.all() if queryset is None else queryset
    ident = ident.strip().rstrip("…")
    matches = list(qs.filter(pk=int(ident))) if ident.isdigit() else []
    if not matches:
        matches = list(qs.filter(prefix=ident)[:2])
    if len(matches) != 1:
        raise NotFoundError(_("No single key matches %(ident)s.") % {"ident": ident})
    return matches[0]


STATE_LABELS = {
    "active": _("active"),
    "rotating": _("replaced, works until its grace period ends"),
    "revoked": _("revoked"),
    "expired": _("expired"),
}
