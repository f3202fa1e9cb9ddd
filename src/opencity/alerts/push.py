"""Web Push backends, chosen by ``OPENCITY_PUSH_BACKEND``.

- :class:`WebPushBackend` (production): pywebpush with the VAPID keys from settings. Without
  keys it is *not configured*: pushes are skipped and that is logged.
- :class:`MemoryBackend` (tests, development): keeps what would have been sent in ``outbox``.
- :class:`ConsoleBackend`: logs each push.

A backend's ``send`` returns ``"ok"``, ``"gone"`` (the subscription no longer exists: delete it)
or ``"failed"`` (try again with the next message).
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Literal

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
Result = Literal["ok", "gone", "failed"]


class PushBackend:
    def is_configured(self) -> bool:
        return True

    def send(self, subscription, payload: dict, *, ttl: int = 3600) -> Result:
        raise NotImplementedError


class WebPushBackend(PushBackend):
    timeout = 10

    def is_configured(self) -> bool:
        return bool(settings.OPENCITY_VAPID_PRIVATE_KEY and settings.OPENCITY_VAPID_PUBLIC_KEY)

    def send(self, subscription, payload: dict, *, ttl: int = 3600) -> Result:
        from pywebpush import WebPushException, webpush

        try:
            webpush(
                subscription_info=subscription.info(),
                data=json.dumps(payload, ensure_ascii=False),
                vapid_private_key=settings.OPENCITY_VAPID_PRIVATE_KEY,
                # A fresh dict per call: pywebpush writes "aud" (the endpoint's origin) into it.
                vapid_claims={"sub": settings.OPENCITY_VAPID_SUBJECT},
                ttl=ttl,
                timeout=self.timeout,
                headers={"Urgency": "high"},
            )
        except WebPushException as exc:
            if exc.status_code in (404, 410):
                return "gone"
            logger.warning("web push to %s failed: %s", subscription.endpoint[:60], exc.status_code or exc)
            return "failed"
        except Exception as exc:  # network errors: the next message tries again
            logger.warning("web push to %s failed: %s", subscription.endpoint[:60], exc)
            return "failed"
        return "ok"


class MemoryBackend(PushBackend):
    """Keeps pushes in memory. ``gone_endpoints`` simulates subscriptions the service dropped."""

    outbox: list[dict] = []
    gone_endpoints: set[str] = set()

    def send(self, subscription, payload: dict, *, ttl: int = 3600) -> Result:
        if subscription.endpoint in self.gone_endpoints:
            return "gone"
        MemoryBackend.outbox.append({"endpoint": subscription.endpoint, "user_id": subscription.user_id,
                                     "payload": payload, "ttl": ttl})
        return "ok"

    @classmethod
    def reset(cls) -> None:
        cls.outbox.clear()
        cls.gone_endpoints.clear()


class ConsoleBackend(PushBackend):
    def send(self, subscription, payload: dict, *, ttl: int = 3600) -> Result:
        logger.warning("push to user %s: %s", subscription.user_id, payload.get("title"))
        return "ok"


@lru_cache(maxsize=8)
def _backend_class(path: str):
    return import_string(path)


def get_backend() -> PushBackend:
    return _backend_class(settings.OPENCITY_PUSH_BACKEND)()
