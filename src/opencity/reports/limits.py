"""How many field reports one account and one client may submit (issue #13, finding 5).

Counted at the edges where a person submits — the web form (``views.report_new``), the JSON API
(``api.citizen.report_create``) and Open311 POSTs (``open311.views``) — and not in
``services.report_submit``, which the demo loader, the bench load generator and hotline operators
call too. The limits themselves (``report.submit.*``) and the refusal (HTTP 429 with
``Retry-After``) are ``accounts.throttle``'s.

What is not counted, and why:

- A retry that replays a report this account already created with the same client token (the
  web form's hidden token, the API's ``Idempotency-Key``): it creates nothing, and a phone on a
  weak connection must be able to retry freely.
- A staff account (any role but citizen). Hotline operators file for many callers
  (``?for=caller``); the IOC and unit officers file in bursts as part of their work (a storm's
  damage logged from calls, an inspector's street sweep). Staff accounts are issued by the city,
  sign in with a second factor, and each filing is attributed to them and audited.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opencity import policy
from opencity.accounts import throttle
from opencity.errors import RateLimitedError

from .models import Report


def _replays(user, client_token: str | None) -> bool:
    """True when this account already created a report with this token: the service will answer
    with that report and create nothing (the same normalisation as ``report_submit``)."""
    token = (client_token or "").strip()[:64]
    return bool(token) and Report.objects.filter(client_token=token, reporter=user).exists()


def count_submit(request: HttpRequest, *, user=None, client_token: str | None = None) -> None:
    """Count one report submit against ``user`` (when signed in) and the client's address.

    Raises ``RateLimitedError`` (HTTP 429, ``Retry-After``) when any of them is over its limit;
    every counter still advances (``throttle.hit_all``). Call it once the request's own input has
    been read and just before ``report_submit``.
    """
    signed_in = user is not None and user.is_authenticated
    if signed_in and (policy.is_staff(user) or _replays(user, client_token)):
        return
    pairs = []
    if signed_in:
        pairs += [
            ("report.submit.account", f"user:{user.pk}"),
            ("report.submit.account_day", f"user:{user.pk}"),
        ]
    pairs.append(("report.submit.client", throttle.client_key(request)))
    try:
        throttle.hit_all(pairs)
    except RateLimitedError as exc:
        raise RateLimitedError(
            _message(exc), retry_after=exc.retry_after, limit=exc.limit
        ) from None


def wait_text(seconds: int) -> str:
    """How long to wait, said simply: "12 minutes", or "3 hours" past two hours (a day's limit)."""
    minutes = max(1, -(-seconds // 60))
    if minutes < 120:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = -(-minutes // 60)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def _message(exc: RateLimitedError) -> str:
    """Say what was counted, when to come back, and where to go with something urgent."""
    values = {"wait": wait_text(exc.retry_after), "hotline": settings.OPENCITY_HOTLINE_NUMBER}
    if exc.limit == "report.submit.client":
        text = _(
            "Many reports were sent from this network in a short time. You can send the next one "
            "in %(wait)s. For something urgent, call the city hotline %(hotline)s."
        )
    else:
        text = _(
            "You have sent many reports in a short time. You can send the next one in %(wait)s. "
            "For something urgent, call the city hotline %(hotline)s."
        )
    return text % values
