"""The JSON API for the mobile client (django-ninja), mounted at ``/api/``.

One NinjaAPI instance; the routers live in each app's ``api.py`` and the shared plumbing
(authentication, error shape, pagination, idempotency) in ``opencity.lib.api``. Every error
leaves through :func:`error_response`, the one mapping from exceptions to HTTP for the API
(``opencity.errors.DomainErrorMiddleware`` is its counterpart for pages).
"""

from __future__ import annotations

import logging
import threading

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.renderers import JSONRenderer

from opencity.accounts import api_auth
from opencity.accounts.api import notifications_router
from opencity.accounts.api import router as auth_router
from opencity.catalog.api import news_router, services_router
from opencity.errors import (
    DATABASE_UNAVAILABLE,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    as_unavailable,
    set_retry_after,
)
from opencity.geo.api import router as geo_router
from opencity.incidents.api import router as incidents_router
from opencity.incidents.api import shelters_router
from opencity.lib.api import (
    AUTH,
    JSONEncoder,
    SafeParser,
    Unauthenticated,
    error_body,
    install_authentication,
)
from opencity.monitoring.api import router as monitoring_router
from opencity.reports.api import router as reports_router

DESCRIPTION = """
The API of OpenCity's mobile client: field reports (submit, follow, rate; the IOC's and units'
processing), categories, wards, API tokens, one's profile (home ward, location shared for
warnings) and notifications.

**Authentication.** `Authorization: Bearer <token>` with a token from `POST /api/v1/auth/token`,
or the web session (then unsafe methods need Django's CSRF token in `X-CSRFToken`). Public reads
work without either.

**Errors** always have the shape `{"error": {"code": ..., "message": ..., "field": ...}}`.
`message` is for people, in the language of `Accept-Language` (Vietnamese by default, English);
`code` is for programs; `field` names the input at fault, or is null.

| status | when | example codes |
|---|---|---|
| 400 | the input breaks a rule of the city (empty description, outside the city, 6 photos…), or holds a NUL character | `invalid`, `required`, `outside_city`, `too_many_photos`, `nul_character` |
| 401 | no credentials, or a wrong, expired or revoked token; a staff session or token without the second factor | `unauthenticated`, `invalid_token`, `token_expired`, `invalid_credentials`, `second_factor_required` |
| 403 | signed in but not allowed | `forbidden`, `csrf_failed` |
| 404 | does not exist, or not visible to you | `not_found` |
| 409 | not possible in the report's current state, or changed by someone else (`version`) | `illegal_transition`, `conflict` |
| 422 | **schema validation**: the request does not match this document (wrong type, missing JSON field, value out of range); an `Idempotency-Key` reused for a different request | `invalid`, `required`, `idempotency_key_reused` |
| 429 | too many attempts (wrong passwords or codes) or actions; retry after `Retry-After` seconds | `rate_limited` |
| 503 | the database is briefly unreachable; retry after `Retry-After` seconds | `unavailable` |

**Idempotency.** Every POST accepts an `Idempotency-Key` header. Submitting a report stores it on
the report: a retried submit returns the first report with the same status (201) and creates
nothing. Other POSTs replay their first successful response for 24 hours (kept in the
database, so any server process recognises the retry). The same key with a different request
(another body, another report) is a 422 `idempotency_key_reused`; a submit key used by another
person is a 409 `conflict`.

**Lists** take `limit` (at most 100) and answer `{"items": [...], "next": url|null, "limit": n}`.
`next` carries an opaque `cursor`: follow it to the next page (pages do not shift when reports
are added meanwhile); a cursor that cannot be read is a 400 naming the field `cursor`.

**Conditional reads.** Reads answer with a weak `ETag`; send it back as `If-None-Match` and an
unchanged answer is a `304 Not Modified` without a body.
"""


class Renderer(JSONRenderer):
    """UTF-8 JSON: Vietnamese text stays readable and about half the size of ``\\u`` escapes."""

    encoder_class = JSONEncoder
    json_dumps_params = {"ensure_ascii": False}


