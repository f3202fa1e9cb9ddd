"""Photos uploaded for a form not sent yet (issue 14: the submit form lost them on every error).

The report form uploads each photo once, here (``reports:photo_stage``, or with the plain
multipart form when there is no JavaScript), and the form then names the staged ids. A form
re-rendered with errors shows them as thumbnails, so nobody picks their photos again.

What must hold:

- Only what ``lib.images.process_upload`` made of a photo is kept: re-encoded pixels, no
  metadata (the GPS position is read from the original and handed back, never stored).
- A staged photo is its uploader's alone: every read is by (user, client_token) or (user, id).
- Bounded: ``OPENCITY_PHOTO_MAX_COUNT`` per form, ``OPENCITY_STAGING_MAX_PER_USER`` per person,
  and the periodic cleanup (``lib.tasks.purge_staged_uploads``) deletes what is older than
  ``OPENCITY_STAGING_KEEP_HOURS``. Stored in the database (no file left behind by a crash).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.errors import ValidationError

from .images import ProcessedImage, process_upload
from .models import StagedUpload

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _cutoff() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=settings.OPENCITY_STAGING_KEEP_HOURS)


def _check_token(client_token: str) -> str:
    token = (client_token or "").strip()
    if not _TOKEN.match(token):
        raise ValidationError(_("This form has expired. Reload the page, please."),
                              code="bad_client_token", field="photos")
    return token


def _live():
    return StagedUpload.objects.filter(created_at__gte=_cutoff())


def _check_key(upload_key: str) -> str:
    key = (upload_key or "").strip()
    if key and not _TOKEN.match(key):
        raise ValidationError(_("This form has expired. Reload the page, please."),
                              code="bad_upload_key", field="photos")
    return key


def stage(*, user, client_token: str, upload, upload_key: str = "") -> tuple[StagedUpload, tuple[float, float] | None]:
    """Check and re-encode one uploaded photo and keep it for the form ``client_token``.
    Returns the staged photo and the GPS position the original carried (not stored).
    Raises ValidationError (the photo's own problem, or too many photos).

    With an ``upload_key`` (one per photo, made by the page) a repeat — the answer was lost on a
    weak network and the page sends the photo again — returns the photo kept the first time
    (and no position) instead of keeping a second copy."""
    token = _check_token(client_token)
    key = _check_key(upload_key)
    live = _live().filter(user=user)
    if key:
        kept = live.filter(client_token=token, upload_key=key).defer("image", "thumb").first()
        if kept is not None:
            return kept, None
    if live.filter(client_token=token).count() >= settings.OPENCITY_PHOTO_MAX_COUNT:
        raise ValidationError(_("At most %(n)d photos, please.") % {"n": settings.OPENCITY_PHOTO_MAX_COUNT},
                              field="photos", code="too_many_photos")
    if live.count() >= settings.OPENCITY_STAGING_MAX_PER_USER:
        raise ValidationError(_("Too many photos are waiting to be sent. Send your report or try again tomorrow."),
                              field="photos", code="too_many_staged")
    processed = process_upload(upload)
    try:
        with transaction.atomic():
            item = StagedUpload.objects.create(
                user=user, client_token=token, upload_key=key, name=str(getattr(upload, "name", "") or "")[:255],
                image=processed.image.read(), thumb=processed.thumb.read(),
                width=processed.width, height=processed.height, created_at=timezone.now(),
            )
    except IntegrityError:  # the same key sent twice at once: the other one kept it
        return StagedUpload.objects.defer("image", "thumb").get(user=user, client_token=token, upload_key=key), None
    return item, processed.gps


def staged_for(*, user, client_token: str, ids: Iterable | None = None) -> list[StagedUpload]:
    """The person's live staged photos for this form (only those of ``ids`` if given), oldest
    first. Anything not theirs, expired or not a number is silently left out."""
    token = (client_token or "").strip()
    if not user.is_authenticated or not _TOKEN.match(token):
        return []
    qs = _live().filter(user=user, client_token=token).defer("image", "thumb")
    if ids is not None:
        wanted = {int(i) for i in ids if str(i).isascii() and str(i).isdigit() and len(str(i)) < 19}
        qs = qs.filter(pk__in=wanted)
    return list(qs.order_by("pk"))


def get_for(*, user, pk: int) -> StagedUpload | None:
    if not user.is_authenticated:
        return None
    return _live().filter(user=user, pk=pk).first()


def discard(*, user, pk: int) -> bool:
    """Remove one of the person's staged photos. True if there was one."""
    if not user.is_authenticated:
        return False
    deleted, _rows = StagedUpload.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


def as_processed(items: Iterable[StagedUpload]) -> list[ProcessedImage]:
    """The staged photos as ``report_submit`` takes them (already re-encoded)."""
    rows = StagedUpload.objects.filter(pk__in=[i.pk for i in items]).order_by("pk")
    return [ProcessedImage(image=ContentFile(bytes(r.image)), thumb=ContentFile(bytes(r.thumb)),
                           width=r.width, height=r.height, gps=None) for r in rows]


def consume(items: Iterable[StagedUpload]) -> None:
    """The form was sent: its staged photos are now the report's."""
    StagedUpload.objects.filter(pk__in=[i.pk for i in items]).delete()


def purge_expired() -> int:
    """Delete staged photos older than ``OPENCITY_STAGING_KEEP_HOURS``; how many."""
    deleted, _rows = StagedUpload.objects.filter(created_at__lt=_cutoff()).delete()
    return deleted
