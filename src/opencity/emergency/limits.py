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


# --- Visitors (no account): issue #14 ----------------------------------------------------
# A visitor proves the phone with an SMS code (``accounts.services.phone_code_send``, purpose
# "sos": its own limits per number, ``sms.send.phone`` and ``sms.send.phone_day``), or asks to
# be called back (the number not proven). Counted here, at the edge, like a person's own SOS:
#
# - codes asked from one client: ``sos.code.client`` (generous: during a flood many phones share
#   one carrier address);
# - requests per phone number, proven or not: ``sos.submit.phone`` (as an account's, 3 an hour:
#   a proven number cannot flood the board), and per client ``sos.submit.client`` (shared with
#   signed-in people);
# - call-back requests per client: ``sos.callback.client`` (the number is not proven, so tighter).


def _phone_key(phone: str) -> str:
    return f"phone:{phone}"


def check_visitor(request: HttpRequest, *, phone: str | None = None) -> None:
    """Refuse, counting nothing, when this client (or this phone) has used up its requests."""
    pairs = [("sos.submit.client", throttle.client_key(request))]
    if phone:
        pairs.append(("sos.submit.phone", _phone_key(phone)))
    try:
        for name, key in pairs:
            throttle.check(name, key)
    except RateLimitedError as exc:
        raise _readable(exc) from None


def count_code(request: HttpRequest, *, phone: str) -> None:
    """Before an SOS code is sent: the phone must still have requests left (no code is sent for
    nothing) and the client codes left."""
    check_visitor(request, phone=phone)
    try:
        throttle.hit("sos.code.client", throttle.client_key(request))
    except RateLimitedError as exc:
        raise _readable(exc) from None


def count_visitor(request: HttpRequest, *, phone: str, callback: bool) -> None:
    """Count one request of a visitor against the phone and the client (and, for a call-back,
    the client's call-backs)."""
    pairs = [("sos.submit.phone", _phone_key(phone)), ("sos.submit.client", throttle.client_key(request))]
    if callback:
        pairs.append(("sos.callback.client", throttle.client_key(request)))
    try:
        throttle.hit_all(pairs)
    except RateLimitedError as exc:
        raise _readable(exc) from None


def record_visitor(request: HttpRequest, *, phone: str) -> None:
    """Count a request sent with a proven phone, after it was sent (checked before with
    :func:`check_visitor`): a wrong code must not use up the phone's requests."""
    throttle.hit("sos.submit.phone", _phone_key(phone), refuse=False)
    throttle.hit("sos.submit.client", throttle.client_key(request), refuse=False)


def _readable(exc: RateLimitedError) -> RateLimitedError:
    values = {"wait": wait_text(exc.retry_after)}
    if exc.limit == "sos.submit.phone":
        text = _(
            "Several rescue requests were already sent for this phone number within an hour, so "
            "this one was not sent. You can send another in %(wait)s."
        )
    elif exc.limit in ("sos.code.client", "sos.callback.client"):
        text = _(
            "Many rescue requests were sent from this network within an hour, so this one was "
            "not sent. You can send another in %(wait)s."
        )
    elif exc.limit in ("sms.send.phone", "sms.send.phone_day"):
        text = _("Several codes were already sent to this phone number, so no new one was sent. "
                 "You can ask again in %(wait)s.")
    elif exc.limit == "sos.submit.client":
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
