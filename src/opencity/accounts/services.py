"""Accounts: sign-up by phone with a one-time SMS code, profile, TOTP for staff, API tokens.

The profile also holds where the person wants warnings for: the home ward (chosen from the
city's wards, or found from a position) and, with their consent, the last location they
shared. Positions become a ward here, on the server (``geo.selectors.area_for_point``); a
position outside the city is refused and nothing is saved. Turning sharing off erases the
position (Law 91/2025/QH15: consent, the right to erase)."""

from __future__ import annotations

import base64
import datetime as dt
import math
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencity import policy
from opencity.errors import ConflictError, PermissionDeniedError, ValidationError
from opencity.geo.models import Area
from opencity.geo.selectors import area_for_point, wards
from opencity.lib.audit import audit
from opencity.lib.credentials import (
    credential_issue,
    credential_revoke,
    credential_rotate,
    credentials_revoke,
    hash_secret,
)
from opencity.lib.phone import normalize_phone
from opencity.notifications.sms import send_sms

from . import signin, throttle
from .models import ApiToken, PhoneCode, User
from .sessions import browser_sessions_end_all

RESEND_SECONDS = 60

# What a code proves: a code is accepted only for the purpose it was sent for.
PURPOSE_SIGNUP = "signup"
PURPOSE_PASSWORD_RESET = "password_reset"
PURPOSE_PASSWORD_CHANGE = "password_change"


def _send_limits(phone: str, client: str | None) -> list[tuple[str, str]]:
    limits = [("sms.send.phone", f"phone:{phone}"), ("sms.send.phone_day", f"phone:{phone}")]
    if client:
        limits.append(("sms.send.client", client))
    return limits


