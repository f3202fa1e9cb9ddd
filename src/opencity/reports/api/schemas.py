"""Schemas of the reports API, and the helpers that shape reports, events and photos into them.

Reporters' names and phone numbers appear only in ``reporter``, which is null unless
``policy.can_view_reporter``; ``internal`` only for staff in scope (``policy.can_view_internal``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from opencity import policy
from opencity.errors import ValidationError
from opencity.lib.api import (
    CursorParam,
    Page,
    clean_idempotency_key,
    errors,
    idempotent,
    paginate,
)

from .. import selectors, workflow
from ..models import Follow, Photo, Report
from ..models import Status as ReportStatus
from ..permissions import access_report, available_actions

StatusFilter = Literal[
    "open", "done", "new", "assigned", "in_progress", "resolved", "closed", "rejected", "merged"
]
Period = Literal["7d", "30d", "90d", "365d"]
ACTION_ERRORS = errors(400, 401, 403, 404, 409, 422)


# --- schemas -----------------------------------------------------------------------------


class ChoiceOut(Schema):
    key: str
    label: str


class QuestionOut(Schema):
    code: str = Field(
        ..., description="Answer it as `answers[code]`; errors name the field `q_<code>`."
    )
    label: str
    kind: str = Field(..., description="`text`, `number`, `date`, `single` or `multiple`.")
    required: bool
    public: bool = Field(
        ..., description="The answer is shown to everyone with the report; otherwise only to "
        "the reporter and staff in charge."
    )
    choices: list[ChoiceOut]


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    group: str
    icon: str
    deadline_hours: int = Field(..., description="The processing deadline in working hours.")
    questions: list[QuestionOut]


class CategoryRef(Schema):
    id: int
    code: str
    name: str
    icon: str


class AreaRef(Schema):
    id: int
    code: str
    name: str


class UnitRef(Schema):
    id: int
    name: str
    short_name: str


class PhotoOut(Schema):
    id: int
    url: str
    thumb_url: str
    width: int
    height: int


class ReporterOut(Schema):
    name: str
    phone: str


class ReportInternalOut(Schema):
    """Only for staff whose scope covers the report."""

    description: str = Field(..., description="The original text, before moderation.")
    priority: int
    channel: str
    result_pending: bool


class ReportSummaryOut(Schema):
    id: int
    ref: str = Field(..., description="The reference people quote, e.g. PA000123.")
    status: str
    status_label: str
    category: CategoryRef
    description: str = Field(..., description="The public (moderated) text.")
    address: str
    lat: float
    lon: float
    location_precision: str = Field(
        ...,
        description="How precise `lat`/`lon` are: `exact` (a pin, GPS or the device's location), "
        "`address` (placed by geocoding a typed street address: approximate) or `area` (only the "
        "ward or commune is known: `lat`/`lon` are the ward's centre; do not draw it as a point).",
    )
    area: AreaRef
    unit: UnitRef | None
    me_too_count: int
    created_at: dt.datetime
    due_at: dt.datetime | None
    is_overdue: bool
    thumb_url: str | None
    priority: int | None = Field(None, description="Staff in scope only.")


class ReportOut(ReportSummaryOut):
    version: int = Field(
        ..., description="Send back as `version` on staff actions to detect concurrent changes."
    )
    is_public: bool
    answers: dict[str, Any] = Field(
        ...,
        description="Answers to the category's questions, keyed by question code: all of them for "
        "the reporter and staff in scope, only those to questions marked `public` for everyone else.",
    )
    status_note: str
    reject_reason: str
    result_text: str = Field(..., description="The published result (empty until resolved).")
    rating: int | None
    rating_comment: str
    merged_into: int | None
    awaiting_citizen: bool
    dispute_pending: bool
    updated_at: dt.datetime
    assigned_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    photos: list[PhotoOut]
    result_photos: list[PhotoOut]
    reporter: ReporterOut | None = Field(..., description="The reporter and staff in scope only.")
    internal: ReportInternalOut | None
    actions: list[str] = Field(..., description="What you may do now (policy action names).")
    following: bool


class ReportListOut(Page):
    items: list[ReportSummaryOut]


class EventOut(Schema):
    id: int
    action: str
    label: str
    from_status: str
    to_status: str
    note: str
    is_public: bool
    created_at: dt.datetime
    actor_role: str
    unit: UnitRef | None
    actor_name: str | None = Field(..., description="Staff in scope only.")
    data: dict[str, Any] | None = Field(..., description="Staff in scope only.")
    photos: list[PhotoOut]


class FollowOut(Schema):
    following: bool
    me_too: bool
    me_too_count: int


class ExtensionOut(Schema):
    id: int
    report_id: int
    extra_hours: int
    reason: str
    status: str
    created_at: dt.datetime


class ReportFilters(Schema):
    category: int | None = Field(None, description="A category id.")
    area: int | None = Field(None, description="A ward id (see /api/v1/areas).")
    status: StatusFilter | None = Field(None, description="A status, or `open` / `done`.")
    period: Period | None = Field(None, description="Submitted in the last 7, 30, 90 or 365 days.")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = CursorParam

    def selector_filters(self) -> dict:
        keys = ("category", "area", "status", "period")
        return {k: getattr(self, k) for k in keys if getattr(self, k)}


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = CursorParam


class SubmitForm(Schema):
    category: int | None = Field(None, description="A category id (see /api/v1/categories).")
    description: str = ""
    lat: float | None = Field(
        None, description="With `lon`: the pin. Without a pin, `address` places the report."
    )
    lon: float | None = None
    location_precision: str | None = Field(
        None,
        description="With a pin, how precise it is: `exact` (the default), `address` (the client "
        "placed the pin by geocoding a typed address and the person did not confirm it) or `area`. "
        "An unknown value is taken as `exact`. Without a pin the server places `address` itself "
        "and says how precisely in the answer.",
    )
    address: str = ""
    is_public: bool = Field(True, description="False: visible to the reporter and staff only.")
    answers: str = Field(
        "",
        description='The category\'s questions, as a JSON object string: {"<code>": value, ...}.',
    )


class RateIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = ""


class DisputeIn(Schema):
    reason: str


class AnswerIn(Schema):
    text: str


class RouteIn(Schema):
    unit_id: int | None = Field(None, description="Omit to use the unit the routing rules propose.")
    note: str = ""
    version: int | None = None


class MergeIn(Schema):
    into: int = Field(..., description="The id of the report on the same problem.")
    note: str = ""


class RejectIn(Schema):
    reason: Literal["spam", "out_of_scope", "not_enough_info", "other"]
    note: str = ""


class AcceptIn(Schema):
    note: str = ""
    version: int | None = None


class ReturnIn(Schema):
    reason: str


class AskInfoIn(Schema):
    question: str


class ResolveForm(Schema):
    result: str = ""
    version: int | None = None


class ExtensionIn(Schema):
    extra_hours: int = Field(..., ge=1, le=400, description="Extra working hours.")
    reason: str


class NoteIn(Schema):
    text: str


# --- output ------------------------------------------------------------------------------


def _unit(unit) -> dict | None:
    return {"id": unit.pk, "name": unit.name, "short_name": unit.short_name} if unit else None


def _photo(request: HttpRequest, photo: Photo) -> dict:
    return {
        "id": photo.pk,
        "url": request.build_absolute_uri(reverse("reports:photo", args=[photo.pk, "full"])),
        "thumb_url": request.build_absolute_uri(reverse("reports:photo", args=[photo.pk, "thumb"])),
        "width": photo.width,
        "height": photo.height,
    }


def _summary(request: HttpRequest, report: Report, *, thumb: Photo | None = None) -> dict:
    internal = policy.can_view_internal(request.user, report)
    category = report.category
    return {
        "id": report.pk,
        "ref": report.ref,
        "status": report.status,
        "status_label": str(ReportStatus(report.status).label),
        "category": {
            "id": category.pk,
            "code": category.code,
            "name": category.name,
            "icon": category.icon,
        },
        "description": report.public_description,
        "address": report.address,
        "lat": report.lat,
        "lon": report.lon,
        "location_precision": report.location_precision,
        "area": {"id": report.area.pk, "code": report.area.code, "name": report.area.name},
        "unit": _unit(report.unit),
        "me_too_count": report.me_too_count,
        "created_at": report.created_at,
        "due_at": report.due_at,
        "is_overdue": report.is_overdue,
        "thumb_url": request.build_absolute_uri(reverse("reports:photo", args=[thumb.pk, "thumb"]))
        if thumb
        else None,
        "priority": report.priority if internal else None,
    }


def _list_item(request: HttpRequest) -> Callable[[Report], dict]:
    def item(report: Report) -> dict:
        photos = getattr(report, "public_photos", [])
        return _summary(request, report, thumb=photos[0] if photos else None)

    return item


def _with_thumbs(qs):
    return qs.prefetch_related(
        Prefetch(
            "photos",
            queryset=Photo.objects.filter(policy.card_photo_q()),
            to_attr="public_photos",
        )
    )


def report_out(request: HttpRequest, report: Report) -> dict:
    user = request.user
    internal = policy.can_view_internal(user, report)
    show_reporter = policy.can_view_reporter(user, report)
    report_photos, results = selectors.photos_by_kind(user=user, report=report)
    photos = [_photo(request, p) for p in report_photos]
    result_photos = [_photo(request, p) for p in results]
    published = report.status in (ReportStatus.RESOLVED, ReportStatus.CLOSED)
    reporter = None
    if show_reporter:
        account = report.reporter
        reporter = {
            "name": (account.full_name if account else "") or report.reporter_name,
            "phone": (account.phone if account else "") or report.reporter_phone,
        }
    signed_in = user.is_authenticated
    return {
        **_summary(request, report, thumb=None),
        "thumb_url": photos[0]["thumb_url"] if photos else None,
        "version": report.version,
        "is_public": report.is_public,
        "answers": selectors.visible_answers(user=user, report=report),
        "status_note": report.status_note,
        "reject_reason": report.reject_reason,
        "result_text": report.result_text if (published or internal) else "",
        "rating": report.rating,
        "rating_comment": report.rating_comment,
        "merged_into": report.merged_into_id,
        "awaiting_citizen": report.awaiting_citizen,
        "dispute_pending": report.dispute_pending,
        "updated_at": report.updated_at,
        "assigned_at": report.assigned_at,
        "resolved_at": report.resolved_at,
        "closed_at": report.closed_at,
        "photos": photos,
        "result_photos": result_photos,
        "reporter": reporter,
        "internal": {
            "description": report.description,
            "priority": report.priority,
            "channel": report.channel,
            "result_pending": report.result_pending,
        }
        if internal
        else None,
        "actions": sorted(available_actions(user, report)) if signed_in else [],
        "following": signed_in and Follow.objects.filter(report=report, user=user).exists(),
    }


def event_out(request: HttpRequest, event, *, report, internal: bool) -> dict:
    photos = [p for p in event.photos.all() if policy.can_view_photo(request.user, report, p, internal=internal)]
    return {
        "id": event.pk,
        "action": event.action,
        "label": workflow.action_label(event.action),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "is_public": event.is_public,
        "created_at": event.created_at,
        "actor_role": event.actor_role,
        "unit": _unit(event.actor_unit),
        "actor_name": (str(event.actor) if event.actor else None) if internal else None,
        "data": event.data if internal else None,
        "photos": [_photo(request, p) for p in photos],
    }


def fresh(report_id: int) -> Report:
    """The report as saved, after an action (visibility was checked before it)."""
    return Report.objects.select_related("category", "area", "unit", "reporter").get(pk=report_id)


def act(
    request: HttpRequest,
    report_id: int,
    key: str | None,
    service: Callable[..., Any],
    *,
    status: int = 200,
    **params: Any,
) -> Status:
    """Check visibility (404), then run ``service(report_id=…, actor=…, **params)`` once per
    Idempotency-Key and answer with the report as it is now."""
    access_report(request.user, report_id)

    def run():
        service(report_id=report_id, actor=request.user, **params)
        return status, report_out(request, fresh(report_id))

    return Status(*idempotent(request, clean_idempotency_key(key), run))


def page(request: HttpRequest, qs, query) -> dict:
    return paginate(
        request, _with_thumbs(qs), limit=query.limit, cursor=query.cursor, item=_list_item(request)
    )


def parse_answers(raw: str) -> dict:
    if not (raw or "").strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationError(
            _("The answers must be a JSON object keyed by question code."), field="answers"
        )
    return value
