"""The reporter's and the public's actions: my reports, submit, follow, me-too, rate, dispute,
answer the unit's question."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Status, UploadedFile

from opencity.lib.api import (
    NOT_MODIFIED,
    IdempotencyKey,
    clean_idempotency_key,
    conditional,
    errors,
    idempotent,
)

from .. import limits, selectors, services
from ..models import Follow, Report
from ..permissions import access_report
from . import router
from .schemas import (
    ACTION_ERRORS,
    AnswerIn,
    DisputeIn,
    FollowOut,
    PageQuery,
    RateIn,
    ReportListOut,
    ReportOut,
    SubmitForm,
    act,
    parse_answers,
    report_out,
)
from .schemas import page as list_page


@router.get(
    "/reports/mine",
    response={200: ReportListOut, **NOT_MODIFIED, **errors(400, 401, 422)},
    summary="Reports I submitted or follow, newest first",
)
def report_mine(request: HttpRequest, response: HttpResponse, page: Query[PageQuery]):
    body = list_page(request, selectors.report_mine(user=request.user), page)
    return conditional(request, response, body)


# --- submit ------------------------------------------------------------------------------


@router.post(
    "/reports",
    response={201: ReportOut, **errors(400, 401, 403, 409, 422, 429)},
    summary="Submit a field report (multipart form)",
    description=(
        "Fields as `multipart/form-data`, with 0–5 `photos` files. The `Idempotency-Key` header "
        "becomes the report's client token: a retried submit returns the first report (201) and "
        "creates nothing; the same key from another person is a 409, the same key with another "
        "category, description or visibility a 422. Rule violations are a 400 "
        "naming the field: `category`, `description`, `location`, `photos`, `answers`, `q_<code>`. "
        "An account may submit 10 reports in 10 minutes and 50 a day, a client address 30 in 10 "
        "minutes (by default): past that, 429 `rate_limited` with `Retry-After` (a retry that "
        "replays a report already made with the same key is never refused)."
    ),
)
def report_create(
    request: HttpRequest,
    form: Form[SubmitForm],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: IdempotencyKey = None,
):
    limits.count_submit(request, user=request.user, client_token=clean_idempotency_key(idempotency_key))
    report = services.report_submit(
        reporter=request.user,
        category=form.category,
        description=form.description,
        lat=form.lat,
        lon=form.lon,
        location_precision=form.location_precision,
        address=form.address,
        is_public=form.is_public,
        photos=photos or [],
        answers=parse_answers(form.answers),
        client_token=clean_idempotency_key(idempotency_key),
        channel="api",
    )
    # The report as the service left it or found it (category, ward and unit loaded): no re-read.
    return Status(201, report_out(request, report))


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
    return act(
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
    return act(request, report_id, idempotency_key, services.report_dispute, reason=payload.reason)


@router.post(
    "/reports/{int:report_id}/answer",
    response={200: ReportOut, **ACTION_ERRORS},
    summary="Answer the unit's question (the reporter)",
)
def report_answer(
    request: HttpRequest, report_id: int, payload: AnswerIn, idempotency_key: IdempotencyKey = None
):
    return act(request, report_id, idempotency_key, services.report_answer_info, text=payload.text)
