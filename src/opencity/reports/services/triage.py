"""IOC actions: verify and route, merge, reject, correct, prioritise, moderate, decide disputes."""

from __future__ import annotations

import math

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.errors import NotFoundError, ValidationError
from opencity.geo import selectors as geo
from opencity.orgs.models import Unit
from opencity.worktime.selectors import default_calendar

from .. import deadlines, effects, notify, routing, workflow
from ..models import Category, Follow, Photo, Priority, RejectReason, Report, Status
from .common import clean_text, lock_report, require, staff_audit


def _after(report: Report, event) -> None:
    """Owe the notifications of ``event`` in this transaction (the outbox): the worker writes
    the inbox rows after the commit, and a process that dies in between cannot lose them."""
    notify.after_event_later(event)


def route_locked(report: Report, *, actor, unit: Unit, note: str, automatic: bool = False,
                 expected_version: int | None = None):
    """Route a report already locked by the caller (used by submit for automatic rules)."""
    now = timezone.now()
    proposed = routing.propose(report)
    event = workflow.apply(
        report,
        "route",
        actor=actor,
        note=note,
        data={
            "unit_id": unit.pk,
            "unit": unit.name,
            "automatic": automatic,
            "proposed_unit_id": proposed.unit_id if proposed else None,
            "overridden": bool(proposed and proposed.unit_id != unit.pk),
        },
        changes=effects.route(unit=unit, at=now, hours=deadlines.deadline_hours(report.category, report.priority),
                              clock=default_calendar()),
        expected_version=expected_version,
    )
    staff_audit(actor, "route", report, data={"unit": unit.pk})
    _after(report, event)
    return event


@transaction.atomic
def report_route(*, report_id: int, actor, unit_id: int | None = None, note: str = "",
                 expected_version: int | None = None) -> Report:
    """Verify a new report and send it to a unit: the one the routing rules propose unless
    the operator chooses another."""
    report = lock_report(report_id)
    require(actor, "route", report)
    workflow.check(report, "route")
    if unit_id:
        unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
        if unit is None:
            raise ValidationError(_("Choose a unit."), field="unit")
    else:
        rule = routing.propose(report)
        if rule is None:
            raise ValidationError(_("No routing rule covers this report: choose a unit."), field="unit")
        unit = rule.unit
    route_locked(report, actor=actor, unit=unit, note=clean_text(note, field="note"),
                 expected_version=expected_version)
    return report


@transaction.atomic
def report_merge(*, report_id: int, actor, into_id: int, note: str = "") -> Report:
    """Merge a new report into an open one on the same problem; its reporter follows that one."""
    report = lock_report(report_id)
    require(actor, "merge", report)
    if int(into_id) == report.pk:
        raise ValidationError(_("A report cannot be merged into itself."), field="into")
    original = Report.objects.select_for_update().filter(pk=into_id).first()
    if original is None:
        raise NotFoundError(_("The report to merge into does not exist."))
    if original.status in (Status.MERGED, Status.REJECTED):
        raise ValidationError(_("Merge into a report that is still valid."), field="into")
    event = workflow.apply(
        report, "merge", actor=actor, note=clean_text(note, field="note"),
        data={"into": original.pk, "into_ref": original.ref}, changes=effects.merge(into=original),
    )
    if report.reporter_id and report.reporter_id != original.reporter_id:
        _follow, created = Follow.objects.get_or_create(report=original, user_id=report.reporter_id,
                                                  defaults={"me_too": True})
        if created:
            Report.objects.filter(pk=original.pk).update(me_too_count=F("me_too_count") + 1,
                                                         updated_at=timezone.now())
    staff_audit(actor, "merge", report, data={"into": original.pk})
    _after(report, event)
    return report


@transaction.atomic
def report_reject(*, report_id: int, actor, reason: str, note: str = "") -> Report:
    report = lock_report(report_id)
    require(actor, "reject", report)
    if reason not in RejectReason.values:
        raise ValidationError(_("Choose a reason."), field="reason")
    note = clean_text(note, field="note")
    status_note = note or str(RejectReason(reason).label)
    event = workflow.apply(report, "reject", actor=actor, note=status_note, data={"reason": reason},
                           changes=effects.reject(reason=reason, note=status_note))
    staff_audit(actor, "reject", report, data={"reason": reason})
    _after(report, event)
    return report


