"""Text messages (SMS) through a pluggable backend, chosen by ``OPENCITY_SMS_BACKEND``.

- :class:`GatewayBackend` (production): an HTTP brandname-SMS gateway. One JSON ``POST`` per
  message to ``OPENCITY_SMS_GATEWAY_URL``, with HTTP Basic credentials
  (``OPENCITY_SMS_GATEWAY_USER`` / ``OPENCITY_SMS_GATEWAY_PASSWORD``) and the registered sender
  name (``OPENCITY_SMS_SENDER``, the "brandname" the operators show instead of a number).
  Vietnamese letters make a message Unicode (70 characters a part instead of 160, and the
  gateways charge per part): ``OPENCITY_SMS_UNACCENTED`` sends the text without diacritics.
- :class:`ConsoleBackend` (development, tests): prints each message and keeps the last ones in
  ``outbox`` so tests can read codes. Never in production: one-time codes would end up in a log
  instead of a phone. The system check ``notifications.E001`` (``checks.py``) stops the start
  with it while ``DEBUG`` is off, unless ``OPENCITY_SMS_ALLOW_CONSOLE=True`` says it is meant
  (``make run``, the demo).

A message that cannot be sent raises :class:`SmsDeliveryError` (HTTP 503 where a person waits
for it): the caller decides — a sign-up page says "try again", an outbox handler is retried.
"""

from __future__ import annotations

import base64
import json
import logging
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from opencity.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)
MAX_RESPONSE_BYTES = 16 * 1024  # a gateway answers with a short status document
# letters that Unicode decomposition does not reduce to a base letter plus marks
_NOT_DECOMPOSED = str.maketrans({"đ": "d", "Đ": "D"})


class SmsDeliveryError(ServiceUnavailableError):
    """The gateway did not take the message (refused, failed or did not answer in time)."""

    code = "sms_unavailable"
    retry_after = 60
    default_message = _("The text message could not be sent. Please try again in a minute.")


@dataclass
class SmsMessage:
    to: str
    body: str


def unaccented(text: str) -> str:
    """``text`` without Vietnamese diacritics ("Mã xác nhận Đà Nẵng" → "Ma xac nhan Da Nang"):
    decomposed (NFD), combining marks dropped, đ/Đ mapped by hand (they are letters of their
    own, not d plus a mark)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_NOT_DECOMPOSED))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


class BaseBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Prints each message; keeps the last ones in ``outbox`` so tests can read codes."""

    outbox: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> None:
        ConsoleBackend.outbox.append(message)
        del ConsoleBackend.outbox[:-100]
        print(f"[SMS to {message.to}] {message.body}", flush=True)


class GatewayBackend(BaseBackend):
    """An HTTP brandname-SMS gateway: ``POST`` of ``{"to", "sender", "text", "unicode"}`` as
    JSON. Any 2xx answer is taken as accepted unless its JSON body says otherwise
    (``"error"`` set, or ``"status"`` of ``error``/``failed``); anything else — another status,
    a timeout, a refused connection — raises :class:`SmsDeliveryError` and is logged with the
    gateway's own words (never the message: it may hold a one-time code)."""

    def __init__(self) -> None:
        self.url = settings.OPENCITY_SMS_GATEWAY_URL
        self.sender = settings.OPENCITY_SMS_SENDER
        if not self.url or not self.sender:
            raise ImproperlyConfigured(
                "The SMS gateway backend needs OPENCITY_SMS_GATEWAY_URL and OPENCITY_SMS_SENDER")
        self.user = settings.OPENCITY_SMS_GATEWAY_USER
        self.password = settings.OPENCITY_SMS_GATEWAY_PASSWORD
        self.timeout = settings.OPENCITY_SMS_TIMEOUT
        self.plain = settings.OPENCITY_SMS_UNACCENTED

    def _request(self, message: SmsMessage) -> urllib.request.Request:
        text = unaccented(message.body) if self.plain else message.body
        body = json.dumps({"to": message.to, "sender": self.sender, "text": text,
                           "unicode": not text.isascii()}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.user or self.password:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")

    def send(self, message: SmsMessage) -> None:
        # No proxy from the environment: the gateway is a fixed, configured address.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(self._request(message), timeout=self.timeout) as response:
                answer = response.read(MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", errors="replace")
            logger.error("SMS gateway refused a message to %s: HTTP %s %s", _masked(message.to), exc.code,
                         detail)
            raise SmsDeliveryError() from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            logger.error("SMS gateway %s not reached for a message to %s: %s", self.url, _masked(message.to),
                         reason)
            raise SmsDeliveryError() from exc
        failure = _failure_in(answer)
        if failure:
            logger.error("SMS gateway did not accept a message to %s: %s", _masked(message.to), failure)
            raise SmsDeliveryError()


def _failure_in(answer: bytes) -> str:
    """The gateway's complaint in a 2xx answer, or "" (an empty or non-JSON body is success)."""
    try:
        data = json.loads(answer or b"null")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    if data.get("error"):
        return str(data["error"])[:300]
    if str(data.get("status", "")).lower() in ("error", "failed"):
        return str(data.get("message") or data["status"])[:300]
    return ""


def _masked(phone: str) -> str:
    """A number as logs may show it (the last three digits)."""
    return f"…{phone[-3:]}" if phone else "?"


@lru_cache(maxsize=8)
def _backend_class(path: str) -> type[BaseBackend]:
    return import_string(path)


def get_backend() -> BaseBackend:
    return _backend_class(settings.OPENCITY_SMS_BACKEND)()


def send_sms(to: str, body: str) -> None:
    """Send one text message now (raises :class:`SmsDeliveryError` if it could not go)."""
    get_backend().send(SmsMessage(to=to, body=body))
