"""Unit actions: accept, return, ask for information, extensions, results, internal notes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, ValidationError
from opencity.worktime.selectors import default_calendar

from .. import effects, workflow
from ..models import ExtensionRequest, ExtensionStatus, PhotoKind, Report, Status
from .common import (
    acting_unit,
    clean_text,
    lock_report,
    process_photos,
    require,
    save_photos,
    staff_audit,
)
from .triage import _after


@transaction.atomic
def report_accept(*, report_id: int, actor, note: str = "", expected_version: int | None = None) -> Report:
    report = lock_report(report_id)
    require(actor, "accept", report)
    event = workflow.apply(report, "accept", actor=actor, note=clean_text(note, field="note"),
                           actor_unit=acting_unit(actor, report), expected_version=expected_version)
    staff_audit(actor, "accept", report)
    _after(report, event)
    return report


@transaction.atomic
def report_return(*, report_id: int, actor, reason: str) -> Report:
    """Not our jurisdiction: back to the IOC's queue, with the reason kept."""
    report = lock_report(report_id)
    require(actor, "return", report)
    reason = clean_text(reason, field="reason", required=True)
    unit = report.unit
    event = workflow.apply(
        report, "return", actor=actor, note=reason, is_public=False, actor_unit=unit,
        data={"unit_id": unit.pk if unit else None, "unit": unit.name if unit else ""},
        changes=effects.give_back(),
    )
    staff_audit(actor, "return", report, data={"reason": reason})
    _after(report, event)  # the notification names the unit from event.data
    return report


@transaction.atomic
def report_ask_info(*, report_id: int, actor, question: str) -> Report:
    report = lock_report(report_id)
    require(actor, "ask_info", report)
    if report.reporter_id is None:
        raise ValidationError(_("This report has no reporter account to ask."), field="question")
    event = workflow.apply(report, "ask_info", actor=actor, actor_unit=acting_unit(actor, report),
                           note=clean_text(question, field="question", required=True),
                           changes=effects.ask_info(report, at=timezone.now()))
    staff_audit(actor, "ask_info", report)
    _after(report, event)
    return report


@transaction.atomic
def report_request_extension(*, report_id: int, actor, extra_hours: int, reason: str) -> ExtensionRequest:
    report = lock_report(report_id)
    require(actor, "request_extension", report)
    try:
        extra_hours = int(extra_hours)
    except (TypeError, ValueError):
        raise ValidationError(_("Give the extra time in working hours."), field="extra_hours") from None
    if not 1 <= extra_hours <= 400:
        raise ValidationError(_("Between 1 and 400 working hours, please."), field="extra_hours")
    if report.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError(_("An extension request is already waiting."), field="extra_hours")
    reason = clean_text(reason, field="reason", required=True)
    ext = ExtensionRequest(report=report, requested_by=actor, extra_hours=extra_hours, reason=reason)
    ext.full_clean()
    ext.save()
    event = workflow.apply(report, "request_extension", actor=actor, note=reason,
                           actor_unit=acting_unit(actor, report),
                           data={"extension": ext.pk, "extra_hours": extra_hours})
    staff_audit(actor, "request_extension", report, data={"extra_hours": extra_hours})
    _after(report, event)
    return ext


@transaction.atomic
def report_decide_extension(*, extension_id: int, actor, approve: bool, note: str = "") -> ExtensionRequest:
    ext = ExtensionRequest.objects.select_for_update().filter(pk=extension_id).first()
    if ext is None:
        raise NotFoundError()
    report = lock_report(ext.report_id)
    require(actor, "decide_extension", report)
    if ext.status != ExtensionStatus.PENDING:
        raise ValidationError(_("This request was already decided."), field="extension")
    ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
    ext.decided_by = actor
    ext.decided_at = timezone.now()
    ext.save()
    fields = {}
    data = {"extension": ext.pk, "approved": approve, "extra_hours": ext.extra_hours}
    if approve:
        fields = effects.extend(report, hours=ext.extra_hours, at=ext.decided_at, clock=default_calendar())
        data["due_at"] = fields["due_at"].isoformat()
    event = workflow.apply(report, "decide_extension", actor=actor, note=clean_text(note, field="note"),
                           is_public=approve, data=data, changes=fields)
    staff_audit(actor, "decide_extension", report, data=data)
    _after(report, event)
    return ext


@transaction.atomic
def report_resolve(*, report_id: int, actor, result: str, photos=(), expected_version: int | None = None) -> Report:
    """Publish the result (text and photos) — or, where the unit requires it and the officer
    is not its head, submit it for the head's approval first."""
    processed = process_photos(photos)
    report = lock_report(report_id)
    require(actor, "resolve", report)
    result = clean_text(result, field="result", required=True)
    needs_approval = bool(report.unit and report.unit.requires_result_approval
                          and report.unit_id not in policy.head_unit_ids(actor))
    if needs_approval:
        event = workflow.apply(report, "submit_result", actor=actor, note=result,
                               actor_unit=acting_unit(actor, report),
                               changes=effects.submit_result(text=result),
                               expected_version=expected_version)
    else:
        now = timezone.now()
        event = workflow.apply(report, "resolve", actor=actor, note=result,
                               actor_unit=acting_unit(actor, report),
                               changes=effects.resolve(report, at=now, clock=default_calendar(), text=result),
                               expected_version=expected_version)
    save_photos(report, processed, kind=PhotoKind.RESULT, event=event)
    staff_audit(actor, event.action, report)
    _after(report, event)
    return report


@transaction.atomic
def report_decide_result(*, report_id: int, actor, approve: bool, note: str = "") -> Report:
    """The unit head publishes the submitted result, or sends it back with a note."""
    report = lock_report(report_id)
    require(actor, "decide_result", report)
    note = clean_text(note, field="note")
    if approve:
        workflow.check(report, "reject_result")  # same guard: a result must be pending
        now = timezone.now()
        event = workflow.apply(report, "resolve", actor=actor, note=report.result_text,
                               actor_unit=acting_unit(actor, report),
                               data={"approved_by_head": True, "head_note": note},
                               changes=effects.resolve(report, at=now, clock=default_calendar()))
        # result photos were attached to the submit_result event; they are public from now on
    else:
        event = workflow.apply(report, "reject_result", actor=actor, note=note,
                               actor_unit=acting_unit(actor, report), changes=effects.reject_result())
        report.photos.filter(kind=PhotoKind.RESULT, event__action="submit_result").update(is_hidden=True)
    staff_audit(actor, "decide_result", report, data={"approve": approve})
    _after(report, event)
    return report


@transaction.atomic
def report_add_note(*, report_id: int, actor, text: str) -> Report:
    """An internal note: staff only, never shown to citizens."""
    report = lock_report(report_id)
    require(actor, "note", report)
    workflow.apply(report, "note", actor=actor, note=clean_text(text, field="text", required=True),
                   is_public=False, actor_unit=acting_unit(actor, report))
    staff_audit(actor, "note", report)
    return report


def report_close_expired(*, now: dt.datetime | None = None) -> int:
    """Close resolved reports whose rating window has ended. Safe to run any number of times."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.OPENCITY_RATING_WINDOW_DAYS)
    closed = 0
    ids = list(Report.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff,
                                     dispute_pending=False).values_list("pk", flat=True)[:5000])
    for pk in ids:
        with transaction.atomic():
            report = lock_report(pk)
            if not workflow.allowed(report, "close") or report.dispute_pending:
                continue
            workflow.apply(report, "close", actor=None, changes=effects.close(at=now))
            closed += 1
    return closed
