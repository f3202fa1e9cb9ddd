"""Pluggable SMS backends. The console backend prints and keeps messages (for tests)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass
class SmsMessage:
    to: str
    body: str


class BaseBackend:
    def send(self, message: SmsMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Prints each message; keeps the last ones in ``outbox`` so tests can read codes."""

    outbox: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> None:
        ConsoleBackend.outbox.append(message)
        del ConsoleBackend.outbox[:-100]
        print(f"[SMS to {message.to}] {message.body}", flush=True)


def send_sms(to: str, body: str) -> None:
    backend_cls = import_string(settings.OPENCITY_SMS_BACKEND)
    backend_cls().send(SmsMessage(to=to, body=body))