def _code_text(purpose: str, code: str) -> str:
    values = {"site": settings.SITE_NAME, "code": code,
              "minutes": max(1, settings.OPENCITY_OTP_TTL_SECONDS // 60)}
    if purpose in (PURPOSE_PASSWORD_RESET, PURPOSE_PASSWORD_CHANGE):
        return _("%(site)s: your code to set a new password is %(code)s (valid %(minutes)d minutes). "
                 "Never give it to anyone, even someone who says they are from the city.") % values
    return _("Your %(site)s code is %(code)s. It expires in 5 minutes.") % values


def phone_code_send(*, phone: str, purpose: str = PURPOSE_SIGNUP, client: str | None = None) -> PhoneCode:
    """Send a 6-digit code by SMS. At most one per minute per number, and within the limits
    ``sms.send.phone`` and ``sms.send.phone_day`` (per number) and ``sms.send.client`` (per
    client address, ``throttle.client_key``, when the request comes from one): each SMS costs
    the city money and can be used to pester a number.

    For a password reset the answer must not tell whether the number has an account: a number
    without one (or a closed account) goes through the same steps — the same checks, limits
    and stored code — except that no SMS leaves (nobody could use it)."""
    phone = normalize_phone(phone)
    if purpose == PURPOSE_SIGNUP and User.objects.filter(phone=phone).exists():
        raise ConflictError(_("This phone number already has an account. Log in instead."), code="phone_taken")
    deliver = True
    if purpose == PURPOSE_PASSWORD_RESET:
        deliver = User.objects.filter(phone=phone, is_active=True).exists()
    now = timezone.now()
    recent = PhoneCode.objects.filter(phone=phone, purpose=purpose,
                                      created_at__gt=now - dt.timedelta(seconds=RESEND_SECONDS)).exists()
    if recent:
        raise ValidationError(_("A code was just sent. Wait a minute before asking again."),
                              field="phone", code="too_soon")
    throttle.hit_all(_send_limits(phone, client))
    code = f"{secrets.randbelow(1_000_000):06d}"
    pc = PhoneCode.objects.create(
        phone=phone, purpose=purpose, code_hash=make_password(code), created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.OPENCITY_OTP_TTL_SECONDS),
    )
    if deliver:
        text = _code_text(purpose, code)
        transaction.on_commit(lambda: send_sms(phone, text))
    return pc


def phone_code_wait(*, phone: str, purpose: str = PURPOSE_SIGNUP, client: str | None = None) -> int:
    """Seconds before another code may be asked for this number (0: now): the one-per-minute
    gap and the limits on sending (their Retry-After). The "send the code again" countdown."""
    phone = normalize_phone(phone)
    last = (PhoneCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at")
            .values_list("created_at", flat=True).first())
    wait = 0
    if last is not None:
        wait = math.ceil(RESEND_SECONDS - (timezone.now() - last).total_seconds())
    for name, key in _send_limits(phone, client):
        wait = max(wait, throttle.wait(name, key))
    return max(0, wait)


def phone_code_verify(*, phone: str, code: str, purpose: str = PURPOSE_SIGNUP) -> PhoneCode:
    """The newest unused code sent to ``phone``, if ``code`` is it.

    Two limits on guessing, both race-free:

    - per code, ``OPENCITY_OTP_MAX_ATTEMPTS`` tries: an attempt is claimed by one conditional
      UPDATE (``attempts < max``) *before* the code is compared, so parallel requests cannot
      all pass a check made on a stale read;
    - per number, across every code sent to it (``code.fail.phone``): asking for a new code
      does not give new guesses. While it holds, even the right code is refused (429)."""
    phone = normalize_phone(phone)
    budget = ("code.fail.phone", f"phone:{phone}")
    throttle.check(*budget)
    error = ValidationError(_("The code is wrong or has expired. Ask for a new one."), field="code", code="bad_code")
    pc = PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).order_by("-created_at").first()
    if pc is None or pc.expires_at < timezone.now():
        raise error
    claimed = PhoneCode.objects.filter(
        pk=pc.pk, used_at__isnull=True, attempts__lt=settings.OPENCITY_OTP_MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        raise error
    if not check_password((code or "").strip(), pc.code_hash):
        throttle.fail(*budget)
        raise error
    throttle.reset(*budget)
    return pc


def user_signup(*, phone: str, code: str, full_name: str, password: str, email: str = "") -> User:
    """Create a citizen account once the phone number is proven by its one-time code.

    Everything else is validated first, so a weak password does not cost a guess. The code is
    checked outside the transaction that creates the account: a wrong guess must stay counted
    even though the sign-up fails (rolled back, it would allow guessing without limit)."""
    phone = normalize_phone(phone)
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError(_("Tell us your name."), field="full_name")
    if len(full_name) > 120:
        raise ValidationError(_("The name is too long."), field="full_name")
    if User.objects.filter(phone=phone).exists():
        raise ConflictError(_("This phone number already has an account. Log in instead."), code="phone_taken")
    user = User(phone=phone, full_name=full_name, email=(email or "").strip())
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), field="password") from None
    try:
        user.full_clean(exclude=["password", "citizen_id"])
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationError(" ".join(messages), field=field) from None
    pc = phone_code_verify(phone=phone, code=code)
    with transaction.atomic():
        if not PhoneCode.objects.filter(pk=pc.pk, used_at__isnull=True).update(used_at=timezone.now()):
            raise ValidationError(_("The code is wrong or has expired. Ask for a new one."), field="code",
                                  code="bad_code")  # used by a parallel request
        user.set_password(password)
        user.save()
    return user


# --- Passwords: reset (forgotten) and change (signed in), both proven by an SMS code ----------


def _validate_new_password(password: str, user: User, *, field: str = "password") -> None:
    """Django's password validators (``AUTH_PASSWORD_VALIDATORS``)."""
    try:
        password_validation.validate_password(password or "", user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), field=field, code="password_invalid") from None


