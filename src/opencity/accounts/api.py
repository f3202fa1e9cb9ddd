"""API: sign in for a token, list and revoke one's tokens; one's notification inbox.

The notification endpoints live here until the notifications app has its own ``api.py``:
they are the signed-in person's own inbox, like the tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja import Field, Query, Router, Schema, Status

from opencity.errors import NotFoundError
from opencity.lib.api import (
    CursorParam,
    IdempotencyKey,
    Page,
    Unauthenticated,
    clean_idempotency_key,
    errors,
    idempotent,
    paginate,
)
from opencity.lib.audit import audit
from opencity.lib.phone import normalize_phone
from opencity.notifications import selectors as notification_selectors
from opencity.notifications import services as notification_services
from opencity.notifications.models import Notification

from . import services
from .models import ApiToken, Role

router = Router(tags=["auth"])
notifications_router = Router(tags=["notifications"])


# --- tokens ------------------------------------------------------------------------------


class TokenIn(Schema):
    phone: str = Field(
        ..., max_length=32, description="A Vietnamese phone number, e.g. 0905 123 456."
    )
    password: str = Field(..., max_length=256)
    name: str = Field(
        "app", max_length=80, description="A label to recognise the token by, e.g. the device."
    )
    otp: str | None = Field(
        None,
        max_length=12,
        description="The current code of the authenticator app; required for accounts with two-factor sign-in.",
    )


class TokenCreatedOut(Schema):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`. Shown only once.")
    id: int
    name: str
    prefix: str
    created_at: dt.datetime


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    current: bool = Field(..., description="This request was authenticated with this token.")


def _check_second_factor(user, otp: str | None) -> None:
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not devices:
        return
    code = (otp or "").strip()
    if not code:
        raise Unauthenticated(
            _("Enter the code from your authenticator app."), code="otp_required", field="otp"
        )
    if not any(d.verify_token(code) for d in devices):
        raise Unauthenticated(
            _("That code is not right. Try the current one."), code="invalid_otp", field="otp"
        )


@router.post(
    "/token",
    auth=None,
    response={201: TokenCreatedOut, **errors(400, 401, 422)},
    summary="Sign in: exchange phone number and password for an API token",
    description=(
        "Returns a new bearer token (shown once; only its hash is kept). Accounts with two-factor "
        "sign-in must also send `otp`. Wrong credentials are a 401 with code `invalid_credentials`."
    ),
)
def token_create(request: HttpRequest, payload: TokenIn, idempotency_key: IdempotencyKey = None):
    phone = normalize_phone(payload.phone)
    user = authenticate(request, phone=phone, password=payload.password)
    if user is None:
        raise Unauthenticated(_("Wrong phone number or password."), code="invalid_credentials")
    _check_second_factor(user, payload.otp)
    raw = services.api_token_issue(user=user, name=payload.name.strip() or "app")
    token = ApiToken.objects.get(key_hash=hashlib.sha256(raw.encode()).hexdigest())
    if user.role != Role.CITIZEN:
        audit(user, "api_token_issue", user, summary=token.prefix)
    return Status(
        201,
        {
            "token": raw,
            "id": token.pk,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": token.created_at,
        },
    )


@router.get(
    "/tokens",
    response={200: list[TokenOut], **errors(401)},
    summary="List my active API tokens",
)
def token_list(request: HttpRequest):
    current = getattr(getattr(request, "api_token", None), "pk", None)
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by(
        "-created_at"
    )
    return [
        {
            "id": t.pk,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "current": t.pk == current,
        }
        for t in tokens
    ]


@router.delete(
    "/tokens/{int:token_id}",
    response={204: None, **errors(401, 403, 404)},
    summary="Revoke one of my API tokens",
    description="The token stops working at once. Revoking the token used for this request is allowed (sign out).",
)
def token_revoke(request: HttpRequest, token_id: int):
    if not ApiToken.objects.filter(
        user=request.user, pk=token_id, revoked_at__isnull=True
    ).exists():
        raise NotFoundError(_("This token does not exist."))
    services.api_token_revoke(user=request.user, token_id=token_id)
    return Status(204, None)


# --- notifications -----------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    verb: str = Field(
        ..., description="What happened, e.g. `route`, `resolve` (the report action)."
    )
    title: str
    body: str
    url: str = Field(..., description="The web page it refers to.")
    report_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationQuery(Schema):
    limit: int = Field(50, ge=1, le=100)
    cursor: str | None = CursorParam


class NotificationListOut(Page):
    items: list[NotificationOut]
    unread: int


class MarkReadIn(Schema):
    id: int | None = Field(None, description="One notification; omit to mark all as read.")


class MarkReadOut(Schema):
    marked: int


@notifications_router.get(
    "",
    response={200: NotificationListOut, **errors(400, 401, 422)},
    summary="My notifications, newest first",
)
def notification_list(request: HttpRequest, query: Query[NotificationQuery]):
    # The selector returns a sliced list; keyset pages need the unsliced, ordered queryset
    # (newest first, then id: ``Notification.Meta.ordering``).
    qs = Notification.objects.filter(user=request.user).select_related("report")
    page = paginate(request, qs, limit=query.limit, cursor=query.cursor, item=_notification_out)
    page["unread"] = notification_selectors.notification_unread_count(user=request.user)
    return page


def _notification_out(n) -> dict:
    return {
        "id": n.pk,
        "verb": n.verb,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "report_id": n.report_id,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@notifications_router.post(
    "/read",
    response={200: MarkReadOut, **errors(400, 401, 403, 422)},
    summary="Mark one or all of my notifications as read",
)
def notification_read(
    request: HttpRequest, payload: MarkReadIn | None = None, idempotency_key: IdempotencyKey = None
):
    def run():
        n = notification_services.notification_mark_read(
            user=request.user, notification_id=payload.id if payload else None
        )
        return 200, {"marked": n}

    return Status(*idempotent(request, clean_idempotency_key(idempotency_key), run))
