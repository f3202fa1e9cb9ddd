"""How often the public dossier lookup may be tried (``accounts.throttle``'s limits).

A dossier code is printed on the receipt and the last four digits of a phone are only 10,000
guesses: every lookup counts against the client's address (``dossier.lookup.client``), and each
wrong answer counts against the code asked for (``dossier.lookup.fail.code``), whether or not
such a dossier exists — so the limit says nothing about which codes are real, and someone who
has a receipt can still look their dossier up from another network."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from opencity.accounts import throttle
from opencity.errors import RateLimitedError


def _code_key(code: str) -> str:
    return f"dossier:{code.strip().upper()}"


def before_lookup(request: HttpRequest, code: str) -> None:
    """Count the lookup; refuse (429) when the client or the code is over its limit."""
    try:
        throttle.hit("dossier.lookup.client", throttle.client_key(request))
        throttle.check("dossier.lookup.fail.code", _code_key(code))
    except RateLimitedError as exc:
        from opencity.reports.limits import wait_text

        raise RateLimitedError(
            _("Too many lookups in a short time. Try again in %(wait)s.") % {"wait": wait_text(exc.retry_after)},
            retry_after=exc.retry_after, limit=exc.limit) from None


def wrong_answer(code: str) -> None:
    throttle.hit("dossier.lookup.fail.code", _code_key(code), refuse=False)
