"""Periodic jobs for field reports (huey). Thin: each calls a service and returns its count."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from opencity.lib.locks import job_lock
from opencity.lib.schedule import local_crontab

from . import kpi
from .services import deadlines_escalate, report_close_expired


@db_periodic_task(crontab(minute="*/5"))
@job_lock("reports-deadlines-escalate")
def escalate_deadlines() -> dict:
    """Due-soon reminders and overdue escalations, every 5 minutes (idempotent)."""
    return dict(deadlines_escalate())


@db_periodic_task(crontab(minute="7"))
@job_lock("reports-close-expired")
def close_expired_reports() -> int:
    """Close resolved reports whose rating window ended, hourly."""
    return report_close_expired()


@db_periodic_task(local_crontab(hour="2", minute="17"))  # 02:17 in Huế
@job_lock("reports-rollups-refresh")
def refresh_recent_rollups() -> int:
    """Nightly safety net: recount the roll-ups of every report touched in the last 25 hours."""
    return kpi.rollups_refresh_recent(since=timezone.now() - dt.timedelta(hours=25))

