"""Deliver a warning message to the people in its target: inbox rows, then web push.

Runs in the worker (``tasks.deliver_message``), in batches of ``OPENCITY_ALERT_BATCH_SIZE``
users walked by id. Each batch is one transaction that locks the message row, reads the
message's progress cursor, writes the batch's inbox rows and :class:`Delivery` rows (unique per
message and user, inserted with ``ignore_conflicts``) and moves the cursor. A worker killed
mid-way therefore leaves either a whole batch or none of it, and the next run (the periodic
``resume_deliveries`` or a retry) continues after the cursor: nobody gets a message twice.

Push goes after the inbox rows, to deliveries not yet pushed; each delivery is claimed (its
``pushed_at`` set) just before its push is sent, so a second worker or a rerun never pushes it
again. A crash between claim and send loses at most that one push; the inbox row is there.
The notification's ``tag`` (one per warning) makes a browser replace an earlier push of the
same warning rather than stack them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencity.accounts.models import User
from opencity.notifications.models import Notification

from .models import Delivery, Message, MessageStatus, MsgType, PushSubscription
from .push import get_backend, send_to_subscriptions

logger = logging.getLogger(__name__)
VERB = "warning"


@dataclass
class FanOutResult:
    batches: int = 0
    delivered: int = 0
    done: bool = False


def target_users(message: Message, *, now: dt.datetime | None = None):
    """Active people in the message's target: whose home ward is a target ward, or whose
    last shared location lies in one and was shared within
    ``OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS``. An update or a cancel also reaches the people
    an earlier message of the warning reached by their location, however old it is by now, as
    long as it still lies in the target: whoever was warned hears how it ends.

    One query over the user table, so a person matched twice is still one row (and one
    delivery). It is served by the indexes on ``home_area`` and on ``(last_location_area,
    last_location_at)``; the target wards are inlined as a short list of ids.

    A whole-city warning reaches everyone whose home is in the city or not told us.
    """
    qs = User.objects.filter(is_active=True)
    if message.whole_city:
        city = settings.OPENCITY_CITY_CODE
        return qs.filter(Q(home_area__isnull=True) | Q(home_area__parent__code=city) | Q(home_area__code=city))
    area_ids = list(message.areas.values_list("pk", flat=True))
    if not area_ids:
        return qs.none()
    now = now or timezone.now()
    hours = max(1, settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS)
    located = Q(last_location_at__gte=now - dt.timedelta(hours=hours))
    if message.msg_type != MsgType.ALERT:
        located |= Exists(Delivery.objects.filter(alert_id=message.alert_id, user_id=OuterRef("pk")))
    return qs.filter(Q(home_area_id__in=area_ids) | (Q(last_location_area_id__in=area_ids) & located))


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


def _fan_out_batch(message_id: int, batch_size: int, delivered_at) -> tuple[int, bool]:
    """One batch, all or nothing. Returns (people newly delivered, finished)."""
    with transaction.atomic():
        message = Message.objects.select_for_update(of=("self",)).select_related("alert").get(pk=message_id)
        if message.fanout_done_at is not None:
            return 0, True
        now = timezone.now()
        if not _deliverable(message):
            Message.objects.filter(pk=message.pk).update(fanout_done_at=now)
            return 0, True
        ids = list(target_users(message).filter(pk__gt=message.fanout_cursor).order_by("pk")
                   .values_list("pk", flat=True)[:batch_size])
        if not ids:
            Message.objects.filter(pk=message.pk).update(fanout_done_at=now)
            return 0, True
        already = set(Delivery.objects.filter(message=message, user_id__in=ids).values_list("user_id", flat=True))
        fresh = [i for i in ids if i not in already]
        langs = dict(User.objects.filter(pk__in=fresh).values_list("pk", "preferred_language"))
        texts = {lang: _texts(message, lang or "vi") for lang in set(langs.values())}
        url = reverse("alerts:detail", args=[message.alert_id])
        at = delivered_at or now
        notifications = Notification.objects.bulk_create([
            Notification(user_id=uid, verb=VERB, title=texts[langs[uid]][0], body=texts[langs[uid]][1],
                         url=url, created_at=at)
            for uid in fresh
        ])
        Delivery.objects.bulk_create([
            Delivery(message=message, alert_id=message.alert_id, user_id=n.user_id, notification=n, created_at=at)
            for n in notifications
        ], ignore_conflicts=True)
        Message.objects.filter(pk=message.pk).update(
            fanout_cursor=ids[-1], delivered_count=F("delivered_count") + len(fresh))
        return len(fresh), False


def message_fan_out(*, message_id: int, batch_size: int | None = None, max_batches: int | None = None,
                    delivered_at=None) -> FanOutResult:
    """Write the inbox rows of a message, batch after batch, from where the last run stopped.

    ``max_batches`` stops early (a run cut short, as by a worker restart); ``delivered_at`` is
    only for back-filling history (the demo pack).
    """
    size = max(1, batch_size or settings.OPENCITY_ALERT_BATCH_SIZE)
    result = FanOutResult()
    while max_batches is None or result.batches < max_batches:
        delivered, done = _fan_out_batch(message_id, size, delivered_at)
        result.batches += 1
        result.delivered += delivered
        if done:
            result.done = True
            break
    return result


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


def message_push(*, message_id: int, batch_size: int | None = None) -> int:
    """Push a delivered message to the browsers of people not yet pushed. Returns pushes sent."""
    message = Message.objects.select_related("alert").get(pk=message_id)
    if message.push_done_at is not None:
        return 0
    if not _deliverable(message) or message.expires <= timezone.now():
        # Superseded by a newer message, or over: a late push would only mislead.
        Message.objects.filter(pk=message.pk).update(push_done_at=timezone.now())
        return 0
    backend = get_backend()
    if not backend.is_configured():
        logger.warning("Web push skipped for warning message %s: VAPID keys are not configured "
                       "(OPENCITY_VAPID_PUBLIC_KEY, OPENCITY_VAPID_PRIVATE_KEY).", message.identifier)
        Message.objects.filter(pk=message.pk).update(push_done_at=timezone.now())
        return 0
    size = max(1, batch_size or settings.OPENCITY_ALERT_BATCH_SIZE)
    payloads: dict[str, dict] = {}
    sent = 0
    last_id = 0
    with_subscription = PushSubscription.objects.values("user_id")
    while True:
        batch = list(Delivery.objects.filter(message=message, pushed_at__isnull=True, pk__gt=last_id,
                                             user_id__in=with_subscription)
                     .select_related("user").order_by("pk")[:size])
        if not batch:
            break
        last_id = batch[-1].pk
        subs = defaultdict(list)
        for sub in PushSubscription.objects.filter(user_id__in=[d.user_id for d in batch]):
            subs[sub.user_id].append(sub)
        for delivery in batch:
            # Claim before sending: two workers on the same message never push one delivery twice.
            if not Delivery.objects.filter(pk=delivery.pk, pushed_at__isnull=True).update(pushed_at=timezone.now()):
                continue
            lang = delivery.user.preferred_language or "vi"
            payload = payloads.setdefault(lang, _payload(message, lang))
            ttl = max(60, int((message.expires - timezone.now()).total_seconds()))
            sent += send_to_subscriptions(backend, subs[delivery.user_id], payload, ttl=min(ttl, 86400))
    Message.objects.filter(pk=message.pk).update(push_done_at=timezone.now())
    return sent


def message_deliver(*, message_id: int, batch_size: int | None = None) -> FanOutResult:
    """Inbox rows for everyone in the target, then push. Safe to run again at any point."""
    result = message_fan_out(message_id=message_id, batch_size=batch_size)
    if result.done:
        message_push(message_id=message_id, batch_size=batch_size)
    return result


def pending_message_ids(*, older_than_seconds: int = 120) -> list[int]:
    """Messages whose delivery was started but not finished (a worker stopped mid-way)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return list(Message.objects.filter(Q(fanout_done_at__isnull=True) | Q(push_done_at__isnull=True),
                                       status=MessageStatus.ACTUAL, sent__lte=cutoff)
                .order_by("pk").values_list("pk", flat=True)[:100])
