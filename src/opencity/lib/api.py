"""Plumbing shared by the JSON API's routers: authentication, the error shape, pagination and
idempotent POSTs.

It lives apart from ``opencity.api`` (the NinjaAPI instance and its one exception handler) so
that the app routers can import it without importing the instance that imports them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Schema
from ninja.parser import Parser
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from opencity.errors import DomainError, PermissionDeniedError, UnprocessableError, ValidationError
from opencity.lib.params import MAX_ID
from opencity.lib.text import NUL, find_nul, nul_error

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class JSONEncoder(NinjaJSONEncoder):
    """Every time to the millisecond, always written with them (``…T07:16:07.000Z``).

    Django's encoder drops the fraction only when the microseconds are zero, so a time 500 µs
    past the second was written ``.000Z`` and, read back by a response schema, ``Z``: a replayed
    answer differed from the first one. One encoder for the API's answers and for the answers
    it keeps (idempotency) writes the same instant the same way."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat(timespec="milliseconds")
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)

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
# lib knows no account: what a bearer token or a session proves is decided by the two checks
# installed where the NinjaAPI is built (``opencity.api`` installs ``accounts.api_auth``'s).

_checks: dict[str, Callable[..., Any]] = {}


def install_authentication(
    *, token: Callable[[HttpRequest, str], Any], session: Callable[[HttpRequest], Any]
) -> None:
    """Set the checks behind :class:`TokenAuth` (request, raw token → the user, or raise
    ``Unauthenticated``) and :class:`SessionAuth` (request → the user or None, or raise)."""
    _checks.update(token=token, session=session)


def _check(name: str) -> Callable[..., Any]:
    try:
        return _checks[name]
    except KeyError:
        raise ImproperlyConfigured(
            "opencity.lib.api.install_authentication() was not called (opencity.api calls it)"
        ) from None


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: a token from ``POST /api/v1/auth/token``, checked by
    the installed token check (``accounts.api_auth.token_authenticate``). A present but bad
    token is a 401 at once: it does not fall back to the session."""

    def authenticate(self, request: HttpRequest, token: str):
        return _check("token")(request, token)


class SessionAuth(APIKeyCookie):
    """The Django session of the web pages, for a person the installed session check accepts
    (``accounts.api_auth.session_authenticate``: active, second factor where required). Unsafe
    methods must pass Django's CSRF check (token requests never need it: a cross-site page
    cannot set the Authorization header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, and only for a signed-in session

    def __call__(self, request: HttpRequest):
        user = _check("session")(request)
        if user is None:
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


# --- reading input ------------------------------------------------------------------------


class SafeParser(Parser):
    """ninja's parser, refusing a NUL character anywhere in the input — a query parameter, a
    form field, a JSON body (keys and values, at any depth) — with a 400 naming the field, for
    every operation of the API (``lib.text``: PostgreSQL cannot store it, SQLite would)."""

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        field = find_nul(data)
        if field is not None:
            # ninja turns any error here into HttpError(400) raised *from* it: ``opencity.api``
            # answers with this one
            raise nul_error(field or None)
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        for key, values in data.lists():
            if NUL in key or any(isinstance(v, str) and NUL in v for v in values):
                raise nul_error(key.replace(NUL, "") or None)
        return super().parse_querydict(data, list_fields, request)


# --- pagination --------------------------------------------------------------------------


class Page(Schema):
    """Fields shared by every list. ``next`` is the URL of the next page (it carries an opaque
    ``cursor``), or null on the last page: clients follow it and never build cursors."""

    next: str | None = None
    limit: int


CursorParam = Field(
    None,
    max_length=512,
    description="Opaque: take it from the `next` URL of the previous page; omit for the first.",
)


def _order_keys(qs) -> list[tuple[str, bool]]:
    """``[(field, descending), ...]`` of the queryset's ordering, ending with the primary key
    (ties are broken by it, in the direction of the last key) so that every row has its own
    place: what keyset pagination needs to stay stable while rows are inserted."""
    ordering = list(qs.query.order_by or qs.model._meta.ordering or [])
    keys: list[tuple[str, bool]] = []
    for entry in ordering:
        if not isinstance(entry, str) or "__" in entry or entry == "?":
            raise TypeError(f"cursor pagination needs plain field names, not {entry!r}")
        name = entry.lstrip("-")
        name = "id" if name == "pk" else name
        keys.append((name, entry.startswith("-")))
    if not any(name == "id" for name, _desc in keys):
        keys.append(("id", keys[-1][1] if keys else False))
    return keys


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _decode(field, raw: Any) -> Any:
    if raw is None:
        if not field.null:
            raise ValueError("null")
        return None
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        value = parse_datetime(str(raw))
        if value is not None and value.utcoffset() is not None:
            value.astimezone(dt.UTC)  # 9999-12-31T23:59-14:00 is past the calendar: OverflowError
    elif internal == "DateField":
        value = parse_date(str(raw))
    elif internal in ("CharField", "TextField", "SlugField"):
        value = raw if isinstance(raw, str) and NUL not in raw else None
    else:
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        if value is not None and abs(value) > MAX_ID:
            raise ValueError("out of the database's range")
    if value is None:
        raise ValueError("type")
    return value


