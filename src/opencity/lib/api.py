"""Plumbing shared by the JSON API's routers: authentication, the error shape, pagination and
idempotent POSTs.

It lives apart from ``opencity.api`` (the NinjaAPI instance and its one exception handler) so
that the app routers can import it without importing the instance that imports them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Header, Schema
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from opencity.errors import DomainError, PermissionDeniedError

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
IDEMPOTENCY_KEY_MAX = 64  # the length of Report.client_token
MAX_PAGE = 100


class Unauthenticated(DomainError):
    """No (valid) credentials: HTTP 401. Only the API uses it; pages redirect to the login."""

    code = "unauthenticated"
    http_status = 401
    default_message = _("Sign in to do this.")


# --- the error shape ---------------------------------------------------------------------


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorBody


def errors(*statuses: int) -> dict[int, type[Schema]]:
    """``response=`` entries documenting the error statuses an operation can answer with."""
    return {status: ErrorOut for status in statuses}


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "field": field}}


# --- authentication ----------------------------------------------------------------------


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: a token from ``POST /api/v1/auth/token``.

    Only the token's SHA-256 is stored. A present but unknown, revoked or disabled-user token
    is a 401 at once (it does not fall back to the session). ``last_used_at`` is written at
    most once a minute per token, so reads do not turn into a write per request.
    """

    def authenticate(self, request: HttpRequest, token: str):
        from opencity.accounts.models import ApiToken

        token = token.strip()
        found = None
        if token:
            found = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=_hash_token(token), revoked_at__isnull=True, user__is_active=True)
                .first()
            )
        if found is None:
            raise Unauthenticated(
                _("This token is not valid or was revoked."), code="invalid_token"
            )
        now = timezone.now()
        if found.last_used_at is None or found.last_used_at < now - TOKEN_TOUCH_INTERVAL:
            # A last-seen stamp, not a state change: one guarded UPDATE, never a race.
            ApiToken.objects.filter(pk=found.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_TOUCH_INTERVAL)
            ).update(last_used_at=now)
            found.last_used_at = now
        request.user = found.user
        request.api_token = found
        return found.user


class SessionAuth(APIKeyCookie):
    """The Django session of the web pages. Unsafe methods must pass Django's CSRF check
    (token requests never need it: a cross-site page cannot set the Authorization header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, and only for a signed-in session

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise PermissionDeniedError(
                _("The security check failed. Reload the page and try again."), code="csrf_failed"
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None):  # pragma: no cover - unused
        return self(request)


def anonymous(request: HttpRequest) -> bool:
    """Last in ``OPTIONAL_AUTH``: let visitors through (``request.user`` stays anonymous)."""
    return True


AUTH = [TokenAuth(), SessionAuth()]
OPTIONAL_AUTH = [TokenAuth(), SessionAuth(), anonymous]
# OpenAPI: an empty requirement marks authentication as optional on public operations.
OPTIONAL_AUTH_OPENAPI = {"security": [{}]}


# --- pagination --------------------------------------------------------------------------


class Page(Schema):
    """Fields shared by every list. ``next`` is the URL of the next page, or null: clients
    should follow it rather than compute offsets (a later version switches to cursors behind
    the same field)."""

    next: str | None = None
    limit: int
    offset: int


def paginate(
    request: HttpRequest, qs, *, limit: int, offset: int, item: Callable[[Any], dict]
) -> dict:
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, int(offset))
    rows = list(qs[offset : offset + limit + 1])
    next_url = None
    if len(rows) > limit:
        params = request.GET.copy()
        params["offset"] = str(offset + limit)
        params["limit"] = str(limit)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {
        "items": [item(r) for r in rows[:limit]],
        "next": next_url,
        "limit": limit,
        "offset": offset,
    }


# --- idempotent POSTs --------------------------------------------------------------------

IDEMPOTENCY_DESCRIPTION = (
    "Optional, at most 64 characters (a UUID is a good choice). A retried request with the "
    "same key, by the same user, on the same URL, within 24 hours, returns the first response "
    "(status and body) and changes nothing."
)


# Declare on every POST: ``idempotency_key: IdempotencyKey = None``.
IdempotencyKey = Header[
    str | None,
    {
        "alias": "Idempotency-Key",
        "description": IDEMPOTENCY_DESCRIPTION,
        "max_length": IDEMPOTENCY_KEY_MAX,
    },
]


def clean_idempotency_key(key: str | None) -> str | None:
    return (key or "").strip() or None


def idempotent(
    request: HttpRequest, key: str | None, run: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run ``run`` once per (user, method, path, key); replay its successful response after.

    Responses are kept in Django's cache (``CACHES``): replays work across processes only when
    that cache is shared (Redis, database). Errors are not stored, so a failed request may be
    retried. Submitting a report does not need this: its key is stored on the report itself.
    """
    key = clean_idempotency_key(key)
    if key is None:
        return run()
    user_id = getattr(request.user, "pk", None) or "-"
    digest = hashlib.sha256(f"{user_id}|{request.method}|{request.path}|{key}".encode()).hexdigest()
    cache_key = f"opencity:api:idem:{digest}"
    stored = cache.get(cache_key)
    if stored is not None:
        return stored
    status, body = run()
    cache.set(cache_key, (status, body), IDEMPOTENCY_TTL_SECONDS)
    return status, body
