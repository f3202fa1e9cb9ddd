"""Open311 GeoReport v2 at ``/open311/v2/``: parse the parameters, call a selector or a service,
render XML or JSON (``serializers``).

Every failure leaves in the specification's error format, with 404 for an unknown resource,
``service_code``, ``jurisdiction_id`` or token, 403 for a missing or wrong ``api_key``, 429 past
a key's rate limit or the client's submit limit (with ``Retry-After``), 405 for a wrong method
and 400 for anything else. An optional parameter sent empty is treated as absent.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from opencity.errors import DomainError, NotFoundError, ValidationError
from opencity.lib.text import refuse_nul
from opencity.lib.urls import site_url
from opencity.reports import limits as submit_limits

from . import selectors, serializers, services
from .serializers import FORMATS, ListOf

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,100})\](\[\])?")
MAX_ID = 2**63 - 1
MAX_LIST = 1000
MAX_ATTRIBUTES = 100
# When this endpoint's shape last changed (discovery's changeset when no category was edited
# since).
CHANGESET = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def clean(value: str | None, name: str | None = None) -> str | None:
    """A parameter as we use it: a NUL refused (400, ``lib.text``), other control characters
    dropped, stripped, empty → None."""
    if value is None:
        return None
    refuse_nul(value, field=name)
    value = _CONTROL.sub("", value).strip()
    return value or None


def _error_status(exc: DomainError) -> int:
    return exc.http_status if exc.http_status in (403, 404, 405, 429) else 400


def error_response(fmt: str, exc: DomainError) -> HttpResponse:
    field = services.open311_field(exc.field)
    description = f"{field}: {exc.message}" if field else exc.message
    status = _error_status(exc)
    response = serializers.render_errors(fmt, [(status, description)], status=status)
    if getattr(exc, "retry_after", None):  # a key's rate (Throttled) or a client's (RateLimitedError)
        response["Retry-After"] = str(exc.retry_after)
    return response


class MethodNotAllowed(DomainError):
    code = "method_not_allowed"
    http_status = 405


def open311(*methods: str):
    """The frame of every endpoint: the format suffix (unknown → 404), the method (→ 405), the
    jurisdiction (unknown → 404), and DomainError → the error format."""

    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in FORMATS:
                return not_found(request)
            try:
                if request.method not in allowed:
                    raise MethodNotAllowed(
                        _("Use %(methods)s here.") % {"methods": " or ".join(methods)}
                    )
                jurisdiction = param(request, "jurisdiction_id")
                if (
                    jurisdiction is not None
                    and jurisdiction != settings.OPENCITY_OPEN311_JURISDICTION
                ):
                    raise NotFoundError(
                        _("Unknown jurisdiction_id; this server serves %(j)s.")
                        % {"j": settings.OPENCITY_OPEN311_JURISDICTION},
                        field="jurisdiction_id",
                    )
                return view(request, fmt, **kwargs)
            except DomainError as exc:
                response = error_response(fmt, exc)
                if isinstance(exc, MethodNotAllowed):
                    response["Allow"] = ", ".join(sorted(allowed))
                return response

        return csrf_exempt(wrapper)  # POST is authenticated by api_key, never by a cookie

    return decorate


def _data(request: HttpRequest):
    """The parameters: the form body for POST (then the query string), the query for GET."""
    if request.method == "POST":
        try:
            return [request.POST, request.GET]
        except (SuspiciousOperation, MultiPartParserError, BadRequest):
            raise ValidationError(_("The request body could not be read.")) from None
    return [request.GET]


def param(request: HttpRequest, name: str) -> str | None:
    for source in _data(request):
        value = clean(source.get(name), name)
        if value is not None:
            return value
    return None


def _extensions(request: HttpRequest) -> bool:
    """``extensions=true`` (the GeoReport v2 extensions): each request also carries
    ``extended_attributes`` (the public answers to the category's questions)."""
    return (param(request, "extensions") or "").lower() == "true"


def _list(value: str | None) -> list[str]:
    return [item for item in (clean(v) for v in (value or "").split(",")) if item]


# --- dates --------------------------------------------------------------------------------

_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")
_SPACE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def parse_w3c(value: str, *, name: str) -> dt.datetime:
    """A W3C datetime (2010-01-01T00:00:00Z, 2010-01-01T07:00+07:00, 2010-01-01, 2010-01, 2010);
    without a time zone, the city's. A '+' left unencoded in a URL arrives as a space: read it
    as '+'."""
    text = _SPACE_OFFSET.sub(r"+\1", value)
    try:
        match = _YEAR_MONTH.fullmatch(text)
        if match:
            parsed = dt.datetime(int(match[1]), int(match[2] or 1), 1)
        else:
            parsed = dt.datetime.fromisoformat(text)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        parsed.astimezone(dt.UTC)  # fails for dates at the edge of the calendar
        if not 1900 <= parsed.year <= 2999:
            raise ValueError
        return parsed
    except (ValueError, OverflowError):
        raise ValidationError(
            _("Use a W3C datetime, e.g. 2025-01-31T00:00:00+07:00."), field=name
        ) from None


def _window(start: str | None, end: str | None) -> tuple[dt.datetime, dt.datetime | None]:
    """The requested_datetime window: at most 90 days; the last 90 days by default. With only
    one end given, the other is 90 days away from it."""
    begin = parse_w3c(start, name="start_date") if start else None
    finish = parse_w3c(end, name="end_date") if end else None
    if begin is None and finish is None:
        return timezone.now() - selectors.MAX_WINDOW, None
    if begin is None:
        return finish - selectors.MAX_WINDOW, finish
    if finish is None:
        return begin, begin + selectors.MAX_WINDOW
    if finish < begin:
        raise ValidationError(_("end_date is before start_date."), field="end_date")
    if finish - begin > selectors.MAX_WINDOW:
        raise ValidationError(
            _("The range from start_date to end_date may not exceed 90 days."),
            field="start_date/end_date",
        )
    return begin, finish


def _is_id(text: str) -> bool:
    """Digits only, and small enough for the database (int() refuses over 4300 digits)."""
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_ID


def _ids(value: str | None) -> list[int]:
    items = _list(value)
    if len(items) > MAX_LIST:
        raise ValidationError(_("At most 1000 ids at once."), field="service_request_id")
    ids = []
    for item in items:
        if not _is_id(item):
            raise ValidationError(
                _("A comma-separated list of numbers, please."), field="service_request_id"
            )
        ids.append(int(item))
    return ids


# --- endpoints ----------------------------------------------------------------------------


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "xml"})).rsplit(
        "/", 1
    )[0]


