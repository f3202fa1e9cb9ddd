"""Public reads: categories, the public list, one report and its timeline.

Every read answers with a weak ``ETag``; a matching ``If-None-Match`` is a 304 without a body.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query
from ninja.decorators import decorate_view

from opencity import policy
from opencity.lib.api import NOT_MODIFIED, OPTIONAL_AUTH, OPTIONAL_AUTH_OPENAPI, conditional, errors
from opencity.lib.pagecache import visitor_cache

from .. import selectors
from ..permissions import access_report
from . import router
from .schemas import (
    CategoryOut,
    EventOut,
    ReportFilters,
    ReportListOut,
    ReportOut,
    event_out,
    report_out,
)
from .schemas import page as list_page


@router.get(
    "/categories",
    auth=OPTIONAL_AUTH,
    response={200: list[CategoryOut], **NOT_MODIFIED},
    summary="Report categories with their extra questions",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def category_list(request: HttpRequest, response: HttpResponse):
    body = [
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
                    "public": q.public,
                    "choices": [{"key": k, "label": label} for k, label in q.choice_pairs()],
                }
                for q in c.questions.all()
            ],
        }
        for c in selectors.category_list()
    ]
    return conditional(request, response, body)


@router.get(
    "/reports",
    auth=OPTIONAL_AUTH,
    response={200: ReportListOut, **NOT_MODIFIED, **errors(400, 401, 422)},
    summary="Public reports, newest first",
    description="Public reports only (private, rejected and merged ones are left out), whoever asks.",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def report_list(request: HttpRequest, response: HttpResponse, filters: Query[ReportFilters]):
    qs = selectors.report_list(
        user=None, filters={**filters.selector_filters(), "public_only": True}
    )
    return conditional(request, response, list_page(request, qs, filters))


@router.get(
    "/reports/{int:report_id}",
    auth=OPTIONAL_AUTH,
    response={200: ReportOut, **NOT_MODIFIED, **errors(401, 404)},
    summary="One report",
    description=(
        "Visible if public, or to its reporter and to staff whose scope covers it (404 otherwise). "
        "`reporter`, `answers` and `internal` are null for everyone else."
    ),
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
@decorate_view(visitor_cache("api-report", lambda report_id: selectors.report_page_stamp(report_id)))
def report_detail(request: HttpRequest, response: HttpResponse, report_id: int):
    return conditional(
        request, response, report_out(request, access_report(request.user, report_id))
    )


@router.get(
    "/reports/{int:report_id}/timeline",
    auth=OPTIONAL_AUTH,
    response={200: list[EventOut], **NOT_MODIFIED, **errors(401, 404)},
    summary="The report's history, oldest first",
    description="Public events; internal ones (notes, extension requests…) only for staff in scope.",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def report_timeline(request: HttpRequest, response: HttpResponse, report_id: int):
    report = access_report(request.user, report_id)
    internal = policy.can_view_internal(request.user, report)
    body = [
        event_out(request, e, report=report, internal=internal)
        for e in selectors.timeline(user=request.user, report=report, photos=True)
    ]
    return conditional(request, response, body)