def encode_cursor(keys: list[tuple[str, bool]], row) -> str:
    values = [_encode(getattr(row, name)) for name, _desc in keys]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _bad_cursor() -> ValidationError:
    return ValidationError(
        _("This cursor is not valid. Start again from the first page."),
        code="invalid",
        field="cursor",
    )


def decode_cursor(model, keys: list[tuple[str, bool]], cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("shape")
        return [
            _decode(model._meta.get_field(name), value)
            for (name, _desc), value in zip(keys, values, strict=True)
        ]
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
        raise _bad_cursor() from exc


def _after(keys: list[tuple[str, bool]], values: list[Any], model) -> Q:
    """Rows strictly after ``values`` in the order ``keys`` (NULLs last in either direction)."""
    condition = Q(pk__in=[])  # nothing
    equal = Q()
    for (name, desc), value in zip(keys, values, strict=True):
        nullable = model._meta.get_field(name).null
        if value is None:
            beyond = Q(pk__in=[])  # NULLs come last: nothing is beyond them in this key
            same = Q(**{f"{name}__isnull": True})
        else:
            beyond = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
            if nullable:
                beyond |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        condition |= equal & beyond
        equal &= same
    return condition


def paginate(
    request: HttpRequest,
    qs,
    *,
    limit: int,
    cursor: str | None,
    item: Callable[[Any], dict],
) -> dict:
    """One page of ``qs`` in its own order, after ``cursor`` (keyset pagination).

    The cursor is the last row's sort key plus its primary key, base64-encoded JSON: pages do
    not shift when reports are added meanwhile, and a page costs one indexed query at any depth.
    A cursor that cannot be read is a 400 naming the field ``cursor``.
    """
    limit = max(1, min(int(limit), MAX_PAGE))
    keys = _order_keys(qs)
    ordering = [
        (F(name).desc(nulls_last=True) if desc else F(name).asc(nulls_last=True))
        if qs.model._meta.get_field(name).null
        else (f"-{name}" if desc else name)
        for name, desc in keys
    ]
    qs = qs.order_by(*ordering)
    if cursor:
        qs = qs.filter(_after(keys, decode_cursor(qs.model, keys, cursor), qs.model))
    rows = list(qs[: limit + 1])
    next_url = None
    if len(rows) > limit:
        params = request.GET.copy()
        params.pop("offset", None)
        params["cursor"] = encode_cursor(keys, rows[limit - 1])
        params["limit"] = str(limit)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"items": [item(r) for r in rows[:limit]], "next": next_url, "limit": limit}


# --- conditional reads (ETag / If-None-Match) ----------------------------------------------


