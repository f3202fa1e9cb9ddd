"""What the API's credentials prove: a bearer API token (``ApiToken``, a credential of
``opencity.lib.credentials``) or the web session, and the second factor staff need with either.

``opencity.lib.api`` holds the ninja authenticators but knows no account: ``opencity.api``
installs :func:`token_authenticate` and :func:`session_authenticate` into them where the
NinjaAPI is built. :class:`RotationAuth` is used by ``POST /auth/token/rotate`` only.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from opencity.lib.api import IDEMPOTENCY_TTL_SECONDS, Unauthenticated
from opencity.lib.credentials import (
    CredentialRefused,
    credential_touch,
    credential_verify,
    hash_secret,
)

from .models import ApiToken
from .signin import is_verified, second_factor_required


def second_factor_refused() -> Unauthenticated:
    return Unauthenticated(
        _(
            "Staff accounts sign in with two factors: sign in again with the code from your "
            "authenticator app."
        ),
        code="second_factor_required",
    )


def _invalid() -> Unauthenticated:
    return Unauthenticated(_("This token is not valid or was revoked."), code="invalid_token")


def _rotated_recently(raw: str) -> ApiToken | None:
    """The token ``raw`` if a rotation replaced it within the Idempotency-Key window (its
    retry may come back for the same successor)."""
    now = timezone.now()
    since = now - dt.timedelta(seconds=IDEMPOTENCY_TTL_SECONDS)
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_secret(raw.strip()), user__is_active=True,
                revoked_at__gte=since, revoked_at__lte=now)
        .filter(Exists(ApiToken.objects.filter(rotated_from=OuterRef("pk"))))
        .first()
    )


def usable_token(raw: str, *, rotated_ok: bool = False) -> ApiToken:
    """The token row for a presented bearer token, or a 401: unknown, revoked or of a disabled
    account (``invalid_token``), expired (``token_expired``), or a staff token issued without a
    second factor while staff need one (``second_factor_required``). ``rotated_ok``: a token
    replaced by a rotation within the Idempotency-Key window also passes (its retry)."""
    found = _rotated_recently(raw) if rotated_ok and raw.strip() else None
    if found is None:
        try:
            found = credential_verify(
                ApiToken, raw, touch=False,
                queryset=ApiToken.objects.select_related("user").filter(user__is_active=True),
            )
        except CredentialRefused as exc:
            if exc.reason == "expired":
                raise Unauthenticated(
                    _("This token has expired. Sign in again to get a new one."), code="token_expired"
                ) from None
            raise _invalid() from None
    if not found.second_factor and second_factor_required(found.user):
        raise second_factor_refused()
    return found


def token_authenticate(request: HttpRequest, raw: str):
    """``lib.api.TokenAuth``'s check: a present but unknown, revoked, expired or disabled-user
    token is a 401 at once (it does not fall back to the session). ``last_used_at`` is written
    at most once a minute per token (``ApiToken.touch_interval``), so reads do not turn into a
    write per request."""
    found = usable_token(raw)
    credential_touch(found)
    request.user = found.user
    request.api_token = found
    return found.user


def session_authenticate(request: HttpRequest):
    """``lib.api.SessionAuth``'s check: the session's active user, or None; a staff session
    signed in with a password only (no second factor yet) is a 401 ``second_factor_required``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if second_factor_required(user) and not is_verified(user):
        raise second_factor_refused()
    return user


class RotationAuth(HttpBearer):
    """The bearer token to rotate (``POST /auth/token/rotate``): a usable token, or one this
    endpoint already replaced (a retry, answered by ``accounts.services.api_token_rotate``).
    ``request.auth`` is the token row; the raw token is kept on the request for the rotation."""

    def authenticate(self, request: HttpRequest, token: str):
        found = usable_token(token, rotated_ok=True)
        request.user = found.user
        request.api_token = found
        request.api_token_raw = token.strip()
        return found
