"""Accounts: sign-up by phone with a one-time SMS code, profile, TOTP for staff, API tokens.

The profile also holds where the person wants warnings for: the home ward (chosen from the
city's wards, or found from a position) and, with their consent, the last location they
shared. Positions become a ward here, on the server (``geo.selectors.area_for_point``); a
position outside the city is refused and nothing is saved. Turning sharing off erases the
position (Law 91/2025/QH15: consent, the right to erase)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import ConflictError, PermissionDeniedError, ValidationError
from opencity.geo.models import Area
from opencity.geo.selectors import area_for_point, wards
from opencity.lib.phone import normalize_phone
from opencity.lib.sms import send_sms

from .models import ApiToken, PhoneCode, User

RESEND_SECONDS = 60


def phone_code_send(*, phone: str, purpose: str = "signup") -> PhoneCode:
    """Send a 6-digit code by SMS. At most one per minute per number."""
    phone = normalize_phone(phone)
    if purpose == "signup" and User.objects.filter(phone=phone).exists():
        raise ConflictError(_("This phone number already has an account. Log in instead."), code="phone_taken")
    now = timezone.now()
    recent = PhoneCode.objects.filter(phone=phone, purpose=purpose,
                                      created_at__gt=now - dt.timedelta(seconds=RESEND_SECONDS)).exists()
    if recent:
        raise ValidationError(_("A code was just sent. Wait a minute before asking again."),
                              field="phone", code="too_soon")
    code = f"{secrets.randbelow(1_000_000):06d}"
    pc = PhoneCode.objects.create(
        phone=phone, purpose=purpose, code_hash=make_password(code), created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.OPENCITY_OTP_TTL_SECONDS),
    )
    transaction.on_commit(lambda: send_sms(phone, _("Your %(site)s code is %(code)s. It expires in 5 minutes.")
                                           % {"site": settings.SITE_NAME, "code": code}))
    return pc


def phone_code_verify(*, phone: str, code: str, purpose: str = "signup") -> PhoneCode:
    phone = normalize_phone(phone)
    pc = PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).order_by("-created_at").first()
    error = ValidationError(_("The code is wrong or has expired. Ask for a new one."), field="code", code="bad_code")
    if pc is None or pc.expires_at < timezone.now() or pc.attempts >= settings.OPENCITY_OTP_MAX_ATTEMPTS:
        raise error
    PhoneCode.objects.filter(pk=pc.pk).update(attempts=F("attempts") + 1)
    if not check_password((code or "").strip(), pc.code_hash):
        raise error
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


def api_token_issue(*, user: User, name: str = "app") -> str:
    """Return a new token (shown once); only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:80], key_hash=hashlib.sha256(raw.encode()).hexdigest(), prefix=raw[:8])
    return raw


def api_token_revoke(*, user: User, token_id: int) -> None:
    ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())


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
