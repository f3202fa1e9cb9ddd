"""Background jobs for the hotline (huey). Thin: the work is in ``services.py``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from opencity.lib.locks import job_lock

from . import services


@db_periodic_task(crontab(minute="*"))
@job_lock("hotline-offer-waiting")
def offer_waiting_calls() -> int:
    """Every minute: offer ringing calls nobody was free for (a safety net; offers are also made
    whenever a call starts or an operator becomes free)."""
    return services.calls_offer_pending()