@transaction.atomic
def report_correct(*, report_id: int, actor, category_id: int | None = None, lat=None, lon=None,
                   address: str | None = None, note: str = "") -> Report:
    """Correct the category or the place (the ward follows the place)."""
    report = lock_report(report_id)
    require(actor, "correct", report)
    changes: dict = {}
    fields: dict = {}
    if category_id and int(category_id) != report.category_id:
        category = Category.objects.filter(pk=category_id, is_active=True).first()
        if category is None:
            raise ValidationError(_("Choose a category."), field="category")
        changes["category"] = [report.category.name_vi, category.name_vi]
        fields["category"] = category
    if lat not in (None, "") and lon not in (None, ""):
        try:
            lat_f, lon_f = float(lat), float(lon)
            if not (math.isfinite(lat_f) and math.isfinite(lon_f) and abs(lat_f) <= 90 and abs(lon_f) <= 180):
                raise ValueError("not a place on earth")  # "nan", "inf", 1e400
        except (TypeError, ValueError):
            raise ValidationError(_("The position on the map is not valid."), field="location") from None
        area = geo.area_for_point(lat_f, lon_f)
        if area is None:
            raise ValidationError(_("This place is outside the city."), field="location")
        if (lat_f, lon_f) != (report.lat, report.lon):
            changes["place"] = [[report.lat, report.lon], [lat_f, lon_f]]
            if area.pk != report.area_id:
                changes["area"] = [report.area.name, area.name]
            fields.update(lat=lat_f, lon=lon_f, area=area)
    if address is not None and address.strip() != report.address:
        fields["address"] = clean_text(address, field="address", max_chars=255)
        changes["address"] = True
    if not fields:
        raise ValidationError(_("Nothing was changed."), field="category")
    event = workflow.apply(report, "correct", actor=actor, note=clean_text(note, field="note"),
                           data=changes, changes=fields)
    staff_audit(actor, "correct", report, data=changes)
    _after(report, event)
    return report


@transaction.atomic
def report_set_priority(*, report_id: int, actor, priority: int, note: str = "") -> Report:
    report = lock_report(report_id)
    require(actor, "set_priority", report)
    try:
        priority = int(priority)
        Priority(priority)
    except (TypeError, ValueError):
        raise ValidationError(_("Choose a priority."), field="priority") from None
    old = report.priority
    workflow.apply(report, "set_priority", actor=actor, note=clean_text(note, field="note"),
                   data={"from": old, "to": priority}, changes=effects.set_priority(priority=priority))
    staff_audit(actor, "set_priority", report, data={"from": old, "to": priority})
    return report


@transaction.atomic
def report_moderate_text(*, report_id: int, actor, public_text: str, note: str = "") -> Report:
    """Replace the publicly shown description (e.g. remove a name or a plate); the original
    stays for staff, the change is logged."""
    report = lock_report(report_id)
    require(actor, "moderate", report)
    public_text = clean_text(public_text, field="public_text")
    before = report.public_description
    after = public_text or report.description
    workflow.apply(report, "moderate", actor=actor, note=clean_text(note, field="note"),
                   data={"what": "text", "before": before, "after": after},
                   changes={"description_public": "" if public_text == report.description else public_text})
    staff_audit(actor, "moderate_text", report)
    return report


@transaction.atomic
def photo_moderate(*, photo_id: int, actor, action: str, boxes=None, note: str = "") -> Photo:
    """Blur (whole photo or boxes), hide or restore a photo. The original is kept privately."""
    from opencity.lib.images import blurred

    photo = Photo.objects.select_for_update().filter(pk=photo_id).first()
    if photo is None:
        raise NotFoundError(_("This photo does not exist."))
    report = lock_report(photo.report_id)
    require(actor, "moderate", report)
    if action not in ("blur", "hide", "show", "restore"):
        raise ValidationError(_("Unknown moderation action."), field="action")
    if action == "hide":
        photo.is_hidden = True
    elif action == "show":
        photo.is_hidden = False
    elif action == "blur":
        with photo.image.open("rb") as fh:
            data = fh.read()
        if not photo.original:
            photo.original.save("original.jpg", ContentFile(data), save=False)
        new = blurred(data, boxes)
        photo.image.save("blurred.jpg", ContentFile(new), save=False)
        from opencity.lib.images import process_upload

        processed = process_upload(ContentFile(new, name="blurred.jpg"))
        photo.thumb.save("thumb.jpg", processed.thumb, save=False)
        photo.is_moderated = True
    elif action == "restore":
        if not photo.original:
            raise ValidationError(_("This photo was not changed."), field="action")
        with photo.original.open("rb") as fh:
            data = fh.read()
        from opencity.lib.images import process_upload

        processed = process_upload(ContentFile(data, name="original.jpg"))
        photo.image.save("restored.jpg", processed.image, save=False)
        photo.thumb.save("thumb.jpg", processed.thumb, save=False)
        photo.is_moderated = False
    photo.save()
    workflow.apply(report, "moderate", actor=actor, note=clean_text(note, field="note"),
                   data={"what": "photo", "photo": photo.pk, "action": action})
    staff_audit(actor, f"photo_{action}", report, data={"photo": photo.pk})
    return photo


@transaction.atomic
def report_decide_dispute(*, report_id: int, actor, agree: bool, note: str = "") -> Report:
    """The IOC agrees (the report goes back to the unit, with a new deadline) or not."""
    report = lock_report(report_id)
    require(actor, "decide_dispute", report)
    note = clean_text(note, field="note")
    if agree:
        now = timezone.now()
        previous = {"rating": report.rating, "result": report.result_text}
        event = workflow.apply(
            report, "reopen", actor=actor, note=note, data={"previous": previous},
            changes=effects.reopen(at=now, hours=deadlines.deadline_hours(report.category, report.priority),
                                   clock=default_calendar()),
        )
    else:
        event = workflow.apply(report, "deny_dispute", actor=actor, note=note,
                               changes=effects.deny_dispute())
    staff_audit(actor, "decide_dispute", report, data={"agree": agree})
    _after(report, event)
    return report
