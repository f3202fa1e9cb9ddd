"""Background delivery of warnings (huey). Thin: the work is in ``delivery.py``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from opencity.lib.locks import job_lock
from opencity.notifications.outbox import LIFE_SAFETY

from . import delivery


@db_task(retries=3, retry_delay=30, priority=LIFE_SAFETY)
def deliver_message(message_id: int) -> int:
    """Inbox rows for everyone in the target, then web push; resumable at any point."""
    return delivery.message_deliver(message_id=message_id).delivered


@db_periodic_task(crontab(minute="*"), priority=LIFE_SAFETY)
@job_lock("alerts-resume-deliveries")
def resume_deliveries() -> int:
    """Finish deliveries a stopped worker left half done (the cursor says where to go on)."""
    ids = delivery.pending_message_ids()
    for message_id in ids:
        deliver_message(message_id)
    return len(ids)

