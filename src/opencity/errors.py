"""Domain errors and their one mapping to HTML responses.

Domain code raises subclasses of :class:`DomainError`; the API maps them in ``opencity.api``
and :class:`DomainErrorMiddleware` maps them for pages and htmx requests.

A database that cannot be reached (``OperationalError``/``InterfaceError``: connections
terminated, the server restarting, a locked SQLite file) is not a bug but a moment to wait:
:func:`as_unavailable` turns it into :class:`ServiceUnavailableError` (503 with ``Retry-After``)
for both mappings, and :func:`server_error` (``handler500``) answers whatever escapes them —
in the API's JSON error shape under ``/api/``, in Open311's error format under ``/open311/``,
never an HTML 500 there.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class DomainError(Exception):
    code = "error"
    http_status = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message: str | None = None, *, code: str | None = None, field: str | None = None):
        self.message = str(message) if message is not None else str(self.default_message)
        if code:
            self.code = code
        self.field = field
        super().__init__(self.message)


class ValidationError(DomainError):
    code = "invalid"
    http_status = 400
    default_message = _("Some of the information is not valid.")


class PermissionDeniedError(DomainError):
    code = "forbidden"
    http_status = 403
    default_message = _("You are not allowed to do this.")


class NotFoundError(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class ConflictError(DomainError):
    code = "conflict"
    http_status = 409
    default_message = _("This was changed by someone else. Reload the page and try again.")


class IllegalTransitionError(ConflictError):
    code = "illegal_transition"
    default_message = _("This action is not possible in the report's current state.")


class UnprocessableError(DomainError):
    """Well formed, but not to be processed as sent: HTTP 422 (an ``Idempotency-Key`` reused
    with a different request, as the IETF httpapi draft on the header says)."""

    code = "unprocessable"
    http_status = 422
    default_message = _("This request cannot be processed as sent.")


class PayloadTooLargeError(DomainError):
    """A request body over the upload limit (``opencity.lib.uploads``): HTTP 413, refused
    before the body is read."""

    code = "too_large"
    http_status = 413
    default_message = _("This upload is too large.")


class RateLimitedError(DomainError):
    """Too many attempts or actions in a while (``opencity.accounts.throttle``): HTTP 429 with
    ``Retry-After``; the message says how long to wait."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str | None = None, *, retry_after: int = 60, limit: str = "", **kwargs):
        self.retry_after = max(1, int(retry_after))
        self.limit = limit
        if message is None:
            minutes = max(1, -(-self.retry_after // 60))
            message = ngettext(
                "Too many attempts. Please try again in %(minutes)d minute.",
                "Too many attempts. Please try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes}
        super().__init__(message, **kwargs)


class ServiceUnavailableError(DomainError):
    """The database cannot be reached for now: HTTP 503 with ``Retry-After``."""

    code = "unavailable"
    http_status = 503
    retry_after = 10
    default_message = _("The service is briefly unavailable. Please try again in a few seconds.")


DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
logger = logging.getLogger(__name__)


def as_unavailable(exception: BaseException | None) -> ServiceUnavailableError | None:
    """A :class:`ServiceUnavailableError` for a database that cannot be reached, else None."""
    if not isinstance(exception, DATABASE_UNAVAILABLE):
        return None
    logger.error("database unavailable: %s", exception)
    return ServiceUnavailableError()


def set_retry_after(response: HttpResponse, exception: Exception) -> HttpResponse:
    """Both error mappings (pages, API) tell clients when to come back."""
    retry_after = getattr(exception, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    return response


class DomainErrorMiddleware:
    """Render a DomainError raised by a view as a page (or an htmx fragment) with its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            # django-ninja answers a method an operation lacks itself, in plain text: give it the
            # API's error shape (the API's own mapping never sees it). Allow stays as ninja set it.
            from opencity.lib.api import error_body

            allow = response.get("Allow", "")
            response = JsonResponse(
                error_body("method_not_allowed", str(_("This method is not allowed here.")), None),
                status=405, json_dumps_params={"ensure_ascii": False},
            )
            if allow:
                response["Allow"] = allow
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        unavailable = as_unavailable(exception)
        if unavailable is not None:
            return error_without_database(request, unavailable)
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return None  # the ninja handler owns the API
        back = _page_sent_from(request)
        if back and request.method == "POST" and exception.http_status in (400, 409):
            # a plain form sent something refused or stale: back to the page it came from, which
            # shows the message and the state as it is now (without that page: the error page)
            messages.error(request, exception.message)
            response = HttpResponse(status=303)
            response["Location"] = back
            return response
        return error_response(request, exception)


def _page_sent_from(request: HttpRequest) -> str | None:
    """The page of this site a plain (not htmx) form was sent from, if the browser said."""
    if request.headers.get("HX-Request"):
        return None
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return None


def error_response(request: HttpRequest, error: DomainError, *, status: int | None = None) -> HttpResponse:
    """``error`` as a page, or as the error fragment for htmx, with its status (or ``status``)
    and ``Retry-After`` where it has one. The middleware's answer for a raised DomainError; a
    view calls it only where it must answer an error without raising (a middleware of its
    own, a status other than the error's)."""
    template = "partials/error.html" if request.headers.get("HX-Request") else "error.html"
    return set_retry_after(render(request, template, {"error": error}, status=status or error.http_status), error)


def form_error(form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """A service's error on a form: under its field when the form shows that field (``aliases``:
    the service's field name → the form's), else above the form."""
    name = (aliases or {}).get(error.field or "", error.field)
    shown = name in form.fields and not form.fields[name].widget.is_hidden
    form.add_error(name if shown else None, error.message)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


ErrorFormat = Callable[[HttpRequest, DomainError], HttpResponse]
_error_formats: dict[str, ErrorFormat] = {}


def register_error_format(prefix: str, render_error: ErrorFormat) -> None:
    """Errors of requests under ``prefix`` (a path such as ``"/open311/"``) are rendered by
    ``render_error`` in the format that interface's clients read, never as a page. Called by the
    app that owns the interface, from its ``AppConfig.ready()``, so that this ground-floor
    module (and ``lib/uploads.py``) imports no app. ``render_error`` must not touch the
    database: it also answers when the database cannot be reached."""
    _error_formats[prefix] = render_error


def error_format_for(request: HttpRequest) -> ErrorFormat | None:
    """The renderer an app registered for this request's path, if any."""
    for prefix, render_error in _error_formats.items():
        if request.path.startswith(prefix):
            return render_error
    return None


def error_without_database(request: HttpRequest, error: DomainError) -> HttpResponse:
    """``error`` in the form the path speaks, built without touching the database (no user, no
    session, no context processors): the API's JSON error shape, Open311's error format, or a
    small page."""
    if _is_api(request):
        from opencity.lib.api import error_body  # imports this module

        response: HttpResponse = JsonResponse(
            error_body(error.code, error.message), status=error.http_status,
            json_dumps_params={"ensure_ascii": False},
        )
    elif (render_error := error_format_for(request)) is not None:
        response = render_error(request, error)  # Open311's format (open311/apps.py)
    else:
        template = "503.html" if error.http_status == 503 else "500.html"
        response = HttpResponse(render_to_string(template, {"message": error.message}), status=error.http_status)
    return set_retry_after(response, error)


class ServerError(DomainError):
    code = "server_error"
    http_status = 500
    default_message = _("Something went wrong on our side. Please try again in a few minutes.")


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: what escaped every other mapping (an exception in a middleware, or a
    bug). A database that cannot be reached is still a 503; under ``/api/`` and ``/open311/``
    the answer keeps their error format."""
    unavailable = as_unavailable(sys.exc_info()[1])
    if unavailable is not None:
        return error_without_database(request, unavailable)
    if _is_api(request) or error_format_for(request) is not None:
        return error_without_database(request, ServerError())
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)
