"""Tables of the shared helpers in ``opencity.lib``.

Platform tables that every app writes through a helper here (the audit log, ``lib/audit.py``;
the replay of idempotent API requests, ``lib/api.py``) live here too, so that ``lib`` stays at the
bottom of the graph and imports no app: they point at the user model through
``settings.AUTH_USER_MODEL``. ``AuditLog`` and ``IdempotencyRecord`` came from ``accounts`` and
keep its table names (``Meta.db_table``; migration 0003 changed Django's state only)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableQuerySet(models.QuerySet):
    """Bulk writes would bypass a row's own guard: refuse them too. (Deleting the subject or a
    user still works: the deletion collector does not go through these methods.)"""

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} rows are immutable")

    def delete(self):
        raise ValueError(f"{self.model.__name__} rows are immutable")


class LifecycleEvent(models.Model):
    """One immutable step in the life of a row that a lifecycle (``opencity.lib.lifecycle``)
    moves: who acted, which action, from which state to which, a note, whether the public
    timeline shows it, and the action's own data.

    Abstract: each lifecycle has its own table with a foreign key to its subject (a report, a
    rescue request, next an incident or a monitoring event), named in its ``Lifecycle``. Rows
    are written once, by ``Lifecycle.apply``, and never changed or deleted one by one."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError(f"{type(self).__name__} rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are immutable")


class Lease(models.Model):
    """Who runs a periodic job now, and until when (``opencity.lib.locks``).

    A lease is held only while its holder keeps renewing it: a worker killed in the middle of a
    job leaves its row behind, and the next run takes it over once ``expires_at`` has passed."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=64)
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class StagedUpload(models.Model):
    """A photo uploaded for a form that is not sent yet (``opencity.lib.staging``).

    The report form uploads each photo once, here, and sends only the ids; a form re-rendered
    with errors shows these as thumbnails, so a photo is never lost to an error. Only what
    ``lib.images.process_upload`` made of the photo is kept — re-encoded pixels, no metadata —
    never the bytes as sent. Keyed by the person and the form's ``client_token``; the periodic
    cleanup (``lib.tasks``) deletes what is older than ``OPENCITY_STAGING_KEEP_HOURS``.
    ``upload_key``, when the page sends one (the offline outbox does, one per photo), makes the
    upload idempotent: the same key for the same form answers with the photo already kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_token = models.CharField(max_length=64)
    upload_key = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=255, blank=True)
    image = models.BinaryField()
    thumb = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "client_token"], name="staged_upload_form")]
        constraints = [models.UniqueConstraint(fields=["user", "client_token", "upload_key"],
                                               condition=~models.Q(upload_key=""), name="staged_upload_once")]

    def __str__(self) -> str:
        return f"staged {self.pk} for {self.client_token}"


class AuditLog(models.Model):
    """Every staff and admin action, append-only (written by ``lib.audit.audit``)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "accounts_auditlog"
        ordering = ["-created_at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Audit log entries are immutable")
        super().save(*args, **kwargs)


class IdempotencyRecord(models.Model):
    """The first successful answer to a POST sent with an ``Idempotency-Key``, so that a retry
    (from any process) replays it instead of acting twice. Kept 24 hours (``opencity.lib.api``
    ignores and deletes older ones)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "accounts_idempotencyrecord"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "method", "path"], name="idempotency_record_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
