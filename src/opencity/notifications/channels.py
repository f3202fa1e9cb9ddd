"""The ways a notification reaches a person, behind one interface.

Every notification is first an inbox row (:class:`Notification`, the record: the ``inbox``
channel is the row itself). The other channels — ``email``, ``webpush``, ``sms`` — are *owed*
in the caller's transaction through the outbox (``outbox.py``), a row of the channel's kind
holding up to :attr:`Channel.chunk` inbox ids, and carried out by the worker after the commit
(:meth:`Channel.deliver`, the outbox handler). Whom a channel can reach is its own rule
(:meth:`Channel.wants`: an e-mail address and the wish for e-mail, a phone number).

Delivery is at least once, as the outbox's: the e-mail and SMS channels mark ``emailed_at`` and
``texted_at`` per message as soon as it is sent, so a chunk retried after it failed part-way (a
worker that dies, a gateway that refuses one) sends only what was not sent — a text is paid for,
and a person should not get the same one twice; only a worker killed between the gateway's
answer and the mark can repeat one. Pushes carry a ``tag`` (a repeat replaces the notification
on the device).

Channels are registered here by name (:func:`register`); ``services.notify`` takes the names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils import timezone, translation

from . import outbox
from .models import Notification

INBOX = "inbox"
EMAIL = "email"
WEBPUSH = "webpush"
SMS = "sms"
# A push or a text message is safe to repeat (a tag, a short text), so a crashed worker's row
# is taken again after a short lease, as for warnings.
SHORT_LEASE_SECONDS = 60


class Channel:
    """One way to reach people. Subclasses set ``name`` and ``kind`` and implement ``deliver``."""

    name: str = ""
    kind: str = ""  # the outbox kind of its deliveries ("" for the inbox: nothing to deliver)
    chunk: int = 100  # inbox ids per outbox row: one row's sends finish well within its lease
    lease_seconds: int | None = None

    def wants(self, user) -> bool:
        """Whether this channel can reach ``user`` (called while the rows are written)."""
        return True

    def owe(self, notifications: Sequence[Notification], *, urgent: bool = False, tag: str = "") -> None:
        """Owe the delivery of these inbox rows, in the caller's transaction. ``urgent``:
        life-safety priority. ``tag``: one per subject, a device replaces the earlier one."""
        ids = [n.pk for n in notifications if self.wants(n.user)]
        for start in range(0, len(ids), self.chunk):
            payload: dict = {"ids": ids[start:start + self.chunk]}
            if tag:
                payload["tag"] = tag
            outbox.outbox_put(kind=self.kind, payload=payload, priority=outbox.LIFE_SAFETY if urgent else None)

    def deliver(self, *, ids: list[int], tag: str = "") -> int:
        """Carry out one outbox row (the worker, after the commit). Returns messages sent."""
        raise NotImplementedError


class InboxChannel(Channel):
    """The inbox: the row written is the delivery."""

    name = INBOX

    def owe(self, notifications: Sequence[Notification], *, urgent: bool = False, tag: str = "") -> None:
        return None

    def deliver(self, *, ids: list[int], tag: str = "") -> int:
        return 0


class EmailChannel(Channel):
    name = EMAIL
    kind = "notifications.email"

    def wants(self, user) -> bool:
        return bool(user.email and user.email_notifications)

    def deliver(self, *, ids: list[int], tag: str = "") -> int:
        """E-mail inbox entries not e-mailed yet (safe to run again: each entry is marked as
        soon as its message is sent, so a rerun after a crash skips it)."""
        from django.core.mail import send_mail

        from opencity.lib.urls import absolute

        sent = 0
        for n in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("user"):
            with translation.override(n.user.preferred_language or settings.LANGUAGE_CODE):
                link = absolute(n.url or "/")  # the worker has no request: OPENCITY_SITE_URL
                send_mail(subject=f"[{settings.SITE_NAME}] {n.title}", message=f"{n.body}\n\n{link}".strip(),
                          from_email=None, recipient_list=[n.user.email])
            Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
            sent += 1
        return sent


class WebPushChannel(Channel):
    """Web push to every browser the person subscribed (``push.py``). Warnings do not come
    through here: their fan-out pushes in batches of its own (``alerts.delivery``)."""

    name = WEBPUSH
    kind = "notifications.webpush"
    lease_seconds = SHORT_LEASE_SECONDS

    def deliver(self, *, ids: list[int], tag: str = "") -> int:
        from .push import notifications_push

        return notifications_push(notification_ids=ids, tag=tag)


class SmsChannel(Channel):
    """A text message with the entry's title to the person's phone number (``sms.py``). For
    what cannot wait for the inbox; every part is paid for."""

    name = SMS
    kind = "notifications.sms"
    chunk = 20
    lease_seconds = SHORT_LEASE_SECONDS

    def wants(self, user) -> bool:
        return bool(user.phone)

    def deliver(self, *, ids: list[int], tag: str = "") -> int:
        from .sms import send_sms

        sent = 0
        for n in (Notification.objects.filter(pk__in=ids, user__is_active=True, texted_at__isnull=True)
                  .select_related("user").order_by("pk")):
            send_sms(n.user.phone, n.title)
            Notification.objects.filter(pk=n.pk).update(texted_at=timezone.now())
            sent += 1
        return sent


_registry: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    _registry[channel.name] = channel
    return channel


def get(name: str) -> Channel:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"notification channel {name!r} is not registered") from None


def owe(names: Iterable[str], notifications: Sequence[Notification], *, urgent: bool = False,
        tag: str = "") -> None:
    """Owe these inbox rows' delivery on each named channel (in the caller's transaction)."""
    if not notifications:
        return
    for name in dict.fromkeys(names):
        get(name).owe(notifications, urgent=urgent, tag=tag)


def needs_ids(names: Iterable[str], user) -> bool:
    """Whether a row for ``user`` must be written with its id known (a channel will deliver it)."""
    return any(get(name).kind and get(name).wants(user) for name in names)


def register_outbox_kinds() -> None:
    """Tell the outbox how each channel's rows are carried out (``apps.py``)."""
    for channel in _registry.values():
        if channel.kind:
            outbox.register(channel.kind,
                            lambda payload, c=channel: c.deliver(ids=payload["ids"], tag=payload.get("tag", "")),
                            lease_seconds=channel.lease_seconds)
    # rows written before web push moved here from ``alerts`` (same payload): carried out alike
    outbox.register("alerts.push_notifications",
                    lambda payload: get(WEBPUSH).deliver(ids=payload["ids"], tag=payload.get("tag", "")),
                    priority=outbox.LIFE_SAFETY, lease_seconds=SHORT_LEASE_SECONDS)


for _channel in (InboxChannel(), EmailChannel(), WebPushChannel(), SmsChannel()):
    register(_channel)
