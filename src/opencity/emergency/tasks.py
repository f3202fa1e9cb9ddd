"""Background jobs for rescue requests (huey). Thin: the work is in ``services.py``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from opencity.lib.locks import job_lock
from opencity.notifications.outbox import LIFE_SAFETY

from . import services


@db_periodic_task(crontab(minute="*"), priority=LIFE_SAFETY)  # ahead of routine work queued
@job_lock("emergency-escalate-unacknowledged")
def escalate_unacknowledged() -> int:
    """Every minute: tell the IOC and leaders about requests nobody acknowledged in time."""
    return services.rescue_escalate_overdue()