@open311("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    from opencity.lib.models import AuditLog

    edited = (
        AuditLog.objects.filter(target_type__in=["reports.category", "reports.categoryquestion"])
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    changeset = max(CHANGESET, edited) if edited else CHANGESET
    body = {
        "changeset": changeset,
        "contact": _("%(site)s — %(url)s") % {"site": settings.SITE_NAME, "url": site_url(request)},
        "key_service": _(
            "API keys for submitting service requests are issued by the city's administrators: "
            "ask them through %(url)s."
        )
        % {"url": site_url(request)},
        "endpoints": ListOf(
            "endpoint",
            [
                {
                    "specification": serializers.SPECIFICATION,
                    "url": _base_url(request),
                    "changeset": changeset,
                    "type": "production",
                    "formats": ListOf("format", ["text/xml", "application/json"]),
                }
            ],
        ),
    }
    return serializers.render(fmt, "discovery", body)


@open311("GET")
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    items = [serializers.service(c) for c in selectors.service_list()]
    return serializers.render(fmt, "services", ListOf("service", items))


@open311("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    category = selectors.service_get(clean(service_code) or "")
    if category is None:
        raise NotFoundError(_("There is no service with this service_code."), field="service_code")
    return serializers.render(fmt, "service_definition", serializers.service_definition(category))


@open311("GET", "POST")
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    ids = _ids(param(request, "service_request_id"))
    filters = selectors.RequestFilters(ids=ids)
    if not ids:
        statuses = _list(param(request, "status"))
        if any(s not in (serializers.OPEN, serializers.CLOSED) for s in statuses):
            raise ValidationError(
                _("status is open, closed, or both (open,closed)."), field="status"
            )
        codes = _list(param(request, "service_code"))
        if len(codes) > MAX_LIST or any(len(c) > 100 for c in codes):
            raise ValidationError(
                _("A comma-separated list of service codes, please."), field="service_code"
            )
        start, end = _window(param(request, "start_date"), param(request, "end_date"))
        filters = selectors.RequestFilters(
            service_codes=codes, start=start, end=end, statuses=statuses
        )
    extensions = _extensions(request)
    reports = selectors.service_request_list(filters, extensions=extensions)
    items = [serializers.service_request(r, request=request, extensions=extensions) for r in reports]
    return serializers.render(fmt, "service_requests", ListOf("request", items))


def _posted(request: HttpRequest) -> services.PostedRequest:
    names = [f for f in services.PostedRequest.__dataclass_fields__ if f != "attributes"]
    values = {name: param(request, name) for name in names}
    attributes: dict = {}
    for key, raw_values in request.POST.lists():
        match = _ATTRIBUTE.fullmatch(key)
        if not match:
            continue
        refuse_nul(key, field="attribute")
        if len(attributes) >= MAX_ATTRIBUTES:
            raise ValidationError(_("Too many attributes."), field="attribute")
        code = match[1]
        cleaned = [v for v in (clean(r, key) for r in raw_values[:MAX_LIST]) if v is not None]
        if match[2]:
            attributes[code] = cleaned
        elif cleaned:
            attributes[code] = cleaned[-1]
    return services.PostedRequest(**values, attributes=attributes)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = services.api_key_authenticate(param(request, "api_key"))
    services.api_key_hit(key)
    posted = _posted(request)
    # Besides the key's own rate: the same per-client limit as the web form and the API (there is
    # no account of ours to count; reports/limits.py).
    submit_limits.count_submit(request)
    report = services.service_request_submit(api_key=key, params=posted)
    body = ListOf("request", [serializers.created(report, account_id=posted.account_id)])
    return serializers.render(fmt, "service_requests", body)


@open311("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    report = None
    extensions = _extensions(request)
    if _is_id(request_id):
        report = selectors.service_request_get(int(request_id), extensions=extensions)
    if report is None:
        raise NotFoundError(
            _("There is no service request with this id."), field="service_request_id"
        )
    item = serializers.service_request(report, request=request, extensions=extensions)
    return serializers.render(fmt, "service_requests", ListOf("request", [item]))


@open311("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """We create service requests at once and never issue tokens: every token is unknown."""
    raise NotFoundError(
        _(
            "Unknown token: this server returns a service_request_id at once and never issues tokens."
        ),
        field="token",
    )


def not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Anything else under /open311/v2/ (a path without a format, an unknown format): 404 in the
    error format — JSON if the path asked for it, otherwise XML, the format every client reads."""
    fmt = "json" if request.path.endswith(".json") else "xml"
    return serializers.render_errors(
        fmt, [(404, _("Not found. See discovery.xml for the endpoints."))], status=404
    )
