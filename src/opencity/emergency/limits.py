"""How many rescue requests one account and one client may send (issue #13, finding 5).

Counted at the edge (``views.sos_new``), not in ``services.rescue_request_create``: the demo
loader and hotline or IOC operators filing for callers (``?for=caller``: a call centre files for
many people, often from one address) are not limited. A person's own request is counted whatever
their role: filing for others has its own path.

The limits are ``accounts.throttle``'s ``sos.submit.account`` (3 an hour) and
``sos.submit.client`` (10 an hour). A refusal never leaves a person in danger with only "try
again later": the page that says so carries the emergency numbers as tappable links
(``emergency/limit.html``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencity.accounts import throttle
from opencity.errors import RateLimitedError
from opencity.reports.limits import wait_text

from .models import RescueRequest

# National numbers in Viet Nam (the city hotline comes from OPENCITY_HOTLINE_NUMBER).
NATIONAL_NUMBERS = (
    ("112", gettext_lazy("Search and rescue")),
    ("114", gettext_lazy("Fire and rescue")),
    ("115", gettext_lazy("Ambulance")),
)


def call_numbers() -> list[dict]:
    """The numbers to call, as shown (``number``) and as dialled (``dial``, digits only)."""
    rows = [*NATIONAL_NUMBERS, (settings.OPENCITY_HOTLINE_NUMBER, _("City hotline"))]
    return [
        {"number": n, "dial": "".join(c for c in n if c.isdigit() or c == "+"), "label": label}
        for n, label in rows
    ]


def _pairs(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        ("sos.submit.account", f"user:{request.user.pk}"),
        ("sos.submit.client", throttle.client_key(request)),
    ]


def replays(client_token: str) -> bool:
    """A request was already made with this token: the service answers with it (or refuses a
    stranger's token) and creates nothing, so a retry is never counted nor refused."""
    token = (client_token or "").strip()
    return bool(token) and RescueRequest.objects.filter(client_token=token).exists()


def check_sos(request: HttpRequest) -> None:
    """Refuse, counting nothing, if this person or client has used up its rescue requests: the
    page says so (and gives the numbers) before anyone fills in the form."""
    try:
        for name, key in _pairs(request):
            throttle.check(name, key)
    except RateLimitedError as exc:
        raise _readable(exc) from None


def count_sos(request: HttpRequest) -> None:
    """Count one rescue request against the account and the client; ``RateLimitedError`` (429,
    ``Retry-After``) with a message saying what to do instead when one is over."""
    try:
        throttle.hit_all(_pairs(request))
    except RateLimitedError as exc:
        raise _readable(exc) from None


def _readable(exc: RateLimitedError) -> RateLimitedError:
    values = {"wait": wait_text(exc.retry_after)}
    if exc.limit == "sos.submit.client":
        text = _(
            "Many rescue requests were sent from this network within an hour, so this one was "
            "not sent. You can send another in %(wait)s."
        )
    else:
        text = _(
            "You have already sent several rescue requests within an hour, so this one was not "
            "sent. The operations centre has your requests. You can send another in %(wait)s."
        )
    text += " " + _("If you are in danger now, call one of the numbers below.")
    return RateLimitedError(text % values, retry_after=exc.retry_after, limit=exc.limit)
