"""API: sign in for a token, list and revoke one's tokens; one's profile (home ward, shared
location); one's notification inbox.

The notification endpoints live here until the notifications app has its own ``api.py``:
they are the signed-in person's own inbox, like the tokens.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError
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
from opencity.lib.phone import normalize_phone
from opencity.notifications import selectors as notification_selectors
from opencity.notifications import services as notification_services

from . import services, signin, throttle
from .api_auth import RotationAuth
from .models import ApiToken, User

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
    expires_at: dt.datetime = Field(
        ..., description="The token stops working then (401 `token_expired`): rotate it before."
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    current: bool = Field(..., description="This request was authenticated with this token.")


def _check_second_factor(user, otp: str | None) -> bool:
    """True when a code was verified. Accounts with an authenticator app must send its current
    code; staff must have one (they enrol on the website: 403 `two_factor_setup_required`)."""
    if not signin.has_device(user):
        if signin.second_factor_required(user):
            raise PermissionDeniedError(
                _(
                    "Staff accounts sign in with two factors. Log in on the website once to set up "
                    "your authenticator app, then sign in here with its code."
                ),
                code="two_factor_setup_required",
            )
        return False
    code = (otp or "").strip()
    if not code:
        raise Unauthenticated(
            _("Enter the code from your authenticator app."), code="otp_required", field="otp"
        )
    if signin.totp_check(user, code) is None:
        raise Unauthenticated(
            _("That code is not right. Try the current one."), code="invalid_otp", field="otp"
        )
    return True


def _token_created(raw: str, token: ApiToken) -> dict:
    return {
        "token": raw,
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
    }


@router.post(
    "/token",
    auth=None,
    response={201: TokenCreatedOut, **errors(400, 401, 403, 422, 429)},
    summary="Sign in: exchange phone number and password for an API token",
    description=(
        "Returns a new bearer token (shown once; only its hash is kept), valid for "
        "`OPENCITY_API_TOKEN_DAYS` (90 by default) until `expires_at`: rotate it before with "
        "`POST /auth/token/rotate`. Accounts with two-factor sign-in must also send `otp`, the "
        "current code of their authenticator app; staff accounts must have one (403 "
        "`two_factor_setup_required` until they set it up on the website). Wrong credentials are "
        "a 401 `invalid_credentials`, a wrong code a 401 `invalid_otp`. Failed attempts are "
        "limited per account, per client address and per account from that address: while a "
        "limit holds, every attempt (even with the right password) is a 429 `rate_limited` with "
        "`Retry-After`."
    ),
)
def token_create(request: HttpRequest, payload: TokenIn, idempotency_key: IdempotencyKey = None):
    phone = normalize_phone(payload.phone)
    user = signin.password_sign_in(request, phone=phone, password=payload.password)
    if user is None:
        raise Unauthenticated(_("Wrong phone number or password."), code="invalid_credentials")
    verified = _check_second_factor(user, payload.otp)
    token, raw = services.api_token_create(
        user=user, name=payload.name.strip() or "app", second_factor=verified
    )
    return Status(201, _token_created(raw, token))


@router.post(
    "/token/rotate",
    auth=RotationAuth(),
    response={201: TokenCreatedOut, **errors(401, 422)},
    summary="Replace my API token by a new one",
    description=(
        "Send the token to replace as `Authorization: Bearer <token>`. It stops working at once; "
        "the answer holds its successor (shown once), with the same name and a new `expires_at`. "
        "Send an `Idempotency-Key`: if the answer is lost, retrying with the **old** token and "
        "the same key returns the same new token (for 24 hours) instead of a 401. An expired "
        "token cannot be rotated (401 `token_expired`): sign in again."
    ),
)
def token_rotate(request: HttpRequest, idempotency_key: IdempotencyKey = None):
    raw, token = services.api_token_rotate(
        token=request.auth,
        raw=request.api_token_raw,
        idempotency_key=clean_idempotency_key(idempotency_key),
    )
    return Status(201, _token_created(raw, token))


@router.get(
    "/tokens",
    response={200: list[TokenOut], **errors(401)},
    summary="List my active API tokens",
)
def token_list(request: HttpRequest):
    current = getattr(getattr(request, "api_token", None), "pk", None)
    tokens = ApiToken.objects.filter(ApiToken.usable_q(), user=request.user).order_by("-created_at")
    return [
        {
            "id": t.pk,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
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
    if not services.api_token_revoke(user=request.user, token_id=token_id):
        raise NotFoundError(_("This token does not exist."))
    return Status(204, None)


# --- passwords: forgotten (reset) and change, both proven by an SMS code ---------------------


class PasswordCodeOut(Schema):
    retry_after: int = Field(
        ..., description="Seconds before another code may be asked for (the one-per-minute gap and the limits)."
    )


class PasswordResetCodeIn(Schema):
    phone: str = Field(..., max_length=32, description="The account's phone number, e.g. 0905 123 456.")


class PasswordResetIn(Schema):
    phone: str = Field(..., max_length=32)
    code: str = Field(..., max_length=12, description="The 6-digit code sent by SMS.")
    password: str = Field(..., max_length=128, description="The new password (Django's password rules).")


class PasswordChangeIn(Schema):
    current_password: str = Field(..., max_length=128)
    code: str = Field(..., max_length=12, description="The 6-digit code from `POST /auth/password/change/code`.")
    password: str = Field(..., max_length=128, description="The new password (Django's password rules).")


def _code_out(request: HttpRequest, phone: str, purpose: str) -> dict:
    return {"retry_after": services.phone_code_wait(phone=phone, purpose=purpose,
                                                    client=throttle.client_key(request))}


@router.post(
    "/password/reset/code",
    auth=None,
    response={202: PasswordCodeOut, **errors(400, 422, 429)},
    summary="Forgotten password: send a code by SMS to the account's phone",
    description=(
        "The answer is the same whether the number has an account or not (the SMS is sent only "
        "if it has). One code per minute per number (400 `too_soon`); codes per number and per "
        "client address are limited (429 `rate_limited` with `Retry-After`). Then "
        "`POST /auth/password/reset`."
    ),
)
def password_reset_code(request: HttpRequest, payload: PasswordResetCodeIn, idempotency_key: IdempotencyKey = None):
    phone = normalize_phone(payload.phone)
    services.phone_code_send(phone=phone, purpose=services.PURPOSE_PASSWORD_RESET,
                             client=throttle.client_key(request))
    return Status(202, _code_out(request, phone, services.PURPOSE_PASSWORD_RESET))


@router.post(
    "/password/reset",
    auth=None,
    response={204: None, **errors(400, 422, 429)},
    summary="Forgotten password: set a new one with the code sent by SMS",
    description=(
        "Only a code sent for a password reset is accepted (not a sign-up code). A wrong or "
        "expired code is a 400 `bad_code` (the same for a number without an account); a weak "
        "password a 400 `password_invalid`. Every session and API token of the account ends; "
        "sign in again with `POST /auth/token` (with `otp` if the account has two-factor sign-in)."
    ),
)
def password_reset(request: HttpRequest, payload: PasswordResetIn, idempotency_key: IdempotencyKey = None):
    services.password_reset(phone=payload.phone, code=payload.code, password=payload.password,
                            client=throttle.client_key(request))
    return Status(204, None)


@router.post(
    "/password/change/code",
    response={202: PasswordCodeOut, **errors(400, 401, 422, 429)},
    summary="Change my password: send the code to my phone",
    description="The second proof of `POST /auth/password/change`, sent by SMS to the account's phone.",
)
def password_change_code(request: HttpRequest, idempotency_key: IdempotencyKey = None):
    def run():
        services.password_change_code_send(user=request.user, client=throttle.client_key(request))
        return 202, _code_out(request, request.user.phone, services.PURPOSE_PASSWORD_CHANGE)

    return Status(*idempotent(request, clean_idempotency_key(idempotency_key), run))


@router.post(
    "/password/change",
    response={204: None, **errors(400, 401, 422, 429)},
    summary="Change my password (current password + the code sent by SMS)",
    description=(
        "A wrong current password is a 400 `wrong_password` (limited per account: 429 "
        "`rate_limited`), a wrong code a 400 `bad_code`, a weak password a 400 `password_invalid`. "
        "Every other session and API token of the account ends; the token (or session) of this "
        "request stays valid."
    ),
)
def password_change(request: HttpRequest, payload: PasswordChangeIn, idempotency_key: IdempotencyKey = None):
    from django.contrib.auth import update_session_auth_hash

    token = getattr(request, "api_token", None)

    def run():
        services.password_change(user=request.user, current_password=payload.current_password,
                                 code=payload.code, password=payload.password,
                                 keep_token_id=getattr(token, "pk", None), client=throttle.client_key(request))
        return 204, None

    answer = idempotent(request, clean_idempotency_key(idempotency_key), run)
    if token is None and hasattr(request, "session"):
        update_session_auth_hash(request, request.user)  # this session stays signed in
    return Status(*answer)


# --- my profile --------------------------------------------------------------------------


class AreaRefOut(Schema):
    id: int
    code: str = Field(..., description="The official administrative code.")
    name: str


class LocationOut(Schema):
    lat: float
    lon: float
    area: AreaRefOut = Field(..., description="The ward or commune the position lies in (found by the server).")
    shared_at: dt.datetime
    counts_until: dt.datetime = Field(
        ..., description="Until then, warnings for `area` reach you (`OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS` after sharing)."
    )
    recent: bool = Field(..., description="`counts_until` is still ahead.")


class MeOut(Schema):
    citizen_id: str = Field(
        ..., description="The OpenCity account number: 12 digits, unique, generated (not the national ID number)."
    )
    phone: str = Field(..., description="E.164, e.g. `+84905123456`.")
    full_name: str
    email: str
    preferred_language: str = Field(..., description="`vi` or `en`: notifications and e-mails use it.")
    role: str
    home_area: AreaRefOut | None = Field(
        ..., description="Your home ward or commune: its warnings reach you. Null: only whole-city warnings."
    )
    home_area_editable: bool = Field(
        ..., description="False for ward/commune officials: their ward is their jurisdiction, set by an administrator."
    )
    last_location: LocationOut | None = Field(
        ..., description="The location you last shared for warnings where you are; null if none (or erased)."
    )


class MePatchIn(Schema):
    full_name: str | None = Field(None, max_length=120)
    email: str | None = Field(None, max_length=254)
    preferred_language: str | None = Field(None, description="`vi` or `en`.")
    home_area_id: int | None = Field(
        None, description="A ward's `id` from `GET /api/v1/areas`; `null` clears it. Omit to keep it."
    )


class LocationIn(Schema):
    lat: float = Field(..., ge=-90, le=90)
    lon: float = Field(..., ge=-180, le=180)


def _area_ref(area) -> dict | None:
    return {"id": area.pk, "code": area.code, "name": area.name} if area is not None else None


def _me_out(user) -> dict:
    location = None
    if user.last_location_at is not None and user.last_location_area_id is not None:
        until = user.last_location_at + services.location_max_age()
        location = {
            "lat": user.last_location_lat,
            "lon": user.last_location_lon,
            "area": _area_ref(user.last_location_area),
            "shared_at": user.last_location_at,
            "counts_until": until,
            "recent": services.location_is_recent(user),
        }
    return {
        "citizen_id": user.citizen_id,
        "phone": user.phone,
        "full_name": user.full_name,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "role": user.role,
        "home_area": _area_ref(user.home_area),
        "home_area_editable": policy.can_change_home_area(user),
        "last_location": location,
    }


def _fresh(user):
    return User.objects.select_related("home_area", "last_location_area").get(pk=user.pk)


@router.get(
    "/me",
    tags=["profile"],
    response={200: MeOut, **errors(401)},
    summary="My profile: details, home ward and shared location",
)
def me_get(request: HttpRequest):
    return _me_out(_fresh(request.user))


@router.patch(
    "/me",
    tags=["profile"],
    response={200: MeOut, **errors(400, 401, 403, 422)},
    summary="Change my name, e-mail, language or home ward",
    description=(
        "Only the fields sent change. `home_area_id` must be one of the city's wards and communes "
        "(400 `area_invalid`); a ward/commune official cannot change theirs (403 `home_area_locked`)."
    ),
)
def me_patch(request: HttpRequest, payload: MePatchIn):
    changes = payload.dict(exclude_unset=True)
    services.profile_update(user=request.user, **changes)
    return _me_out(_fresh(request.user))


@router.post(
    "/me/location",
    tags=["profile"],
    response={200: MeOut, **errors(400, 401, 403, 422)},
    summary="Share my current location, to receive the warnings for where I am",
    description=(
        "The server finds the ward the position lies in; warnings for that ward reach you for "
        "`OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS` (72 by default) after sharing, besides those for "
        "your home ward. Outside the city: 400 `outside_city`, nothing saved. "
        "`DELETE /api/v1/auth/me/location` erases it."
    ),
)
def me_location_share(request: HttpRequest, payload: LocationIn, idempotency_key: IdempotencyKey = None):
    def run():
        services.location_share(user=request.user, lat=payload.lat, lon=payload.lon)
        return 200, _me_out(_fresh(request.user))

    return Status(*idempotent(request, clean_idempotency_key(idempotency_key), run))


@router.post(
    "/me/home-area/from-location",
    tags=["profile"],
    response={200: MeOut, **errors(400, 401, 403, 422)},
    summary="Set my home ward from a position (e.g. the phone's, at home)",
    description="Only the ward is kept, not the position. Outside the city: 400 `outside_city`, nothing saved.",
)
def me_home_from_location(request: HttpRequest, payload: LocationIn, idempotency_key: IdempotencyKey = None):
    def run():
        services.home_area_from_point(user=request.user, lat=payload.lat, lon=payload.lon)
        return 200, _me_out(_fresh(request.user))

    return Status(*idempotent(request, clean_idempotency_key(idempotency_key), run))


@router.delete(
    "/me/location",
    tags=["profile"],
    response={204: None, **errors(401, 403)},
    summary="Erase my shared location",
    description="Consent withdrawn (Law 91/2025/QH15): the position, its ward and its time are erased at once.",
)
def me_location_clear(request: HttpRequest):
    services.location_clear(user=request.user)
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
    # The inbox (own rows and the broadcasts the person is in the audience of) as the unsliced,
    # ordered queryset keyset pages need (newest first, then id: ``Notification.Meta.ordering``).
    qs = notification_selectors.inbox(user=request.user)
    page = paginate(request, qs, limit=query.limit, cursor=query.cursor,
                    item=lambda n: _notification_out(notification_selectors.inbox_item(n, user=request.user)))
    page["unread"] = notification_selectors.notification_unread_count(user=request.user)
    return page


def _notification_out(n) -> dict:
    return {
        "id": n.pk,
        "verb": n.verb,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "report_id": n.subject_id if n.subject_type == "report" else None,
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
