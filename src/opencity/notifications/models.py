"""The inbox, the outbox and the browsers' push subscriptions: what ``notifications`` stores.

A notification names what it is about with a generic subject (``subject_type``, ``subject_id``,
``reference``) rather than a foreign key, so that any app's events can be told — a report, a
rescue request, a warning — without ``notifications`` knowing those apps.

A notification is either one person's (``user`` set) or a *broadcast* (``user`` empty): one row
shown in the inbox of everyone in its audience — the people whose home ward is one of its
``audience_areas``, those with no home ward if ``audience_unplaced``, and those whose location
shared since ``audience_located_after`` lies in one of its areas. The audience is read when the
inbox is (``selectors.inbox``), so a city-wide warning to 1.3 M accounts is one row, not 1.3 M,
and someone who moves into a flooded ward sees the warning in force there. What a person did with
a broadcast (read it) is a :class:`NotificationReceipt`, written only when they do it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    # empty: a broadcast, shown to its audience (below) rather than to one person
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    verb = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # what it is about: a short code ("report", "rescue", "alert"…), that object's id and the
    # reference people read (a report's PA002001); empty for notices about the account itself
    subject_type = models.CharField(max_length=20, blank=True, default="")
    subject_id = models.BigIntegerField(null=True, blank=True)
    reference = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    texted_at = models.DateTimeField(null=True, blank=True)  # the SMS channel sent it (each part is paid for)

    # A broadcast's audience and words (empty on a person's own notification). ``title`` and
    # ``body`` are in the site's language; ``translations`` holds the others: {"en": [title, body]}.
    # (both have a database default: ``notify_bulk`` writes rows in SQL without naming them)
    translations = models.JSONField(null=True, blank=True)
    audience_areas = models.ManyToManyField("geo.Area", blank=True, related_name="+")
    audience_unplaced = models.BooleanField(default=False, db_default=False)  # also those who told us no home ward
    audience_located_after = models.DateTimeField(null=True, blank=True)  # empty: homes only
    # Until then it is shown to everyone in the audience; after, only to accounts that existed
    # before it ended (a new account does not inherit years of old warnings).
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # No index on the subject: nothing reads by it yet.
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"]),
            # the broadcasts, newest first: every inbox reads them
            models.Index(fields=["-created_at", "-id"], condition=models.Q(user__isnull=True),
                         name="notification_broadcasts"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_broadcast(self) -> bool:
        return self.user_id is None

    def texts(self, language: str) -> tuple[str, str]:
        """The title and body in ``language`` (a broadcast's translation), else as written."""
        if language != settings.LANGUAGE_CODE and language in (self.translations or {}):
            title, body = self.translations[language]
            return str(title), str(body)
        return self.title, self.body


class NotificationReceipt(models.Model):
    """A person read a broadcast (opened it, or marked it read): written when they do, never
    for the audience in advance."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "user"], name="notification_receipt_once")]
        indexes = [models.Index(fields=["user", "notification"], name="notification_receipt_user")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.notification_id}"


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


class PushSubscription(models.Model):
    """A browser's Web Push subscription (one per user and endpoint). Moved from ``alerts``
    (the table keeps its name, ``alerts_pushsubscription``): any notification may be pushed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "alerts_pushsubscription"
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint"], name="alerts_push_unique"),
        ]
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"{self.user} · {self.endpoint[:60]}"

    def info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
