"""Signing in: the limits on guessing, the "known device" proof, and the second factor.

Every way in goes through here: the web log-in form and the admin's (which redirects to it),
``POST /api/v1/auth/token``, the two-factor step, and the sign-up code (``services``).

How a password attempt is limited (docs/security.md, "Sign-in"):

- Only *failures* count. The limits are checked before the password is tried and a failure is
  counted after; while a limit holds, even the right password is refused (that is what stops
  guessing), and each block ends with its window (``accounts.throttle``).
- A client that is not known to the account is held by three limits: this account from this
  client (``signin.fail.account_client``), this account from anywhere
  (``signin.fail.account``: guessing spread over many addresses) and this client across
  accounts (``signin.fail.client``: credential stuffing).
- A browser that has signed in to the account before carries a signed, long-lived cookie
  saying so (OWASP's "device cookies"). For that account it is held only by its own counter
  (the account × this device): guessing from elsewhere — even from the same address, as behind
  a carrier's shared NAT — cannot lock the person out of the devices they use.
- A right password clears this client's failures for the account.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencity import policy

from . import throttle
from .models import User

KNOWN_DEVICE_COOKIE = "oc_device"
KNOWN_DEVICE_SALT = "opencity.accounts.known-device"
KNOWN_DEVICE_MAX_AGE = 400 * 24 * 3600  # browsers keep a cookie at most 400 days
KNOWN_DEVICE_MAX_ACCOUNTS = 5  # a shared family phone signs in to a few accounts


# --- who must give a second factor ------------------------------------------------------------


def has_staff_access(user) -> bool:
    """A staff role (``policy.is_staff``), or access to the administration site."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return policy.is_staff(user) or bool(user.is_staff or user.is_superuser)


def second_factor_required(user) -> bool:
    """Staff sign in with two factors (``OPENCITY_STAFF_2FA_REQUIRED``, on by default)."""
    return bool(settings.OPENCITY_STAFF_2FA_REQUIRED) and has_staff_access(user)


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user) -> bool:
    """This session passed the second factor (django-otp's middleware sets ``is_verified``)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


# --- the known-device cookie ------------------------------------------------------------------


def _account_tag(user_id: int, generation: str = "") -> str:
    """Names the account in the cookie without giving its id away. ``generation`` is when its
    password last changed: a new password (changed or reset) makes every other browser's entry
    for the account unknown again, while the browser that set it gets a fresh one."""
    return salted_hmac(KNOWN_DEVICE_SALT, f"account:{user_id}:{generation}").hexdigest()[:20]


def _generation(user: User | int) -> tuple[int, str]:
    if isinstance(user, User):
        changed = user.password_changed_at
        pk = user.pk
    else:
        pk = user
        changed = User.objects.filter(pk=pk).values_list("password_changed_at", flat=True).first()
    return pk, changed.isoformat() if changed else ""


def _known_entries(request: HttpRequest) -> list[list[str]]:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return []
    try:
        entries = signing.loads(raw, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)]


def known_device(request: HttpRequest, user: User | int | None) -> str | None:
    """This browser's own id for the account (a user or its id), if it has signed in to it
    since its password last changed; else None."""
    if user is None:
        return None
    tag = _account_tag(*_generation(user))
    return next((nonce for t, nonce in _known_entries(request) if t == tag), None)


def remember_device(request: HttpRequest, response: HttpResponse, user: User) -> HttpResponse:
    """After a successful sign-in: (re)issue the signed cookie naming this browser as known to
    the account. HttpOnly, Secure when the session cookie is, kept 400 days."""
    tag = _account_tag(*_generation(user))
    entries = _known_entries(request)
    nonce = next((n for t, n in entries if t == tag), None) or secrets.token_urlsafe(12)
    entries = [[tag, nonce]] + [e for e in entries if e[0] != tag]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps(entries[:KNOWN_DEVICE_MAX_ACCOUNTS], salt=KNOWN_DEVICE_SALT, compress=True),
        max_age=KNOWN_DEVICE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    return response


# --- passwords --------------------------------------------------------------------------------


def _password_limits(request: HttpRequest, phone: str, device: str | None) -> list[tuple[str, str]]:
    account = f"account:{phone}"
    if device is not None:
        return [("signin.fail.account_client", f"{account}|device:{device}")]
    client = throttle.client_key(request)
    return [
        ("signin.fail.account_client", f"{account}|{client}"),
        ("signin.fail.account", account),
        ("signin.fail.client", client),
    ]


def password_sign_in(request: HttpRequest, *, phone: str, password: str) -> User | None:
    """The account for ``phone`` if ``password`` is right, else None; ``RateLimitedError``
    (429) while a limit holds, whatever the password. ``phone`` is already normalised.

    Unknown numbers are counted like accounts, so the answers do not tell whether one exists."""
    account = User.objects.filter(phone=phone).only("pk", "password_changed_at").first()
    limits = _password_limits(request, phone, known_device(request, account))
    for name, key in limits:
        throttle.check(name, key)
    user = authenticate(request, phone=phone, password=password)
    if user is None:
        for name, key in limits:
            throttle.fail(name, key)
        return None
    throttle.reset(*limits[0])
    return user


# --- the second factor ------------------------------------------------------------------------


def totp_check(user: User, token: str, *, confirmed: bool = True) -> TOTPDevice | None:
    """The device of ``user`` that accepts ``token`` now, or None (a failure is counted).

    Limited per account (``totp.fail.account``); django-otp adds its own growing delay after
    failures. Each device is verified under a row lock and remembers the last time step it
    accepted, so a code works once, even when two requests race with it."""
    key = f"user:{user.pk}"
    throttle.check("totp.fail.account", key)
    token = (token or "").strip()
    if token.isdigit():
        for device in TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk"):
            with transaction.atomic():
                locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
                if locked.verify_token(token):
                    throttle.reset("totp.fail.account", key)
                    return locked
    throttle.fail("totp.fail.account", key)
    return None

