"""Periodic jobs for monitoring (huey). Thin: each calls the rules engine or the partitions."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from opencity.lib.locks import job_lock
from opencity.lib.schedule import local_crontab

from . import partitions, rules


@db_periodic_task(crontab(minute="*"))
@job_lock("monitoring-judge-silence")
def judge_silence() -> int:
    """Every minute: raise the silent-sensor events (datastreams with no reading for their
    rule's window); returns the number of events raised or moved."""
    return len(rules.judge_silence())


@db_periodic_task(crontab(minute="3"))
@job_lock("monitoring-partitions-ahead")
def ensure_partitions_ahead() -> list[str]:
    """Hourly: create the observation partitions of the coming months (PostgreSQL)."""
    return partitions.ensure_ahead(timezone.now())


@db_periodic_task(local_crontab(day="1", hour="3", minute="17"))
@job_lock("monitoring-archive-partitions")
def archive_old_partitions() -> list[str]:
    """Monthly, at night: archive the observation partitions older than
    ``OPENCITY_MONITORING_KEEP_MONTHS`` (PostgreSQL); returns the files written."""
    months = settings.OPENCITY_MONITORING_KEEP_MONTHS
    if months <= 0:
        return []
    cutoff = partitions.keep_since(timezone.now(), months)
    done = partitions.archive_before(cutoff, directory=settings.OPENCITY_ARCHIVE_DIR / "monitoring")
    return [str(a.path) for a in done]
