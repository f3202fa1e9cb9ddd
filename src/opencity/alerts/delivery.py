"""Deliver a warning message to the people in its target: in their inboxes, then web push.

**Inbox: one row, not one per person.** A warning message is a *broadcast* notification
(``notifications``: :func:`notify_broadcast`), written with the message in the publishing
transaction (:func:`message_notice`): its audience is the target — the wards' residents by home
ward, those whose recently shared location lies there, everyone placed in the city (or placed
nowhere) for a whole-city warning — and every inbox reads it through that audience
(``notifications.selectors.inbox``). A city-wide warning to 1.3 M accounts is visible to all of
them the moment it commits, writes a constant number of rows, and someone who moves into the
flooded ward afterwards sees it too. Reading it writes a receipt for that one person.

**Push: one per device, queued in batches.** :func:`message_push` walks the push subscriptions
of people in the audience by id, ``OPENCITY_ALERT_BATCH_SIZE`` at a time; each batch is one
transaction that locks the message, writes ONE outbox row (:data:`PUSH_KIND`) naming the batch's
subscriptions and moves the message's ``push_cursor``. A worker killed mid-way leaves either a
whole batch queued or none of it, and the next run (a retry, the periodic ``resume_deliveries``)
continues after the cursor: every device is queued exactly once, and nothing is held in memory
beyond one batch of ids. The outbox carries each row out (``message_push_batch``) at least once;
the notification's ``tag`` (one per warning) makes a browser replace a repeat rather than stack it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencity.accounts.models import User
from opencity.geo.models import Area
from opencity.notifications.models import Notification, PushSubscription
from opencity.notifications.outbox import outbox_put
from opencity.notifications.push import get_backend, send_to_subscriptions
from opencity.notifications.selectors import broadcast_audience, broadcast_audience_q
from opencity.notifications.services import Subject, broadcast_end, notify_broadcast

from .models import Message, MessageStatus, MsgType

logger = logging.getLogger(__name__)
VERB = "warning"
# the outbox kinds (notifications/outbox.py), registered in apps.py, life-safety
DELIVER_KIND = "alerts.deliver"  # {"message_id"}: message_deliver, written with the message
PUSH_KIND = "alerts.push"  # {"message_id", "subscriptions": [ids]}: message_push_batch


@dataclass
class FanOutResult:
    batches: int = 0
    delivered: int = 0
    done: bool = False


def _city_area_ids() -> list[int]:
    """The city's own area and its wards, as ids: a whole-city warning's target."""
    city = settings.OPENCITY_CITY_CODE
    return list(Area.objects.filter(Q(code=city) | Q(parent__code=city)).values_list("pk", flat=True))


def message_notice(message: Message, areas: list[Area], *, first: Message | None = None) -> Notification:
    """The broadcast notification of a message being written (``services._write_message``, in
    its transaction): its words in each language, and its audience, the message's target:

    - a whole-city warning: everyone whose home ward is the city or one of its wards, or who
      told us none;
    - else the people whose home ward is a target ward, and those whose last shared location
      lies in one and was shared at most ``OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS`` before the
      chain's first message — so an update or a cancel reaches whoever the first message reached
      by their location, however old it is by now, as long as it still lies in the target.

    It runs until the message expires; a cancel ends at once, and a newer message ends the one it
    replaces (``broadcast_end``): accounts made after that no longer inherit it.
    """
    texts = {code: _texts(message, code) for code, _name in settings.LANGUAGES}
    hours = max(1, settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS)
    if message.previous_id is not None and message.previous.notice_id is not None:
        broadcast_end(notification_id=message.previous.notice_id, at=message.sent)
    if message.whole_city:
        audience = {"area_ids": _city_area_ids(), "unplaced": True, "located_after": None}
    else:
        located_after = message.sent - dt.timedelta(hours=hours)
        if first is not None:  # the chain's people by location are the first message's
            first_notice = first.notice
            located_after = (first_notice.audience_located_after if first_notice is not None
                             and first_notice.audience_located_after is not None
                             else first.sent - dt.timedelta(hours=hours))
        audience = {"area_ids": [a.pk for a in areas], "unplaced": False, "located_after": located_after}
    return notify_broadcast(
        verb=VERB, texts=texts, url=reverse("alerts:detail", args=[message.alert_id]),
        subject=Subject("alert", message.alert_id, message.alert.ref), created_at=message.sent,
        ends_at=message.sent if message.msg_type == MsgType.CANCEL else message.expires, **audience)


def target_users(message: Message, *, now: dt.datetime | None = None):
    """The active people in the message's target: its broadcast's audience, the very rule every
    inbox reads it by (``notifications.selectors``), as one query over the user table. None for
    a message without a broadcast (Exercise, Test)."""
    if message.notice_id is None:
        return User.objects.none()
    return broadcast_audience(message.notice, now=now)


def _texts(message: Message, lang: str) -> tuple[str, str]:
    with translation.override(lang):
        headline = message.headline(lang)
        if message.msg_type == MsgType.UPDATE:
            title = _("Warning updated: %(headline)s") % {"headline": headline}
        elif message.msg_type == MsgType.CANCEL:
            title = _("Warning cancelled: %(headline)s") % {"headline": headline}
        else:
            title = _("Warning: %(headline)s") % {"headline": headline}
        body = message.note if message.msg_type == MsgType.CANCEL and message.note else message.description(lang)
    return title[:200], body


def _deliverable(message: Message) -> bool:
    """Only Actual messages still the latest of their chain are delivered (a newer one supersedes)."""
    return message.status == MessageStatus.ACTUAL and message.alert.latest_id == message.pk


def message_fan_out(*, message_id: int, **_ignored) -> FanOutResult:
    """Nothing is written per person (the broadcast is in every inbox of its audience since the
    message committed): count the people it reached, for its figures, and say it is done."""
    with transaction.atomic():
        message = Message.objects.select_for_update(of=("self",)).select_related("alert", "notice").get(pk=message_id)
        if message.fanout_done_at is not None:
            return FanOutResult(done=True)
        reached = target_users(message).count() if _deliverable(message) else 0
        Message.objects.filter(pk=message.pk).update(delivered_count=reached, fanout_done_at=timezone.now())
    return FanOutResult(batches=1, delivered=reached, done=True)


def _payload(message: Message, lang: str) -> dict:
    title, body = _texts(message, lang)
    return {
        "title": title,
        "body": body[:240],
        "url": reverse("alerts:detail", args=[message.alert_id]),
        "tag": f"warning-{message.alert_id}",
        "severity": message.severity,
        "renotify": True,
        "lang": lang,
    }


def _subscriptions(message: Message):
    """The push subscriptions of the people in the message's target, by id: the audience's rule
    on the joined user row, so a batch is an index walk that stops at its size."""
    return (PushSubscription.objects.filter(user__is_active=True)
            .filter(broadcast_audience_q(message.notice, prefix="user__")).order_by("pk"))


def _queue_push_batch(message_id: int, size: int) -> tuple[int, bool]:
    """One batch of devices queued, all or nothing. Returns (devices queued, finished)."""
    with transaction.atomic():
        message = Message.objects.select_for_update(of=("self",)).select_related("alert", "notice").get(pk=message_id)
        if message.push_done_at is not None:
            return 0, True
        now = timezone.now()
        if not _deliverable(message) or message.expires <= now or message.notice_id is None:
            # Superseded by a newer message, or over: a late push would only mislead.
            Message.objects.filter(pk=message.pk).update(push_done_at=now)
            return 0, True
        if not get_backend().is_configured():
            logger.warning("Web push skipped for warning message %s: VAPID keys are not configured "
                           "(OPENCITY_VAPID_PUBLIC_KEY, OPENCITY_VAPID_PRIVATE_KEY).", message.identifier)
            Message.objects.filter(pk=message.pk).update(push_done_at=now)
            return 0, True
        ids = list(_subscriptions(message).filter(pk__gt=message.push_cursor).values_list("pk", flat=True)[:size])
        if not ids:
            Message.objects.filter(pk=message.pk).update(push_done_at=now)
            return 0, True
        outbox_put(kind=PUSH_KIND, payload={"message_id": message.pk, "subscriptions": ids})
        Message.objects.filter(pk=message.pk).update(push_cursor=ids[-1], pushed_count=F("pushed_count") + len(ids))
        return len(ids), False


def message_push(*, message_id: int, batch_size: int | None = None, max_batches: int | None = None) -> int:
    """Queue the pushes of a message to every device of the people in its target, batch after
    batch, from where the last run stopped (``max_batches``: a run cut short, as by a worker
    restart). Returns the devices queued by this run."""
    size = max(1, batch_size or settings.OPENCITY_ALERT_BATCH_SIZE)
    queued = batches = 0
    while max_batches is None or batches < max_batches:
        count, done = _queue_push_batch(message_id, size)
        batches += 1
        queued += count
        if done:
            break
    return queued


def message_push_batch(*, message_id: int, subscription_ids: list[int]) -> int:
    """Send one queued batch (the outbox handler of :data:`PUSH_KIND`): the message in each
    device owner's language. At least once: a rerun after a crash sends the batch again, and the
    warning's tag makes the browser replace it. Returns pushes sent."""
    message = Message.objects.select_related("alert").get(pk=message_id)
    if not _deliverable(message) or message.expires <= timezone.now():
        return 0
    backend = get_backend()
    if not backend.is_configured():
        logger.warning("Web push skipped for warning message %s: VAPID keys are not configured.", message.identifier)
        return 0
    ttl = min(86400, max(60, int((message.expires - timezone.now()).total_seconds())))
    by_language: dict[str, list] = defaultdict(list)
    for sub in PushSubscription.objects.filter(pk__in=subscription_ids).select_related("user").order_by("pk"):
        by_language[sub.user.preferred_language or settings.LANGUAGE_CODE].append(sub)
    sent = 0
    for lang, subscriptions in by_language.items():
        sent += send_to_subscriptions(backend, subscriptions, _payload(message, lang), ttl=ttl)
    return sent


def message_deliver(*, message_id: int, batch_size: int | None = None) -> FanOutResult:
    """Queue the pushes, then count who was reached (the inbox needs nothing: the broadcast is
    there since the message committed). Safe to run again at any point."""
    message_push(message_id=message_id, batch_size=batch_size)
    return message_fan_out(message_id=message_id)


def pending_message_ids(*, older_than_seconds: int = 120) -> list[int]:
    """Messages whose delivery was started but not finished (a worker stopped mid-way)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return list(Message.objects.filter(Q(fanout_done_at__isnull=True) | Q(push_done_at__isnull=True),
                                       status=MessageStatus.ACTUAL, sent__lte=cutoff)
                .order_by("pk").values_list("pk", flat=True)[:100])