class OpenCityAPI(NinjaAPI):
    """The schema at ``/api/openapi.json`` is built once per process and language, on its first
    request: building it took 0.4–0.55 s of a core each time, so a few anonymous clients asking
    for it again and again stalled every other request (issue #13). Routes do not change while
    the process lives. Callers must not change the returned dict (it is shared)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict[tuple[str, str], dict] = {}
        self._schema_lock = threading.Lock()

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language() or "")
        schema = self._schemas.get(key)
        if schema is None:
            with self._schema_lock:  # one thread builds it, the others wait for it
                schema = self._schemas.get(key)
                if schema is None:
                    schema = super().get_openapi_schema(path_prefix=path_prefix)
                    self._schemas[key] = schema
        return schema


# What a bearer token and a session prove is the accounts' business (lib knows no app).
install_authentication(
    token=api_auth.token_authenticate, session=api_auth.session_authenticate
)

api = OpenCityAPI(
    title="OpenCity API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=AUTH,
    renderer=Renderer(),
    parser=SafeParser(),  # refuses a NUL character in any input (400)
)


def _schema_field(loc) -> str | None:
    """The input a schema error is about: ('form', 'lat') → 'lat', ('query', 'limit') → 'limit',
    ('body', 'payload', 'rating') → 'rating' (a JSON body is named by the view's parameter,
    which is not an input), ('body', 'payload') → None (the body as a whole)."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    rest = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return rest[-1] if rest else None


def _as_domain_error(exc: Exception) -> DomainError:
    if isinstance(exc, DomainError):
        return exc
    unavailable = as_unavailable(exc)  # the database cannot be reached: 503, Retry-After
    if unavailable is not None:
        return unavailable
    if isinstance(exc, SchemaValidationError):
        first = exc.errors[0] if exc.errors else {}
        field = _schema_field(first.get("loc", ()))
        if first.get("type") == "missing":
            error = DomainError(_("This field is required."), code="required", field=field)
        else:
            error = DomainError(_("This value is not valid."), code="invalid", field=field)
        error.http_status = 422
        return error
    if isinstance(exc, AuthenticationError):
        return Unauthenticated()
    if isinstance(exc, Http404):
        return NotFoundError()
    if isinstance(exc, PermissionDenied):
        return PermissionDeniedError()
    if isinstance(exc, DjangoValidationError):
        field = next(iter(exc.message_dict), None) if hasattr(exc, "error_dict") else None
        return DomainError(" ".join(exc.messages), code="invalid", field=field)
    if isinstance(exc, SuspiciousOperation):
        logging.getLogger(f"django.security.{exc.__class__.__name__}").error(str(exc))
        return DomainError(_("The request could not be read."), code="bad_request")
    if isinstance(exc, HttpError):
        if exc.status_code == 403:
            return PermissionDeniedError()
        if exc.status_code == 400:  # ninja could not parse the body
            if isinstance(exc.__cause__, DomainError):  # our parser refused it (lib.api.SafeParser)
                return exc.__cause__
            return DomainError(_("The request could not be read."), code="bad_request")
        error = DomainError(
            _("Too many requests. Wait a moment and try again.")
            if exc.status_code == 429
            else None,
            code="throttled" if exc.status_code == 429 else "error",
        )
        error.http_status = exc.status_code
        return error
    raise exc  # not ours: Django's 500 handling logs it


def error_response(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The one mapping from an exception to an API response: ``{"error": {code, message, field}}``."""
    error = _as_domain_error(exc)
    response = api.create_response(
        request, error_body(error.code, error.message, error.field), status=error.http_status
    )
    if error.http_status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return set_retry_after(response, error)


for _exc_class in (
    DomainError,
    SchemaValidationError,
    HttpError,
    Http404,
    PermissionDenied,
    DjangoValidationError,
    SuspiciousOperation,
    *DATABASE_UNAVAILABLE,
):
    api.add_exception_handler(_exc_class, error_response)


api.add_router("/v1/auth", auth_router)
api.add_router("/v1/notifications", notifications_router)
api.add_router("/v1/areas", geo_router)
api.add_router("/v1/incidents", incidents_router)
api.add_router("/v1/shelters", shelters_router)
api.add_router("/v1/monitoring", monitoring_router)
api.add_router("/v1/services", services_router)
api.add_router("/v1/news", news_router)
api.add_router("/v1", reports_router)

# Last: any other URL under /api/ (an unknown path, or an id that is not a number) is a 404 in
# the error shape, not Django's HTML page.
fallback_router = Router(auth=None)


@fallback_router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:path}", include_in_schema=False
)
def not_found(request: HttpRequest, path: str):
    raise NotFoundError()


api.add_router("", fallback_router)
