"""Background jobs for rescue requests (huey). Thin: the work is in ``services.py``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*"))
def escalate_unacknowledged() -> int:
    """Every minute: tell the IOC and leaders about requests nobody acknowledged in time."""
    return services.rescue_escalate_overdue()
