"""Web Push backends, chosen by ``OPENCITY_PUSH_BACKEND``.

- :class:`WebPushBackend` (production): pywebpush with the VAPID keys from settings. Without
  keys it is *not configured*: pushes are skipped and that is logged.
- :class:`MemoryBackend` (tests, development): keeps what would have been sent in ``outbox``.
- :class:`ConsoleBackend`: logs each push.

A backend's ``send`` returns ``"ok"``, ``"gone"`` (the subscription no longer exists: delete it)
or ``"failed"`` (try again with the next message).

Endpoints are URLs a browser hands us, so they are checked twice (issue #13, finding 4): when
a subscription is stored (:func:`check_endpoint`: https, a host of a known push service from
``OPENCITY_PUSH_ALLOWED_HOSTS``) and again when the worker sends, through
:mod:`opencity.lib.outbound` (the host resolved once to public addresses and connected to
there, no redirects, one deadline, a bounded answer).

Subscriptions are stored per user and device
(:class:`~opencity.notifications.models.PushSubscription`), whatever the message:
:func:`send_to_subscriptions` sends one payload and keeps the subscriptions' books,
:func:`send_push_to_user` does it for one person's devices; :func:`notifications_push` is the
web-push channel's outbox handler (inbox entries such as a rescue request's steps); warnings
use :func:`send_to_subscriptions` in batches (``alerts.delivery.message_push``). Call them from
the worker, never in a request: a push service may take seconds to answer.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from opencity.errors import ValidationError
from opencity.lib import outbound

from .models import Notification, PushSubscription

logger = logging.getLogger(__name__)
Result = Literal["ok", "gone", "failed"]
MAX_RESPONSE_BYTES = 64 * 1024  # push services answer with an empty body or a short error
# Refusals that no later attempt can change: the subscription is dropped.
_NEVER_SENDABLE = ("bad_url", "host_not_allowed")


def _allowed_networks():
    return outbound.parse_networks(settings.OPENCITY_PUSH_ALLOWED_NETWORKS)


def check_endpoint(endpoint: str) -> str:
    """The endpoint if pushes may ever go there, else ValidationError with a clear message.
    No DNS here (a request does not wait on it, and the answer may change): the worker checks
    the addresses on every send."""
    endpoint = str(endpoint or "").strip()
    if len(endpoint) > 1000:
        raise ValidationError(_("This browser sent an invalid push subscription."), field="endpoint",
                              code="invalid_subscription")
    try:
        outbound.check_url(endpoint, allowed_hosts=settings.OPENCITY_PUSH_ALLOWED_HOSTS,
                           allowed_networks=_allowed_networks())
    except outbound.OutboundRefused as exc:
        if exc.code == "host_not_allowed":
            raise ValidationError(
                _("This browser's push service (%(host)s) is not one we send warnings through. "
                  "Chrome, Edge, Firefox and Safari are supported.") % {"host": urlsplit(endpoint).hostname},
                field="endpoint", code="push_service_not_allowed",
            ) from None
        raise ValidationError(_("This browser sent an invalid push subscription."), field="endpoint",
                              code="invalid_subscription") from None
    return endpoint


class _OutboundSession:
    """What pywebpush calls ``requests_session``: its one ``post`` goes through
    :func:`opencity.lib.outbound.post` with the push rules."""

    def post(self, url, data=None, headers=None, timeout=None, **_ignored):
        return outbound.post(
            url, body=data, headers=dict(headers or {}),
            allowed_hosts=settings.OPENCITY_PUSH_ALLOWED_HOSTS, allowed_networks=_allowed_networks(),
            timeout=settings.OPENCITY_PUSH_TIMEOUT, max_response_bytes=MAX_RESPONSE_BYTES,
            cafile=settings.OPENCITY_PUSH_CA_FILE or None,
        )


class PushBackend:
    def is_configured(self) -> bool:
        return True

    def send(self, subscription, payload: dict, *, ttl: int = 3600) -> Result:
        raise NotImplementedError


class WebPushBackend(PushBackend):
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
                timeout=settings.OPENCITY_PUSH_TIMEOUT,
                headers={"Urgency": "high"},
                requests_session=_OutboundSession(),  # type: ignore[arg-type]  # duck-typed
            )
        except outbound.OutboundRefused as exc:
            logger.warning("web push to %s refused: %s", subscription.endpoint[:60], exc)
            return "gone" if exc.code in _NEVER_SENDABLE else "failed"
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


def send_to_subscriptions(backend: PushBackend, subscriptions, payload: dict, *, ttl: int) -> int:
    """Send one payload to each subscription and keep the books: a success resets the failure
    count, a subscription the push service no longer knows is deleted, a failure is counted
    (and logged by the backend). The books are written once per call, not per push. Returns
    the pushes sent."""
    outcomes: dict[str, list[int]] = {"ok": [], "gone": [], "failed": []}
    for sub in subscriptions:
        outcomes[backend.send(sub, payload, ttl=ttl)].append(sub.pk)
    if outcomes["ok"]:
        PushSubscription.objects.filter(pk__in=outcomes["ok"]).update(last_success_at=timezone.now(), failures=0)
    if outcomes["gone"]:
        PushSubscription.objects.filter(pk__in=outcomes["gone"]).delete()
    if outcomes["failed"]:
        PushSubscription.objects.filter(pk__in=outcomes["failed"]).update(failures=F("failures") + 1)
    return len(outcomes["ok"])


def send_push_to_user(user, *, title: str, body: str = "", url: str = "", tag: str = "",
                      ttl: int = 3600, **extra) -> int:
    """Push a notification to every device the person subscribed. Returns the pushes sent (0
    without a device, or when push is not configured: that is logged). ``tag`` makes the
    browser replace the earlier notification with the same tag; ``extra`` goes into the
    payload as is (``severity``…)."""
    backend = get_backend()
    subscriptions = list(PushSubscription.objects.filter(user=user))
    if not subscriptions:
        return 0
    if not backend.is_configured():
        logger.warning("Web push skipped for user %s: VAPID keys are not configured "
                       "(OPENCITY_VAPID_PUBLIC_KEY, OPENCITY_VAPID_PRIVATE_KEY).", getattr(user, "pk", user))
        return 0
    payload = {"title": str(title)[:200], "body": str(body)[:240], "url": url, "tag": tag,
               "renotify": bool(tag), "lang": getattr(user, "preferred_language", "") or "vi", **extra}
    return send_to_subscriptions(backend, subscriptions, payload, ttl=ttl)


def notifications_push(*, notification_ids: list[int], tag: str = "") -> int:
    """Push inbox entries other than warnings (a rescue request's steps) to their people's
    devices, through the same backend and subscriptions as warnings. Returns pushes sent; a
    failure is logged and swallowed (the inbox entry is the record)."""
    sent = 0
    for n in Notification.objects.filter(pk__in=notification_ids, user__is_active=True).select_related("user"):
        try:
            sent += send_push_to_user(n.user, title=n.title, body=n.body, url=n.url, tag=tag)
        except Exception:
            logger.exception("web push of notification %s failed", n.pk)
    return sent
