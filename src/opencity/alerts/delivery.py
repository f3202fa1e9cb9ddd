"""Deliver a warning message to the people in its target: inbox rows, then web push.

Runs in the worker (``tasks.deliver_message``), in batches of ``OPENCITY_ALERT_BATCH_SIZE``
users walked by id. Each batch is one transaction that locks the message row, reads the
message's progress cursor, writes the batch's inbox rows and :class:`Delivery` rows (unique per
message and user, inserted with ``ON CONFLICT DO NOTHING``) and moves the cursor. A worker killed
mid-way therefore leaves either a whole batch or none of it, and the next run (the periodic
``resume_deliveries`` or a retry) continues after the cursor: nobody gets a message twice.

The rows are written in SQL (``notifications.services.notify_bulk``: ``INSERT … SELECT`` from
the targeting query), not one Python object per person: half a million people take seconds, not
minutes (``make bench``).

Push goes after the inbox rows, to deliveries not yet pushed; a batch of deliveries is claimed
(its ``pushed_at`` set, rows locked by another worker skipped) and committed before its pushes
are sent, so a second worker or a rerun never pushes one again. A crash between claim and send
loses at most that batch's pushes; the inbox rows are there.
The notification's ``tag`` (one per warning) makes a browser replace an earlier push of the
same warning rather than stack them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencity.accounts.models import User
from opencity.geo.models import Area
from opencity.notifications.models import PushSubscription
from opencity.notifications.push import get_backend, send_to_subscriptions
from opencity.notifications.services import BulkLink, Subject, notify_bulk

from .models import Delivery, Message, MessageStatus, MsgType

logger = logging.getLogger(__name__)
VERB = "warning"
# the outbox kind (notifications/outbox.py), registered in apps.py, life-safety
DELIVER_KIND = "alerts.deliver"  # {"message_id"}: message_deliver, written with the message


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
        # The city's own area and its wards, as ids: no join per person row.
        city = settings.OPENCITY_CITY_CODE
        areas = list(Area.objects.filter(Q(code=city) | Q(parent__code=city)).values_list("pk", flat=True))
        return qs.filter(Q(home_area__isnull=True) | Q(home_area_id__in=areas))
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


def _insert_inbox_rows(message: Message, user_ids: list[int], *, at: dt.datetime) -> int:
    """Write the inbox rows and deliveries of these people in SQL (``notify_bulk``: no Python
    object per person; on PostgreSQL one statement writes both tables). Returns how many were
    written. The title and body are chosen per row by the person's language."""
    if not user_ids:
        return 0
    texts = {code: _texts(message, code) for code, _name in settings.LANGUAGES}
    return notify_bulk(
        User.objects.filter(pk__in=user_ids), verb=VERB, texts=texts,
        url=reverse("alerts:detail", args=[message.alert_id]),
        subject=Subject("alert", message.alert_id, message.alert.ref),
        created_at=at,
        link=BulkLink(table=Delivery._meta.db_table,
                      values={"message_id": message.pk, "alert_id": message.alert_id, "created_at": at}),
    )


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
        if connection.vendor == "postgresql":
            # Losing the last few batches' commits in a crash is harmless here: the cursor goes
            # back with them and the next run writes them again. Not waiting for the disk on
            # every batch saves a third of the time.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # Nobody beyond the cursor has the message, unless the cursor was moved back by hand:
        # one probe of the (message, user) unique index says so, and only then are they read.
        fresh = ids
        if Delivery.objects.filter(message=message, user_id__gt=message.fanout_cursor).exists():
            already = set(Delivery.objects.filter(message=message, user_id__in=ids).values_list("user_id", flat=True))
            fresh = [i for i in ids if i not in already]
        written = _insert_inbox_rows(message, fresh, at=delivered_at or now)
        Message.objects.filter(pk=message.pk).update(
            fanout_cursor=ids[-1], delivered_count=F("delivered_count") + written)
        return written, False


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


def _claim_pushes(message: Message, size: int, after: int = 0) -> tuple[list[tuple[int, str]], int]:
    """Claim the next ``size`` deliveries of the message after the id ``after``, not yet pushed,
    whose person has a device: one locked read (rows another worker holds are skipped) and one
    ``UPDATE`` of their ``pushed_at``, committed before anything is sent. Returns the (user id,
    language) pairs and the last delivery id claimed, where the next claim starts."""
    with transaction.atomic():
        rows = list(Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(message=message, pushed_at__isnull=True, pk__gt=after,
                            user_id__in=PushSubscription.objects.values("user_id"))
                    .order_by("pk").values_list("pk", "user_id", "user__preferred_language")[:size])
        if rows:
            Delivery.objects.filter(pk__in=[pk for pk, _user, _lang in rows]).update(pushed_at=timezone.now())
    return [(user_id, lang or settings.LANGUAGE_CODE) for _pk, user_id, lang in rows], rows[-1][0] if rows else after


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
    sent = last = 0
    while True:
        batch, last = _claim_pushes(message, size, last)
        if not batch:
            break
        ttl = min(86400, max(60, int((message.expires - timezone.now()).total_seconds())))
        subs = defaultdict(list)
        for sub in PushSubscription.objects.filter(user_id__in=[user_id for user_id, _lang in batch]):
            subs[sub.user_id].append(sub)
        by_language = defaultdict(list)
        for user_id, lang in batch:
            by_language[lang].extend(subs[user_id])
        for lang, subscriptions in by_language.items():
            payload = payloads.setdefault(lang, _payload(message, lang))
            sent += send_to_subscriptions(backend, subscriptions, payload, ttl=ttl)
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
