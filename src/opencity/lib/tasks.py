"""Background jobs of the shared helpers (huey). Thin: the work is in the helper modules."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from opencity.lib.locks import job_lock

from . import staging


@db_periodic_task(crontab(minute="17"))
@job_lock("lib-staging-purge")
def purge_staged_uploads() -> int:
    """Every hour: delete photos uploaded for forms never sent, once a day old."""
    return staging.purge_expired()
