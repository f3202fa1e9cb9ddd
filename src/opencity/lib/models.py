"""Tables of the shared helpers in ``opencity.lib``."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
    cleanup (``lib.tasks``) deletes what is older than ``OPENCITY_STAGING_KEEP_HOURS``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_token = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    image = models.BinaryField()
    thumb = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "client_token"], name="staged_upload_form")]

    def __str__(self) -> str:
        return f"staged {self.pk} for {self.client_token}"
