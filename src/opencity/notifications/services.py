"""Notify people: an inbox row for each, then e-mail after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone, translation

from .models import Notification


def notify(
    users: Iterable,
    *,
    verb: str,
    title,
    body="",
    url: str = "",
    report=None,
    exclude=None,
) -> list[Notification]:
    """Create one inbox entry per distinct active user (rendered in each one's language)."""
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
    ids = [n.pk for n in created if n.user.email and n.user.email_notifications]
    if ids:
        from .tasks import email_notifications

        transaction.on_commit(lambda: email_notifications(ids))
    return created


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
