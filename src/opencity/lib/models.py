"""Tables of the shared helpers in ``opencity.lib``."""

from __future__ import annotations

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
