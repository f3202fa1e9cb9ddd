"""In-app inbox. E-mail (and later push/SMS) are sent from here through pluggable backends."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    """A side effect owed by a committed transaction: written in that transaction, carried out
    by the worker afterwards, marked done only once its handler completed (``outbox.py``)."""

    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict, blank=True)
    # rows of one kind with the same key are interchangeable: one run of the handler covers all
    # of them that are waiting when it starts (a burst of submits → one recount of the day)
    dedup_key = models.CharField(max_length=120, blank=True, default="")
    priority = models.SmallIntegerField(default=0)  # higher first: outbox.LIFE_SAFETY, ROUTINE, BULK
    created_at = models.DateTimeField(default=timezone.now)
    # not claimed before this moment: now when written, the end of the lease while a worker
    # runs it, the next try after a failure
    available_at = models.DateTimeField(default=timezone.now)
    leased_by = models.CharField(max_length=32, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["-priority", "id"], condition=models.Q(done_at__isnull=True),
                         name="outbox_pending"),
            models.Index(fields=["dedup_key"], condition=models.Q(done_at__isnull=True) & ~models.Q(dedup_key=""),
                         name="outbox_pending_dedup"),
            models.Index(fields=["done_at"], name="outbox_done"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
