"""Who is sending: a source's key (``SourceKey``, a ``lib.credentials`` credential)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity.lib.api import Unauthenticated
from opencity.lib.credentials import CredentialRefused, credential_verify

from ..models import Source, SourceKey


def source_key_authenticate(raw: str | None, *, ip: str | None = None) -> Source:
    """The active source whose key is ``raw``, or :class:`Unauthenticated` (401) saying what is
    wrong: no key at all, or a key that is unknown, revoked, expired or of an inactive source.
    Stamps the key's ``last_used_at`` (at most once a minute: ``credential_verify``)."""
    if not (raw or "").strip():
        raise Unauthenticated(_("Send the data source's key in the X-Api-Key header (or as Authorization: "
                                "Bearer <key>)."), code="missing_key")
    try:
        key = credential_verify(SourceKey, raw, queryset=SourceKey.objects.filter(source__is_active=True), ip=ip)
    except CredentialRefused as refused:
        message = {
            "revoked": _("This source key was revoked. Ask the IOC for a new one."),
            "expired": _("This source key has expired. Ask the IOC for a new one."),
        }.get(refused.reason, _("This source key is not valid (or its source is inactive)."))
        raise Unauthenticated(message, code="invalid_key") from None
    return key.source
