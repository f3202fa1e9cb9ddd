"""Accounts: sign-up by phone with a one-time SMS code, profile, TOTP for staff, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.errors import ConflictError, ValidationError
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
