"""Periodic jobs for field reports (huey). Thin: each calls a service and returns its count."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from opencity.lib.schedule import local_crontab

from . import kpi
from .services import deadlines_escalate, report_close_expired


@db_periodic_task(crontab(minute="*/5"))
@lock_task("reports-deadlines-escalate")
def escalate_deadlines() -> dict:
    """Due-soon reminders and overdue escalations, every 5 minutes (idempotent)."""
    return dict(deadlines_escalate())


@db_periodic_task(crontab(minute="7"))
@lock_task("reports-close-expired")
def close_expired_reports() -> int:
    """Close resolved reports whose rating window ended, hourly."""
    return report_close_expired()


@db_periodic_task(local_crontab(hour="2", minute="17"))  # 02:17 in Huế
@lock_task("reports-rollups-refresh")
def refresh_recent_rollups() -> int:
    """Nightly safety net: recount the roll-ups of every report touched in the last 25 hours."""
    return kpi.rollups_refresh_recent(since=timezone.now() - dt.timedelta(hours=25))


@db_task(retries=2, retry_delay=30)
def refresh_rollup_day(day_iso: str) -> int:
    """Recount one day's roll-up in the worker, off the request that changed a report."""
    return kpi.rollup_refresh_days([dt.date.fromisoformat(day_iso)])
