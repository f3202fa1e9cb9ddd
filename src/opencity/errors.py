"""Domain errors and their one mapping to HTML responses.

Domain code raises subclasses of :class:`DomainError`; the API maps them in ``opencity.api``
and :class:`DomainErrorMiddleware` maps them for pages and htmx requests.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return None  # the ninja handler owns the API
        if request.headers.get("HX-Request"):
            return set_retry_after(render(
                request, "partials/error.html", {"error": exception}, status=exception.http_status
            ), exception)
        if request.method == "POST" and exception.http_status in (400, 409):
            messages.error(request, exception.message)
            back = request.headers.get("Referer") or request.path
            response = HttpResponse(status=303)
            response["Location"] = back
            return response
        return set_retry_after(
            render(request, "error.html", {"error": exception}, status=exception.http_status),
            exception,
        )
