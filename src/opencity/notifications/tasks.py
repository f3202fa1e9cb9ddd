"""Background work of the outbox (huey): the drains that carry out owed side effects.

``drain_outbox`` is the fast path, kicked after each commit at the row's priority
(``outbox.kick``). The periodic drains are the safety net: every minute they carry out whatever
a kick missed — a web process that died between its commit and the kick, a worker killed in the
middle of a row (its lease has run out by then), a row whose handler failed and is due again.
They run without a job lock on purpose: drains claim rows one at a time, so any number may run
at once. Life-safety rows have their own periodic drain at their own priority, so routine work
queued ahead never delays them.
"""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from opencity.lib.schedule import local_crontab

from . import outbox


def _drain_a_batch(min_priority: int) -> int:
    """Carry out at most ``OPENCITY_OUTBOX_DRAIN_BATCH`` rows, then, if more are due, queue the
    rest as a new task at their priority and return. A drain that ran until the outbox was empty
    never returned while submits kept arriving (the drill: one ran 136 s, all worker threads sat
    in drains, and life-safety jobs waited 75 s); a bounded one gives its thread back, and the
    queue puts whatever is more urgent ahead of the rest."""
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:  # tests and OPENCITY_HUEY_IMMEDIATE: no queue to hand the rest to
        return outbox.drain(min_priority=min_priority)
    done = outbox.drain(min_priority=min_priority, limit=settings.OPENCITY_OUTBOX_DRAIN_BATCH)
    if outbox.due_exists(min_priority=min_priority):
        drain_outbox(min_priority, priority=min_priority)
    return done


@db_task()
def drain_outbox(min_priority: int = outbox.BULK) -> int:
    """Carry out the rows due of ``min_priority`` and above (queued at that priority)."""
    return _drain_a_batch(min_priority)


@db_periodic_task(crontab(minute="*"), priority=outbox.LIFE_SAFETY)
def drain_outbox_life_safety() -> int:
    """Every minute, ahead of everything queued: life-safety rows a crash left behind."""
    return _drain_a_batch(outbox.LIFE_SAFETY)


@db_periodic_task(crontab(minute="*"), priority=outbox.ROUTINE)
def drain_outbox_all() -> int:
    """Every minute: every row a crash, a lost kick or a failure left behind."""
    return _drain_a_batch(outbox.BULK)


@db_periodic_task(local_crontab(hour="3", minute="53"))
def prune_outbox() -> int:
    """Forget rows done more than OPENCITY_OUTBOX_KEEP_DAYS ago."""
    return outbox.prune()
