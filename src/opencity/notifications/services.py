"""Notify people: an inbox row for each, and the e-mails owed, in the caller's transaction.

The e-mails go through the outbox (``outbox.py``): a row written with the inbox rows, carried out
by the worker after the commit, so neither a web process nor a worker that dies loses one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation

from opencity.lib.urls import absolute

from . import outbox
from .models import Notification

EMAIL_KIND = "notifications.email"
EMAIL_CHUNK = 100  # ids per outbox row: one row's e-mails go out well within its lease


def notify(
    users: Iterable,
    *,
    verb: str,
    title,
    body="",
    url: str = "",
    report=None,
    exclude=None,
    urgent: bool = False,
) -> list[Notification]:
    """Create one inbox entry per distinct active user (rendered in each one's language), and
    owe their e-mails. ``urgent``: life-safety (a rescue request), e-mailed before routine work."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if exclude is not None and user.pk == getattr(exclude, "pk", None):
            continue
        seen.add(user.pk)
        with translation.override(user.preferred_language or "vi"):
            rows.append(
                Notification(
                    user=user, verb=verb, title=str(title)[:200], body=str(body), url=url,
                    report=report, created_at=timezone.now(),
                )
            )
    created = Notification.objects.bulk_create(rows)
    email_later([n.pk for n in created if n.user.email and n.user.email_notifications], urgent=urgent)
    return created


def email_later(ids: list[int], *, urgent: bool = False) -> None:
    """Owe the e-mails of these inbox entries (in the caller's transaction)."""
    for start in range(0, len(ids), EMAIL_CHUNK):
        outbox.outbox_put(kind=EMAIL_KIND, payload={"ids": ids[start:start + EMAIL_CHUNK]},
                          priority=outbox.LIFE_SAFETY if urgent else None)


def notifications_email(*, ids: list[int]) -> int:
    """E-mail inbox entries not e-mailed yet (the outbox handler; safe to run again: each entry
    is marked as soon as its message is sent, so a rerun after a crash skips it)."""
    sent = 0
    for n in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("user"):
        with translation.override(n.user.preferred_language or "vi"):
            link = absolute(n.url or "/")  # the worker has no request: OPENCITY_SITE_URL
            send_mail(
                subject=f"[{settings.SITE_NAME}] {n.title}",
                message=f"{n.body}\n\n{link}".strip(),
                from_email=None,
                recipient_list=[n.user.email],
            )
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
