"""Background delivery of notifications (huey)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from huey.contrib.djhuey import db_task

from .models import Notification


@db_task(retries=3, retry_delay=60)
def email_notifications(ids: list[int]) -> int:
    sent = 0
    for n in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("user"):
        with translation.override(n.user.preferred_language or "vi"):
            link = f"{settings.SITE_URL}{n.url}" if n.url else settings.SITE_URL
            send_mail(
                subject=f"[{settings.SITE_NAME}] {n.title}",
                message=f"{n.body}\n\n{link}".strip(),
                from_email=None,
                recipient_list=[n.user.email],
            )
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
