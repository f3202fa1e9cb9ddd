"""Periodic jobs for the dossiers (huey). Thin: each asks a service."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from opencity.lib.locks import job_lock

from . import services


@db_periodic_task(crontab(minute="*"))
@job_lock("dossiers-pull")
def pull_one_stop() -> str:
    """Every minute: pull the one-stop system's endpoint when a pull is due (its interval, or
    the backoff after a failure); returns the run's status, or "" when none was due."""
    if not services.pull_due():
        return ""
    return services.dossiers_pull().status


@db_periodic_task(crontab(minute="*/5"))
@job_lock("dossiers-overdue")
def mark_overdue() -> int:
    """Every five minutes: tell the console of the dossiers that have just become overdue."""
    return services.dossiers_mark_overdue()
