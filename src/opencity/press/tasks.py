"""Periodic and queued jobs for press monitoring (huey). Thin: each calls a service."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from opencity.lib.locks import job_lock

from . import services


@db_task()
def fetch_source(source_id: int) -> int:
    """Fetch one feed or sitemap; returns the number of new items (0 on a failure, which the
    service records on the source and backs off)."""
    result = services.source_fetch(source_id=source_id)
    return result.created if result else 0


@db_periodic_task(crontab(minute="*"))
@job_lock("press-fetch-due")
def fetch_due_sources() -> int:
    """Every minute: queue a fetch of each source whose time has come (its own schedule, or its
    back-off after failures). Returns how many were queued."""
    due = services.sources_due()
    for source_id in due:
        fetch_source(source_id)
    return len(due)