def etag_for(body: Any, *extra: Any) -> str:
    """A weak ETag from the response's content (and whatever else it depends on): equal for
    equal answers, whatever the serialisation details."""
    blob = json.dumps([body, *extra], cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return f'W/"{hashlib.sha256(blob.encode()).hexdigest()[:32]}"'


def _matches(header: str, etag: str) -> bool:
    wanted = etag.removeprefix("W/")
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


def conditional(request: HttpRequest, response: HttpResponse, body: Any, *extra: Any):
    """Answer a GET with ``body`` and its ETag, or with a bodiless 304 when the client's
    ``If-None-Match`` already names it. ``response`` is ninja's temporal response (its
    headers are copied onto the answer). The tag covers the user, since answers differ by it."""
    user_id = getattr(getattr(request, "user", None), "pk", None)
    etag = etag_for(body, user_id, get_language(), *extra)
    response["ETag"] = etag
    response["Vary"] = "Accept-Language, Authorization, Cookie"
    header = request.headers.get("If-None-Match")
    if header and _matches(header, etag):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        not_modified["Vary"] = response["Vary"]
        return not_modified
    return body


NOT_MODIFIED = {304: None}


# --- idempotent POSTs --------------------------------------------------------------------

IDEMPOTENCY_DESCRIPTION = (
    "Optional, at most 64 characters (a UUID is a good choice). A retried request with the "
    "same key, by the same user, on the same URL, within 24 hours, returns the first response "
    "(status and body) and changes nothing. The same key with a different request (another "
    "body or query) is a 422 `idempotency_key_reused`."
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
    """The key as stored, or None; a key with control characters (a NUL…) is a 400."""
    key = (key or "").strip()
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        raise ValidationError(
            _("The Idempotency-Key may hold printable characters only."),
            code="invalid",
            field="Idempotency-Key",
        )
    return key or None


# A stored answer, with what identifies the request it answered (older records: the bare body).
_ENVELOPE = "opencity.idempotency.v2"


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what a request asks for beyond its method and path: the query, and the body —
    the raw bytes of a JSON body, the fields and files (name, size, content) of a form."""
    digest = hashlib.sha256()
    digest.update(json.dumps(sorted(request.GET.lists())).encode())
    content_type = request.content_type or ""
    try:
        raw = b"" if content_type in ("multipart/form-data", "application/x-www-form-urlencoded") else request.body
    except RawPostDataException:  # the body was read as a stream: its parsed fields stand for it
        content_type, raw = "multipart/form-data", b""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        digest.update(json.dumps(sorted(request.POST.lists())).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"\0{name}\0{upload.name}\0{upload.size}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(raw)
    return digest.hexdigest()


def _key_reused() -> UnprocessableError:
    return UnprocessableError(
        _("This Idempotency-Key was already used for a different request. Use a new key for a "
          "new request; resend exactly the same request to get its first answer."),
        code="idempotency_key_reused",
        field="Idempotency-Key",
    )


def _stored_answer(record, fingerprint: str) -> tuple[int, Any]:
    body = record.body
    if isinstance(body, dict) and body.get("format") == _ENVELOPE:
        if body.get("request") != fingerprint:
            raise _key_reused()
        return record.status, body.get("response")
    return record.status, body  # stored before requests were fingerprinted: replayed as is


def idempotent(
    request: HttpRequest, key: str | None, run: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run ``run`` once per (user, method, path, key); replay its successful response after.

    The first response is kept in the database (``lib.IdempotencyRecord``), so a retry
    is recognised by any process. Records older than 24 hours are removed
    lazily, by the next keyed POST. Errors are not stored, so a failed request may be
    retried. The action and its record are one transaction: an acknowledged action always has
    its record (a crash between them cannot make a retry act twice), and of two *concurrent*
    first attempts the second to commit is rolled back and answers with the first one's record. Submitting a report does not come here: its key is stored on
    the report itself (``client_token``).

    The record also keeps the request's fingerprint (``request_fingerprint``, inside the stored
    body: no schema change): the same key with a different query or body is refused with a
    422 rather than answered with the first response, which would tell the client that its
    second, different request was carried out (the IETF httpapi Idempotency-Key draft).
    """
    from opencity.lib.models import IdempotencyRecord

    key = clean_idempotency_key(key)
    user = getattr(request, "user", None)
    if key is None or user is None or not user.is_authenticated:
        return run()
    ident = {"user": user, "key": key, "method": request.method, "path": request.path}
    since = timezone.now() - dt.timedelta(seconds=IDEMPOTENCY_TTL_SECONDS)
    IdempotencyRecord.objects.filter(created_at__lt=since).delete()  # indexed; usually nothing
    fingerprint = request_fingerprint(request)
    stored = IdempotencyRecord.objects.filter(**ident, created_at__gte=since).first()
    if stored is not None:
        return _stored_answer(stored, fingerprint)
    try:
        # The action and its record commit together: a crash or a lost connection between
        # them would otherwise let the retry act again (the drill saw routes answered 409).
        with transaction.atomic():
            status, body = run()
            plain = json.loads(json.dumps(body, cls=JSONEncoder))
            envelope = {"format": _ENVELOPE, "request": fingerprint, "response": plain}
            with transaction.atomic():
                IdempotencyRecord.objects.create(**ident, status=status, body=envelope)
    except IntegrityError:
        # A concurrent first attempt committed its record first: this one's action was rolled
        # back with it, and the first answer is the answer.
        first = IdempotencyRecord.objects.filter(**ident).first()
        if first is not None:
            return _stored_answer(first, fingerprint)
        raise
    return status, body
