"""Helpers shared by the report services: locking, permission checks, photos, text limits."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError
from opencity.lib.audit import audit
from opencity.lib.images import ProcessedImage, process_upload
from opencity.lib.text import clean_text  # noqa: F401  (the services' name for it)
from opencity.worktime.selectors import default_calendar

from ..models import Photo, Report, TimelineEvent


def lock_report(report_id: int) -> Report:
    """Fetch the report for writing (row lock on PostgreSQL; SQLite serialises writers).

    Only the report's row is locked (``of=("self",)``): PostgreSQL refuses FOR UPDATE on the
    nullable side of the outer join to ``unit``."""
    try:
        return (Report.objects.select_for_update(of=("self",)).select_related("unit", "category", "area")
                .get(pk=report_id))
    except Report.DoesNotExist:
        raise NotFoundError(_("This report does not exist.")) from None


def require(actor, action: str, report: Report) -> None:
    """Raise PermissionDeniedError unless policy allows; ``actor=None`` is the system."""
    if actor is None:
        return
    if not policy.can(actor, action, report):
        raise PermissionDeniedError()


def process_photos(uploads, *, required: bool = False) -> list[ProcessedImage]:
    """Validate every photo before anything is saved (nothing half-saved)."""
    uploads = [u for u in (uploads or []) if u]
    if required and not uploads:
        raise ValidationError(_("Add at least one photo."), field="photos", code="photo_required")
    limit = settings.OPENCITY_PHOTO_MAX_COUNT
    if len(uploads) > limit:
        raise ValidationError(
            _("At most %(n)d photos, please.") % {"n": limit}, field="photos", code="too_many_photos"
        )
    return [process_upload(u) for u in uploads]


def save_photos(report: Report, processed: list[ProcessedImage], *, kind: str, event: TimelineEvent | None) -> list[Photo]:
    photos = []
    for p in processed:
        photo = Photo(report=report, kind=kind, event=event, width=p.width, height=p.height)
        photo.image.save("photo.jpg", p.image, save=False)
        photo.thumb.save("thumb.jpg", p.thumb, save=False)
        photo.save()
        photos.append(photo)
    return photos


def deadline_from(start: dt.datetime, hours: float) -> dt.datetime:
    return default_calendar().add_working_hours(start, hours)


def staff_audit(actor, action: str, report: Report, *, summary: str = "", data: dict | None = None) -> None:
    if actor is not None and policy.is_staff(actor):
        audit(actor, f"report.{action}", report, summary=summary or report.ref, data=data)


def acting_unit(actor, report: Report):
    """The unit an officer acts for on this report (for the timeline)."""
    if actor is not None and report.unit_id and report.unit_id in policy.unit_ids(actor):
        return report.unit
    return None