def _claim(pc: PhoneCode) -> None:
    """Mark the code used; a parallel request that used it first makes this one fail."""
    if not PhoneCode.objects.filter(pk=pc.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise ValidationError(_("The code is wrong or has expired. Ask for a new one."), field="code",
                              code="bad_code")


def _password_set(user: User, password: str | None, *, action: str, keep_token_id: int | None = None,
                  keep_session_key: str | None = None, client: str | None = None, ip: str | None = None) -> None:
    """Store the new password and end what the old one opened (in the caller's transaction):

    - every session of the account: Django refuses a session whose password hash is not the
      current one (``get_session_auth_hash``); the caller keeps its own with
      ``update_session_auth_hash`` where it should stay signed in. The others are also deleted
      from the session store and the list of browsers at once (``sessions``), all but
      ``keep_session_key``;
    - every API token, except the one making the request (``keep_token_id``);
    - the known-device entries of other browsers (``password_changed_at`` names the account in
      them: ``signin.remember_device``);
    - the failed sign-ins counted against the account (and this client), so its owner is not
      held back by guesses made with the old password.

    Then an audit entry and a notification "your password was changed" (inbox and e-mail)."""
    from django.urls import reverse
    from django.utils.functional import lazy
    from django.utils.translation import gettext_lazy

    from opencity.notifications.services import notify

    now = timezone.now()
    if password is None:  # an administrator took password sign-in away
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.password_changed_at = now
    user.save(update_fields=["password", "password_changed_at"])
    tokens = ApiToken.objects.filter(user=user)
    if keep_token_id is not None:
        tokens = tokens.exclude(pk=keep_token_id)
    revoked = credentials_revoke(tokens, actor=user, reason=action, ip=ip)
    browser_sessions_end_all(user=user, keep_key=keep_session_key)
    account = f"account:{user.phone}"
    throttle.clear("signin.fail.account", account)
    if client:
        throttle.clear("signin.fail.account_client", f"{account}|{client}")
    audit(user, action, user, data={"tokens_revoked": revoked}, ip=ip)
    notify([user], verb="password_changed", title=gettext_lazy("Your password was changed"),
           body=lazy(lambda: _("Your OpenCity password was changed and you were signed out on your other "
                               "devices. If it was not you, set a new password now with \"Forgot your "
                               "password?\" and call the city hotline %(hotline)s.")
                     % {"hotline": settings.OPENCITY_HOTLINE_NUMBER}, str)(),
           url=reverse("accounts:security"))


def password_set_by_admin(*, user: User, password: str | None) -> None:
    """An administrator sets a new password (or none: ``None`` takes password sign-in away) in the
    admin. It ends what the old password opened exactly as the owner's own change does —
    sessions, API tokens, other browsers' known-device entries — and tells the owner; the admin
    site records who did it (``log_change``)."""
    with transaction.atomic():
        _password_set(user, password, action="password_set_by_admin")


def password_reset(*, phone: str, code: str, password: str, client: str | None = None,
                   ip: str | None = None) -> User:
    """Set a new password for the account of ``phone`` with the code sent to it for a password
    reset (``phone_code_send(purpose=PURPOSE_PASSWORD_RESET)``). Ends every session and API
    token of the account (``_password_set``). Two-factor sign-in stays: the caller signs the
    person in only through the same second step as a password sign-in.

    A number without an account gets exactly the answers of a wrong code (its stored code was
    never sent). The new password is checked first, against nothing that depends on the account,
    so a weak one costs no guess and says nothing about the number."""
    phone = normalize_phone(phone)
    _validate_new_password(password, User(phone=phone))
    pc = phone_code_verify(phone=phone, code=code, purpose=PURPOSE_PASSWORD_RESET)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(phone=phone, is_active=True).first()
        if user is None:
            raise ValidationError(_("The code is wrong or has expired. Ask for a new one."), field="code",
                                  code="bad_code")
        _claim(pc)
        _password_set(user, password, action="password_reset", client=client, ip=ip)
    return user


def password_change_code_send(*, user: User, client: str | None = None) -> PhoneCode:
    """The SMS code that is the second proof of a password change (sent to the account's phone)."""
    return phone_code_send(phone=user.phone, purpose=PURPOSE_PASSWORD_CHANGE, client=client)


def password_change(*, user: User, current_password: str, code: str, password: str,
                    keep_token_id: int | None = None, keep_session_key: str | None = None,
                    client: str | None = None, ip: str | None = None) -> User:
    """A signed-in person sets a new password: with the current one (limited per account,
    ``password.change.fail.account``: a stolen session cannot guess it) and the code sent to
    their phone (``password_change_code_send``). Every other session and API token ends."""
    key = ("password.change.fail.account", f"user:{user.pk}")
    throttle.check(*key)
    if not user.check_password(current_password or ""):
        throttle.fail(*key)
        raise ValidationError(_("Your current password is not right."), field="current_password",
                              code="wrong_password")
    throttle.reset(*key)
    _validate_new_password(password, user)
    if user.check_password(password):
        raise ValidationError(_("Choose a password different from your current one."), field="password",
                              code="password_unchanged")
    pc = phone_code_verify(phone=user.phone, code=code, purpose=PURPOSE_PASSWORD_CHANGE)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        _claim(pc)
        _password_set(locked, password, action="password_change", keep_token_id=keep_token_id,
                      keep_session_key=keep_session_key, client=client, ip=ip)
    user.password = locked.password
    user.password_changed_at = locked.password_changed_at
    return user


# --- API tokens (credentials: opencity.lib.credentials) --------------------------------------


def api_token_create(*, user: User, name: str = "app", second_factor: bool = False) -> tuple[ApiToken, str]:
    """A new token of ``user`` and its raw value (shown once; only its hash is stored), audited
    as ``api_token_issue``. It expires after ``OPENCITY_API_TOKEN_DAYS``. ``second_factor``: the
    caller has just verified a two-factor code of ``user`` (staff tokens are refused without it)."""
    return credential_issue(ApiToken, actor=user, user=user, name=name[:80], second_factor=second_factor)


def api_token_issue(*, user: User, name: str = "app", second_factor: bool = False) -> str:
    """The raw value of a new token (:func:`api_token_create`)."""
    return api_token_create(user=user, name=name, second_factor=second_factor)[1]


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s tokens now (audited as ``api_token_revoke``)."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    return token is not None and credential_revoke(token, actor=user)


def _rotated_raw(raw: str, idempotency_key: str) -> str:
    """The successor of token ``raw`` for this Idempotency-Key: the same on every retry, and
    computable only by whoever holds ``raw`` (which is never stored) and the server's key."""
    digest = salted_hmac("opencity.accounts.api-token-rotate", f"{raw}|{idempotency_key}",
                         algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def api_token_rotate(*, token: ApiToken, raw: str, idempotency_key: str | None = None) -> tuple[str, ApiToken]:
    """Replace the presented token by a new one (shown once) with a fresh expiry, through
    ``credential_rotate`` with no grace period: the old one stops at once (the answer carries
    its successor, which points back at it with ``rotated_from``).

    Idempotent with an ``Idempotency-Key``: the new token is derived from the old one and the
    key (:func:`_rotated_raw`), so a retry whose answer was lost gets the same new token again
    — without keeping any token in clear anywhere. Two rotations of one token race safely: the
    old row is claimed by one conditional UPDATE, and the loser — unless it is the same retry,
    which then finds the successor — gets a 401."""
    from opencity.lib.api import Unauthenticated

    def invalid() -> Unauthenticated:
        return Unauthenticated(_("This token is not valid or was revoked."), code="invalid_token")

    new_raw = _rotated_raw(raw, idempotency_key) if idempotency_key else None

    def same_retry() -> ApiToken | None:
        if new_raw is None:
            return None
        return ApiToken.objects.filter(rotated_from=token, key_hash=hash_secret(new_raw)).first()

    if token.revoked_at is not None:  # replaced by a rotation: only its retry may come back
        successor = same_retry()
        if successor is None:
            raise invalid()
        return new_raw, successor
    try:
        successor, new_raw = credential_rotate(token, actor=token.user, grace=dt.timedelta(0), secret=new_raw)
    except (ConflictError, IntegrityError):  # rotated meanwhile: by this same retry, or not
        successor = same_retry()
        if successor is None:
            raise invalid() from None
    return new_raw, successor


# --- Two-factor sign-in (TOTP) --------------------------------------------------------------


def totp_device_start(*, user: User) -> TOTPDevice:
    """A new authenticator app to confirm (any earlier unconfirmed one is dropped)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ConflictError(_("Two-factor sign-in is already on."), code="already_on")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def _bad_totp() -> ValidationError:
    return ValidationError(_("That code is not right. Try the current one."), field="token", code="invalid_otp")


def totp_device_confirm(*, user: User, token: str) -> TOTPDevice:
    """The person typed the code their new app shows: two-factor sign-in is on."""
    device = signin.totp_check(user, token, confirmed=False)
    if device is None:
        raise _bad_totp()
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    audit(user, "2fa_enabled", user)
    return device


def totp_disable(*, user: User, token: str) -> None:
    """Turn two-factor sign-in off — only with a current code (a stolen session alone cannot),
    and never while it is required for the person's role."""
    if signin.second_factor_required(user):
        raise PermissionDeniedError(_("Your role requires two-factor sign-in: it cannot be turned off."),
                                    code="two_factor_required", field="token")
    if not (token or "").strip():
        raise ValidationError(_("Enter the code from your authenticator app."), field="token", code="otp_required")
    if signin.totp_check(user, token) is None:
        raise _bad_totp()
    TOTPDevice.objects.filter(user=user).delete()
    audit(user, "2fa_disabled", user)


# --- Profile -----------------------------------------------------------------------------

LANGUAGES = ("vi", "en")
LOCATION_FIELDS = ["last_location_lat", "last_location_lon", "last_location_area", "last_location_at"]
_UNSET: Any = object()


def _full_clean(user: User, fields: list[str]) -> None:
    try:
        user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in fields],
                        validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationError(" ".join(messages), field=field) from None


def _require_editor(user) -> None:
    if not policy.can_edit_profile(user):
        raise PermissionDeniedError()


def _ward(area_id) -> Area | None:
    if area_id in (None, ""):
        return None
    try:
        return wards().get(pk=int(area_id))
    except (Area.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("Choose one of the city's wards and communes."), field="home_area",
                              code="area_invalid") from None


def _point(lat, lon) -> tuple[float, float, Area]:
    """A position as floats and the city's ward it lies in, or a ValidationError."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ValidationError(_("Your device did not send a position. Allow location access and try again."),
                              field="lat", code="location_required") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(_("This is not a valid location."), field="lat", code="location_invalid")
    area = area_for_point(lat, lon)
    if area is None:
        raise ValidationError(_("This position is outside the city: nothing was saved."), field="lat",
                              code="outside_city")
    return lat, lon, area


@transaction.atomic
def profile_update(*, user: User, full_name=_UNSET, email=_UNSET, preferred_language=_UNSET,
                   home_area_id=_UNSET) -> User:
    """Change one's own name, e-mail, language and home ward (each only when given).

    A ward/commune official's home ward is their jurisdiction (``policy``): only an
    administrator changes it, so here it may only be given unchanged."""
    _require_editor(user)
    locked = User.objects.select_for_update().get(pk=user.pk)
    changed: list[str] = []
    if full_name is not _UNSET:
        name = (full_name or "").strip()
        if not name:
            raise ValidationError(_("Tell us your name."), field="full_name", code="required")
        if len(name) > 120:
            raise ValidationError(_("The name is too long."), field="full_name", code="too_long")
        locked.full_name = name
        changed.append("full_name")
    if email is not _UNSET:
        locked.email = (email or "").strip()
        changed.append("email")
    if preferred_language is not _UNSET:
        if preferred_language not in LANGUAGES:
            raise ValidationError(_("Choose Tiếng Việt or English."), field="preferred_language",
                                  code="invalid")
        locked.preferred_language = preferred_language
        changed.append("preferred_language")
    if home_area_id is not _UNSET:
        area = _ward(home_area_id)
        if getattr(area, "pk", None) != locked.home_area_id and not policy.can_change_home_area(user):
            raise PermissionDeniedError(_("Your ward is the ward you work in: an administrator sets it."),
                                        code="home_area_locked", field="home_area")
        locked.home_area = area
        changed.append("home_area")
    if changed:
        _full_clean(locked, changed)
        locked.save(update_fields=changed)
    return locked


@transaction.atomic
def home_area_from_point(*, user: User, lat, lon) -> User:
    """Set the home ward to the ward a position (the device's) lies in. Only the ward is kept,
    not the position."""
    _require_editor(user)
    _point_lat, _point_lon, area = _point(lat, lon)
    return profile_update(user=user, home_area_id=area.pk)


@transaction.atomic
def location_share(*, user: User, lat, lon, at: dt.datetime | None = None) -> User:
    """Keep the position the person shares now, and its ward, so that they receive the warnings
    for where they are (for ``OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS``). Outside the city:
    refused, nothing saved. ``at`` is for tests and the demo pack only."""
    _require_editor(user)
    lat, lon, area = _point(lat, lon)
    User.objects.filter(pk=user.pk).update(
        last_location_lat=round(lat, 5), last_location_lon=round(lon, 5), last_location_area=area,
        last_location_at=at or timezone.now())
    user.refresh_from_db(fields=LOCATION_FIELDS)
    return user


@transaction.atomic
def location_clear(*, user: User) -> User:
    """Erase the shared location (consent withdrawn): nothing of it is kept."""
    _require_editor(user)
    User.objects.filter(pk=user.pk).update(last_location_lat=None, last_location_lon=None,
                                           last_location_area=None, last_location_at=None)
    user.refresh_from_db(fields=LOCATION_FIELDS)
    return user


def location_max_age() -> dt.timedelta:
    return dt.timedelta(hours=max(1, settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS))


def location_is_recent(user: User, now: dt.datetime | None = None) -> bool:
    """Does the shared location still count for warnings?"""
    if user.last_location_at is None or user.last_location_area_id is None:
        return False
    return user.last_location_at >= (now or timezone.now()) - location_max_age()
