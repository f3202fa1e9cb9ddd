"""The staff's actions: the IOC's triage (route, merge, reject) and the units' work (accept,
return, ask, resolve, extensions, notes)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Status, UploadedFile

from opencity import policy
from opencity.errors import PermissionDeniedError
from opencity.lib.api import (
    NOT_MODIFIED,
    IdempotencyKey,
    clean_idempotency_key,
    conditional,
    errors,
    idempotent,
)

from .. import selectors, services
from ..permissions import access_report
from . import router
from .schemas import (
    ACTION_ERRORS,
    AcceptIn,
    AskInfoIn,
    ExtensionIn,
    ExtensionOut,
    MergeIn,
    NoteIn,
    RejectIn,
    ReportFilters,
    ReportListOut,
    ReportOut,
    ResolveForm,
    ReturnIn,
    RouteIn,
    act,
)
from .schemas import page as list_page


@router.get(
    "/triage",
    response={200: ReportListOut, **NOT_MODIFIED, **errors(400, 401, 403, 422)},
    summary="The IOC's triage queue: new reports, highest priority then oldest first",
    description="IOC operators and administrators only.",
)
def triage(request: HttpRequest, response: HttpResponse, filters: Query[ReportFilters]):
    if not policy.can_use_triage(request.user):
        raise PermissionDeniedError()
    qs = selectors.triage_queue(user=request.user, filters=filters.selector_filters())
    return conditional(request, response, list_page(request, qs, filters))


@router.get(
    "/inbox",
    response={200: ReportListOut, **NOT_MODIFIED, **errors(400, 401, 403, 422)},
    summary="My units' reports, soonest deadline first",
    description="Unit officers and ward officials only. Without `status`: assigned and in progress.",
)
def inbox(request: HttpRequest, response: HttpResponse, filters: Query[ReportFilters]):
    if not policy.can_use_unit_inbox(request.user):
        raise PermissionDeniedError()
    qs = selectors.unit_inbox(user=request.user, filters=filters.selector_filters())
    return conditional(request, response, list_page(request, qs, filters))


@router.post(
    "/reports/{int:report_id}/route",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Verify and send to a unit (IOC)",
    description="A report that is not new is a 409 `illegal_transition`; a stale `version`, a 409 `conflict`.",
)
def report_route(
    request: HttpRequest, report_id: int, payload: RouteIn, idempotency_key: IdempotencyKey = None
):
    return act(
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
    return act(
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
    return act(
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
    return act(
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
    return act(request, report_id, idempotency_key, services.report_return, reason=payload.reason)


@router.post(
    "/reports/{int:report_id}/ask-info",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Ask the reporter for more information (unit)",
)
def report_ask_info(
    request: HttpRequest, report_id: int, payload: AskInfoIn, idempotency_key: IdempotencyKey = None
):
    return act(
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
    return act(
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
    return act(
        request, report_id, idempotency_key, services.report_add_note, text=payload.text, status=201
    )
