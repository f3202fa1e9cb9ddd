"""Request bodies are sized up before they are read (issue #13, finding 6).

Every upload we take is photos, so the limits follow from the photo settings:

- :class:`UploadLimitMiddleware` answers **413** from the ``Content-Length`` header alone,
  before anything reads the body (the CSRF check reads ``request.POST``, which parses a
  multipart body and spools its files to disk). The limit is ``OPENCITY_UPLOAD_MAX_BYTES``, or
  the one a view declares with :func:`upload_policy` (the photo-location probe: one photo).
  A view that declares ``login_required`` is refused to visitors before the body is read too.
- :class:`LimitedUploadHandler`, first of ``FILE_UPLOAD_HANDLERS``, counts what is actually
  streamed: a file past ``OPENCITY_PHOTO_MAX_BYTES`` is counted but no longer kept
  (:class:`OversizedUpload` stands for it, so the form says which photo is too large), and a
  body past the request's limit stops the parse with 413, whatever the headers said.
- :class:`BodySizeLimitASGI` wraps the ASGI application: Django's ASGI handler reads the
  whole body into a temporary file before any middleware runs, so the limit is applied to the
  stream there, with or without a ``Content-Length``.

Under WSGI Django never reads past ``Content-Length`` (and reads nothing without one), so the
header check bounds what reaches the disk; a proxy in front should have its own limit too
(docs/deployment.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from opencity.errors import (
    DomainError,
    PayloadTooLargeError,
    PermissionDeniedError,
    error_format_for,
)
from opencity.errors import (
    error_response as error_page,
)

FORM_OVERHEAD = 64 * 1024  # multipart headers and the small fields beside the photos
_NO_BODY = ("GET", "HEAD", "OPTIONS", "TRACE")
_MB = 1024 * 1024


@dataclass(frozen=True)
class UploadPolicy:
    """What a view accepts: ``photos`` files at most (None: the site-wide limit), only from a
    signed-in person (``login_required``), errors as ``{"error": message}`` JSON (``json``)."""

    photos: int | None = None
    login_required: bool = False
    json: bool = False

    def max_bytes(self) -> int:
        if self.photos is None:
            return settings.OPENCITY_UPLOAD_MAX_BYTES
        return self.photos * settings.OPENCITY_PHOTO_MAX_BYTES + FORM_OVERHEAD

    def too_large(self) -> PayloadTooLargeError:
        if self.photos == 1:
            return PayloadTooLargeError(
                _("The photo is larger than %(mb)d MB.")
                % {"mb": settings.OPENCITY_PHOTO_MAX_BYTES // _MB}
            )
        return PayloadTooLargeError(
            _(
                "This upload is too large: at most %(mb)d MB in all and %(photo_mb)d MB per photo. "
                "Choose fewer or smaller photos."
            )
            % {"mb": self.max_bytes() // _MB, "photo_mb": settings.OPENCITY_PHOTO_MAX_BYTES // _MB}
        )


DEFAULT_POLICY = UploadPolicy()


def upload_policy(*, photos: int | None = None, login_required: bool = False, json: bool = False):
    """Declare what a view accepts in its body; :class:`UploadLimitMiddleware` applies it
    before the body is read. Put it outermost (above ``require_POST``…)."""
    policy = UploadPolicy(photos=photos, login_required=login_required, json=json)

    def decorate(view):
        view.upload_policy = policy
        return view

    return decorate


def policy_for(request: HttpRequest) -> UploadPolicy:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return DEFAULT_POLICY
    return getattr(match.func, "upload_policy", DEFAULT_POLICY)


def error_response(request: HttpRequest, error: DomainError, policy: UploadPolicy) -> HttpResponse:
    """The refusal in the shape the caller reads: the API's error body, the format an app
    registered for its paths (Open311's: ``errors.register_error_format``), the JSON of a fetch
    endpoint, an htmx fragment or the error page."""
    if request.path.startswith("/api/"):
        from opencity.lib.api import error_body

        return JsonResponse(
            error_body(error.code, error.message),
            status=error.http_status,
            json_dumps_params={"ensure_ascii": False},
        )
    if (render_error := error_format_for(request)) is not None:
        return render_error(request, error)
    if policy.json:
        return JsonResponse({"error": error.message}, status=error.http_status)
    return error_page(request, error)


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class UploadLimitMiddleware:
    """Refuse an oversized body (413) or a visitor's upload (403) before it is read. Must come
    after ``AuthenticationMiddleware``; it runs before any view or ``process_view`` (CSRF)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _NO_BODY:
            return self.get_response(request)
        policy = policy_for(request)
        request.upload_limit = policy.max_bytes()
        length = _content_length(request)
        if length is not None and length > request.upload_limit:
            return self._refuse(request, policy)
        if policy.login_required and not request.user.is_authenticated:
            return error_response(
                request, PermissionDeniedError(_("Sign in first, please.")), policy
            )
        response = self.get_response(request)
        if getattr(request, "upload_refused", False):  # the handler stopped the parse
            return self._refuse(request, policy)
        return response

    def _refuse(self, request: HttpRequest, policy: UploadPolicy) -> HttpResponse:
        response = error_response(request, policy.too_large(), policy)
        response["Connection"] = "close"  # the unread body is not ours to drain
        return response


class UploadTooBig(RequestDataTooBig):
    """The streamed body went past the request's limit (Django answers 400 to this
    SuspiciousOperation; :class:`UploadLimitMiddleware` turns it into a 413)."""


class OversizedUpload(UploadedFile):
    """Stands for a file that went past ``OPENCITY_PHOTO_MAX_BYTES``: its bytes were counted,
    not kept. ``size`` is what arrived; the photo checks (``lib.images``) refuse it by size
    with the message that names the file."""

    def __init__(self, name, content_type, size, charset=None, content_type_extra=None):
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)


class LimitedUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: counts every file's bytes as they stream in."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = getattr(request, "upload_limit", None) or settings.OPENCITY_UPLOAD_MAX_BYTES
        self.total = 0
        self.received = 0
        self.oversized = False

    def _refuse(self):
        if self.request is not None:
            self.request.upload_refused = True
        raise UploadTooBig(f"upload past {self.limit} bytes")

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit:
            self._refuse()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        self.received += len(raw_data)
        if self.total > self.limit:
            self._refuse()
        if self.received > settings.OPENCITY_PHOTO_MAX_BYTES:
            self.oversized = True
            return None  # counted, not passed on: the next handlers keep nothing more
        return raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None  # the memory or temporary-file handler has it
        return OversizedUpload(
            self.file_name, self.content_type, self.received, self.charset, self.content_type_extra
        )


class BodySizeLimitASGI:
    """ASGI wrapper: a body over ``OPENCITY_UPLOAD_MAX_BYTES`` is refused with 413, by its
    ``Content-Length`` before a byte is read, or as soon as the stream passes the limit
    (chunked bodies have no length). Django's ASGI handler would otherwise spool it all."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = settings.OPENCITY_UPLOAD_MAX_BYTES
        for name, value in scope.get("headers", ()):
            if name.lower() == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    return await self._refuse(send)
        received = 0
        cut = False

        async def limited_receive():
            nonlocal received, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut = True  # Django stops reading and answers nothing: we do
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, limited_receive, send)
        if cut:
            await self._refuse(send)

    async def _refuse(self, send):
        from asgiref.sync import sync_to_async

        body = await sync_to_async(_too_large_text)()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"connection", b"close"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _too_large_text() -> bytes:
    return str(DEFAULT_POLICY.too_large().message).encode()
