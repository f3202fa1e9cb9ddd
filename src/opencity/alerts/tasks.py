"""Background delivery of warnings (huey). Thin: the work is in ``delivery.py``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import delivery, push


@db_task(retries=3, retry_delay=30)
def deliver_message(message_id: int) -> int:
    """Inbox rows for everyone in the target, then web push; resumable at any point."""
    return delivery.message_deliver(message_id=message_id).delivered


@db_periodic_task(crontab(minute="*"))
def resume_deliveries() -> int:
    """Finish deliveries a stopped worker left half done (the cursor says where to go on)."""
    ids = delivery.pending_message_ids()
    for message_id in ids:
        deliver_message(message_id)
    return len(ids)


@db_task()
def push_notifications(notification_ids: list[int], tag: str = "") -> int:
    """Push inbox entries (already written, in each person's language) to their devices.

    Not retried: a retry after a push service took the message would show it twice, and the
    inbox entry is there in any case. Failures are logged, never raised."""
    return push.notifications_push(notification_ids=notification_ids, tag=tag)
