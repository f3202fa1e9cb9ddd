"""Background jobs for the hotline (huey). Thin: the work is in ``services.py``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*"))
def offer_waiting_calls() -> int:
    """Every minute: offer ringing calls nobody was free for (a safety net; offers are also made
    whenever a call starts or an operator becomes free)."""
    return services.calls_offer_pending()
