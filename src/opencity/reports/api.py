"""API: field reports — categories, the public list, submit, the citizen's and the staff's actions.

Every state change calls a service from ``reports.services``; visibility comes from
``reports.permissions`` / ``opencity.policy``. An action first fetches the report as the user
may see it (404 if they may not), then the service checks the action itself (403) and the
state machine (409). Reporters' names and phone numbers appear only in ``reporter``, which is
null unless ``policy.can_view_reporter``.
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
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from opencity import policy
from opencity.errors import PermissionDeniedError, ValidationError
from opencity.lib.api import (
    OPTIONAL_AUTH,
    OPTIONAL_AUTH_OPENAPI,
    IdempotencyKey,
    Page,
    clean_idempotency_key,
    errors,
    idempotent,
    paginate,
)

from . import selectors, services, workflow
from .models import Follow, Photo, PhotoKind, Report
from .models import Status as ReportStatus
from .permissions import access_report, available_actions

router = Router(tags=["reports"])

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
    answers: dict[str, Any] | None = Field(..., description="The reporter and staff in scope only.")
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
    offset: int = Field(0, ge=0)

    def selector_filters(self) -> dict:
        keys = ("category", "area", "status", "period")
        return {k: getattr(self, k) for k in keys if getattr(self, k)}


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


class SubmitForm(Schema):
    category: int | None = Field(None, description="A category id (see /api/v1/categories).")
    description: str = ""
    lat: float | None = Field(
        None, description="With `lon`: the pin. Without a pin, `address` places the report."
    )
    lon: float | None = None
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
            queryset=Photo.objects.filter(kind=PhotoKind.REPORT, is_hidden=False),
            to_attr="public_photos",
        )
    )


def _report_out(request: HttpRequest, report: Report) -> dict:
    user = request.user
    internal = policy.can_view_internal(user, report)
    show_reporter = policy.can_view_reporter(user, report)
    photos = [
        _photo(request, p)
        for p in selectors.visible_photos(user=user, report=report, kind=PhotoKind.REPORT)
    ]
    result_photos = [
        _photo(request, p)
        for p in selectors.visible_photos(user=user, report=report, kind=PhotoKind.RESULT)
    ]
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
        "answers": report.answers if show_reporter else None,
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


def _event_out(request: HttpRequest, event, *, internal: bool) -> dict:
    photos = [p for p in event.photos.all() if internal or not p.is_hidden]
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


def _fresh(report_id: int) -> Report:
    """The report as saved, after an action (visibility was checked before it)."""
    return Report.objects.select_related("category", "area", "unit", "reporter").get(pk=report_id)


def _act(
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
        return status, _report_out(request, _fresh(report_id))

    return Status(*idempotent(request, clean_idempotency_key(key), run))


def _page(request: HttpRequest, qs, query) -> dict:
    return paginate(
        request, _with_thumbs(qs), limit=query.limit, offset=query.offset, item=_list_item(request)
    )


def _parse_answers(raw: str) -> dict:
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


# --- public reads ------------------------------------------------------------------------


@router.get(
    "/categories",
    auth=OPTIONAL_AUTH,
    response={200: list[CategoryOut]},
    summary="Report categories with their extra questions",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def category_list(request: HttpRequest):
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "group": c.group,
            "icon": c.icon,
            "deadline_hours": c.deadline_hours,
            "questions": [
                {
                    "code": q.code,
                    "label": q.label,
                    "kind": q.kind,
                    "required": q.required,
                    "choices": [{"key": k, "label": label} for k, label in q.choice_pairs()],
                }
                for q in c.questions.all()
            ],
        }
        for c in selectors.category_list()
    ]


@router.get(
    "/reports",
    auth=OPTIONAL_AUTH,
    response={200: ReportListOut, **errors(401, 422)},
    summary="Public reports, newest first",
    description="Public reports only (private, rejected and merged ones are left out), whoever asks.",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def report_list(request: HttpRequest, filters: Query[ReportFilters]):
    qs = selectors.report_list(
        user=None, filters={**filters.selector_filters(), "public_only": True}
    )
    return _page(request, qs, filters)


@router.get(
    "/reports/mine",
    response={200: ReportListOut, **errors(401, 422)},
    summary="Reports I submitted or follow, newest first",
)
def report_mine(request: HttpRequest, page: Query[PageQuery]):
    return _page(request, selectors.report_mine(user=request.user), page)


@router.get(
    "/reports/{int:report_id}",
    auth=OPTIONAL_AUTH,
    response={200: ReportOut, **errors(401, 404)},
    summary="One report",
    description=(
        "Visible if public, or to its reporter and to staff whose scope covers it (404 otherwise). "
        "`reporter`, `answers` and `internal` are null for everyone else."
    ),
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def report_detail(request: HttpRequest, report_id: int):
    return _report_out(request, access_report(request.user, report_id))


@router.get(
    "/reports/{int:report_id}/timeline",
    auth=OPTIONAL_AUTH,
    response={200: list[EventOut], **errors(401, 404)},
    summary="The report's history, oldest first",
    description="Public events; internal ones (notes, extension requests…) only for staff in scope.",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def report_timeline(request: HttpRequest, report_id: int):
    report = access_report(request.user, report_id)
    internal = policy.can_view_internal(request.user, report)
    return [
        _event_out(request, e, internal=internal)
        for e in selectors.timeline(user=request.user, report=report)
    ]


# --- submit ------------------------------------------------------------------------------


@router.post(
    "/reports",
    response={201: ReportOut, **errors(400, 401, 403, 409, 422)},
    summary="Submit a field report (multipart form)",
    description=(
        "Fields as `multipart/form-data`, with 0–5 `photos` files. The `Idempotency-Key` header "
        "becomes the report's client token: a retried submit returns the first report (201) and "
        "creates nothing; the same key from another person is a 409. Rule violations are a 400 "
        "naming the field: `category`, `description`, `location`, `photos`, `answers`, `q_<code>`."
    ),
)
def report_create(
    request: HttpRequest,
    form: Form[SubmitForm],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: IdempotencyKey = None,
):
    report = services.report_submit(
        reporter=request.user,
        category=form.category,
        description=form.description,
        lat=form.lat,
        lon=form.lon,
        address=form.address,
        is_public=form.is_public,
        photos=photos or [],
        answers=_parse_answers(form.answers),
        client_token=clean_idempotency_key(idempotency_key),
        channel="api",
    )
    return Status(201, _report_out(request, _fresh(report.pk)))


# --- the reporter's and the public's actions ---------------------------------------------


def _follow_out(report_id: int, user) -> dict:
    follow = Follow.objects.filter(report_id=report_id, user=user).first()
    count = Report.objects.filter(pk=report_id).values_list("me_too_count", flat=True).first() or 0
    return {
        "following": follow is not None,
        "me_too": bool(follow and follow.me_too),
        "me_too_count": count,
    }


@router.post(
    "/reports/{int:report_id}/follow",
    response={200: FollowOut, **ACTION_ERRORS},
    summary="Follow a report (be notified of its progress)",
)
def report_follow(request: HttpRequest, report_id: int, idempotency_key: IdempotencyKey = None):
    access_report(request.user, report_id)

    def run():
        services.report_follow(report_id=report_id, actor=request.user)
        return 200, _follow_out(report_id, request.user)

    return Status(*idempotent(request, clean_idempotency_key(idempotency_key), run))


@router.delete(
    "/reports/{int:report_id}/follow",
    response={204: None, **errors(401, 404)},
    summary="Stop following a report",
)
def report_unfollow(request: HttpRequest, report_id: int):
    access_report(request.user, report_id)
    services.report_unfollow(report_id=report_id, actor=request.user)
    return Status(204, None)


@router.post(
    "/reports/{int:report_id}/me-too",
    response={200: FollowOut, **ACTION_ERRORS},
    summary="“Me too”: I am affected as well (also follows the report)",
    description="Counted once per person; enough of them raise the report's priority in triage.",
)
def report_me_too(request: HttpRequest, report_id: int, idempotency_key: IdempotencyKey = None):
    access_report(request.user, report_id)

    def run():
        services.report_follow(report_id=report_id, actor=request.user, me_too=True)
        return 200, _follow_out(report_id, request.user)

    return Status(*idempotent(request, clean_idempotency_key(idempotency_key), run))


@router.post(
    "/reports/{int:report_id}/rate",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Rate the result, 1–5 (the reporter; closes the report)",
)
def report_rate(
    request: HttpRequest, report_id: int, payload: RateIn, idempotency_key: IdempotencyKey = None
):
    return _act(
        request,
        report_id,
        idempotency_key,
        services.report_rate,
        rating=payload.rating,
        comment=payload.comment,
    )


@router.post(
    "/reports/{int:report_id}/dispute",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Dispute the result (the reporter, within the dispute window)",
)
def report_dispute(
    request: HttpRequest, report_id: int, payload: DisputeIn, idempotency_key: IdempotencyKey = None
):
    return _act(request, report_id, idempotency_key, services.report_dispute, reason=payload.reason)


@router.post(
    "/reports/{int:report_id}/answer",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Answer the unit's question (the reporter)",
)
def report_answer(
    request: HttpRequest, report_id: int, payload: AnswerIn, idempotency_key: IdempotencyKey = None
):
    return _act(request, report_id, idempotency_key, services.report_answer_info, text=payload.text)


# --- staff -------------------------------------------------------------------------------


@router.get(
    "/triage",
    response={200: ReportListOut, **errors(401, 403, 422)},
    summary="The IOC's triage queue: new reports, highest priority then oldest first",
    description="IOC operators and administrators only.",
)
def triage(request: HttpRequest, filters: Query[ReportFilters]):
    if not policy.can_use_triage(request.user):
        raise PermissionDeniedError()
    qs = selectors.triage_queue(user=request.user, filters=filters.selector_filters())
    return _page(request, qs, filters)


@router.get(
    "/inbox",
    response={200: ReportListOut, **errors(401, 403, 422)},
    summary="My units' reports, soonest deadline first",
    description="Unit officers and ward officials only. Without `status`: assigned and in progress.",
)
def inbox(request: HttpRequest, filters: Query[ReportFilters]):
    if not policy.can_use_unit_inbox(request.user):
        raise PermissionDeniedError()
    qs = selectors.unit_inbox(user=request.user, filters=filters.selector_filters())
    return _page(request, qs, filters)


@router.post(
    "/reports/{int:report_id}/route",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Verify and send to a unit (IOC)",
    description="A report that is not new is a 409 `illegal_transition`; a stale `version`, a 409 `conflict`.",
)
def report_route(
    request: HttpRequest, report_id: int, payload: RouteIn, idempotency_key: IdempotencyKey = None
):
    return _act(
        request,
        report_id,
        idempotency_key,
        services.report_route,
        unit_id=payload.unit_id,
        note=payload.note,
        expected_version=payload.version,
    )


@router.post(
    "/reports/{int:report_id}/merge",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Merge into a report on the same problem (IOC)",
)
def report_merge(
    request: HttpRequest, report_id: int, payload: MergeIn, idempotency_key: IdempotencyKey = None
):
    return _act(
        request,
        report_id,
        idempotency_key,
        services.report_merge,
        into_id=payload.into,
        note=payload.note,
    )


@router.post(
    "/reports/{int:report_id}/reject",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Reject: spam, out of scope, not enough information, other (IOC)",
)
def report_reject(
    request: HttpRequest, report_id: int, payload: RejectIn, idempotency_key: IdempotencyKey = None
):
    return _act(
        request,
        report_id,
        idempotency_key,
        services.report_reject,
        reason=payload.reason,
        note=payload.note,
    )


@router.post(
    "/reports/{int:report_id}/accept",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Accept an assigned report (unit)",
)
def report_accept(
    request: HttpRequest, report_id: int, payload: AcceptIn, idempotency_key: IdempotencyKey = None
):
    return _act(
        request,
        report_id,
        idempotency_key,
        services.report_accept,
        note=payload.note,
        expected_version=payload.version,
    )


@router.post(
    "/reports/{int:report_id}/return",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Return to the IOC for re-routing: not our jurisdiction (unit)",
)
def report_return(
    request: HttpRequest, report_id: int, payload: ReturnIn, idempotency_key: IdempotencyKey = None
):
    return _act(request, report_id, idempotency_key, services.report_return, reason=payload.reason)


@router.post(
    "/reports/{int:report_id}/ask-info",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Ask the reporter for more information (unit)",
)
def report_ask_info(
    request: HttpRequest, report_id: int, payload: AskInfoIn, idempotency_key: IdempotencyKey = None
):
    return _act(
        request, report_id, idempotency_key, services.report_ask_info, question=payload.question
    )


@router.post(
    "/reports/{int:report_id}/resolve",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Resolve with a public result and photos (unit; multipart form)",
    description=(
        "`result` and 0–5 `photos` files as `multipart/form-data`. Where the unit requires it, an "
        "officer's result waits for the unit head's approval (`internal.result_pending`)."
    ),
)
def report_resolve(
    request: HttpRequest,
    report_id: int,
    form: Form[ResolveForm],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: IdempotencyKey = None,
):
    return _act(
        request,
        report_id,
        idempotency_key,
        services.report_resolve,
        result=form.result,
        photos=photos or [],
        expected_version=form.version,
    )


@router.post(
    "/reports/{int:report_id}/extensions",
    response={201: ExtensionOut, **ACTION_ERRORS},
    summary="Ask for more time (unit; the head or the IOC decides)",
)
def report_extension(
    request: HttpRequest,
    report_id: int,
    payload: ExtensionIn,
    idempotency_key: IdempotencyKey = None,
):
    access_report(request.user, report_id)

    def run():
        ext = services.report_request_extension(
            report_id=report_id,
            actor=request.user,
            extra_hours=payload.extra_hours,
            reason=payload.reason,
        )
        return 201, {
            "id": ext.pk,
            "report_id": report_id,
            "extra_hours": ext.extra_hours,
            "reason": ext.reason,
            "status": ext.status,
            "created_at": ext.created_at,
        }

    return Status(*idempotent(request, clean_idempotency_key(idempotency_key), run))


@router.post(
    "/reports/{int:report_id}/notes",
    response={201: ReportOut, **ACTION_ERRORS},
    summary="Add an internal note (staff in scope; never shown to citizens)",
)
def report_note(
    request: HttpRequest, report_id: int, payload: NoteIn, idempotency_key: IdempotencyKey = None
):
    return _act(
        request, report_id, idempotency_key, services.report_add_note, text=payload.text, status=201
    )
