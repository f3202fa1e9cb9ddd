"""The reporter's and the public's actions: answer, rate, dispute, follow, "me too"."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.errors import ValidationError
from opencity.worktime.selectors import default_calendar

from .. import effects, workflow
from ..models import Follow, PhotoKind, Priority, Report
from .common import clean_text, lock_report, process_photos, require, save_photos
from .triage import _after

ME_TOO_HIGH_PRIORITY = 3  # this many "me too" raise a normal report to high priority in triage


@transaction.atomic
def report_answer_info(*, report_id: int, actor, text: str, photos=()) -> Report:
    processed = process_photos(photos)
    report = lock_report(report_id)
    require(actor, "answer_info", report)
    changes = effects.answer_info(report, at=timezone.now(), clock=default_calendar())  # the clock runs again
    event = workflow.apply(report, "answer_info", actor=actor,
                           note=clean_text(text, field="text", required=True),
                           data={"due_at": changes["due_at"].isoformat()} if "due_at" in changes else None,
                           changes=changes)
    save_photos(report, processed, kind=PhotoKind.UPDATE, event=event)
    _after(report, event)
    return report


@transaction.atomic
def report_rate(*, report_id: int, actor, rating, comment: str = "") -> Report:
    report = lock_report(report_id)
    require(actor, "rate", report)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError(_("Choose from 1 to 5 stars."), field="rating")
    comment = clean_text(comment, field="comment", max_chars=1000)
    event = workflow.apply(report, "rate", actor=actor, note=comment, data={"rating": rating},
                           changes=effects.rate(rating=rating, comment=comment, at=timezone.now()))
    _after(report, event)
    return report


@transaction.atomic
def report_dispute(*, report_id: int, actor, reason: str) -> Report:
    """The reporter disagrees with the result (within the dispute window); the IOC decides."""
    report = lock_report(report_id)
    require(actor, "dispute", report)
    event = workflow.apply(report, "dispute", actor=actor,
                           note=clean_text(reason, field="reason", required=True),
                           changes=effects.dispute())
    _after(report, event)
    return report


@transaction.atomic
def report_follow(*, report_id: int, actor, me_too: bool = False) -> Follow:
    """Follow a report; "me too" also counts the person as affected (raises triage priority)."""
    report = lock_report(report_id)
    require(actor, "follow", report)
    follow, created = Follow.objects.get_or_create(report=report, user=actor, defaults={"me_too": me_too})
    if me_too and not (follow.me_too and not created):
        if not created:
            follow.me_too = True
            follow.save(update_fields=["me_too"])
        # updated_at: the public page and JSON show the count (their kept copies' fingerprint)
        Report.objects.filter(pk=report.pk).update(me_too_count=F("me_too_count") + 1, updated_at=timezone.now())
        report.refresh_from_db(fields=["me_too_count"])
        if (report.me_too_count >= ME_TOO_HIGH_PRIORITY and report.priority == Priority.NORMAL
                and workflow.allowed(report, "set_priority")):
            workflow.apply(report, "set_priority", actor=None,
                           data={"from": Priority.NORMAL, "to": Priority.HIGH, "me_too": report.me_too_count},
                           changes=effects.set_priority(priority=Priority.HIGH))
    return follow


@transaction.atomic
def report_unfollow(*, report_id: int, actor) -> None:
    follow = Follow.objects.filter(report_id=report_id, user=actor).first()
    if follow is None:
        return
    if follow.me_too:
        Report.objects.filter(pk=report_id, me_too_count__gt=0).update(me_too_count=F("me_too_count") - 1,
                                                                       updated_at=timezone.now())
    follow.delete()
