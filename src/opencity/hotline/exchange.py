"""Signed webhooks from the telephone exchange (docs/hotline.md has the contract).

The exchange sends two headers with every POST:

- ``X-OpenCity-Timestamp``: the time of sending, in whole seconds since 1970 (UTC);
- ``X-OpenCity-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed with the shared secret,
  of ``<timestamp>.<raw body>`` (the timestamp's digits, a full stop, the body's bytes).

A request older (or newer) than ``OPENCITY_HOTLINE_WEBHOOK_TOLERANCE`` seconds is refused, so a
captured request cannot be replayed later; within that window a replay changes nothing, because
every event is applied once per call id (``ExchangeEvent``).

The shared secret is a credential (``hotline.ExchangeSecret``, kept encrypted: the server needs
it in plain to check a signature): issued, rotated and revoked with ``manage.py credentials`` or
in the admin. During a rotation's grace period both the old and the new secret verify. While no
secret was ever issued there, ``OPENCITY_HOTLINE_WEBHOOK_SECRET`` is the secret (the bootstrap);
afterwards the setting is ignored (docs/hotline.md).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from opencity.errors import DomainError, PermissionDeniedError
from opencity.lib.credentials import credential_touch, live_secrets

from .models import ExchangeSecret

SIGNATURE_HEADER = "X-OpenCity-Signature"
TIMESTAMP_HEADER = "X-OpenCity-Timestamp"


class NotConfiguredError(DomainError):
    code = "not_configured"
    http_status = 503
    default_message = _("The exchange webhook is not configured on this server.")


class UnauthenticatedError(DomainError):
    code = "unauthenticated"
    http_status = 401
    default_message = _("The request is not signed.")


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """The signature header's value for a body sent at ``timestamp``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _secrets() -> list[tuple[ExchangeSecret | None, str]]:
    """The secrets a signature may be made with: the working ``ExchangeSecret`` rows (two during
    a rotation's grace period), or — only while none was ever issued — the setting."""
    rows = live_secrets(ExchangeSecret)
    if rows or ExchangeSecret.objects.exists():
        return rows
    secret = settings.OPENCITY_HOTLINE_WEBHOOK_SECRET
    return [(None, secret)] if secret else []


def verify(*, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None) -> None:
    """Raise unless the request was signed with a working secret within the tolerance."""
    candidates = _secrets()
    if not candidates:
        raise NotConfiguredError()
    if not timestamp or not signature:
        raise UnauthenticatedError(_("Missing X-OpenCity-Timestamp or X-OpenCity-Signature header."),
                                   code="signature_missing")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise UnauthenticatedError(_("X-OpenCity-Timestamp must be whole seconds since 1970."),
                                   code="timestamp_invalid")
    presented = signature.strip().encode("utf-8", "replace")
    # every candidate is compared (constant time each), so the timing does not tell which matched
    matches = [row for row, secret in candidates
               if hmac.compare_digest(sign(secret, timestamp, body).encode("ascii"), presented)]
    if not matches:
        raise PermissionDeniedError(_("The signature does not match."), code="signature_invalid")
    tolerance = settings.OPENCITY_HOTLINE_WEBHOOK_TOLERANCE
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        raise PermissionDeniedError(_("The request is too old (or its clock is wrong)."), code="timestamp_stale")
    if matches[0] is not None:
        credential_touch(matches[0])  # the old secret's last use shows when the exchange switched
