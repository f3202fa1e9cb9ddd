"""Leases for periodic jobs: one run at a time, and never stuck after a crash.

huey's ``lock_task`` kept a key in huey's storage until the job's ``finally`` removed it; a
worker killed in the middle (``kill -9``, out of memory, a power cut) never removed it, and every
later run was refused for good (issue #13: no report escalated again). huey can give that key an
expiry only on Redis 7.4+, not on SQLite.

A lease here is a row in the database (:class:`opencity.lib.models.Lease`) with an expiry:

- :func:`acquire` inserts it, or takes over a row whose ``expires_at`` has passed (one
  conditional ``UPDATE``: of two takers, the database lets exactly one match), else raises
  :class:`LeaseHeld`;
- while the job runs, a thread of the holder renews it every ``ttl / 4`` seconds, so a live
  holder keeps excluding other runs however long the job takes;
- :func:`release` deletes it, only if this holder still has it.

So a crashed holder blocks the job for at most ``OPENCITY_JOB_LEASE_SECONDS`` (default 120 s),
and the job must stay safe to run twice at the margin (a holder stalled past its lease; every
periodic job here is idempotent). Why not a PostgreSQL advisory lock: it needs the same
connection from lock to unlock (Django may close it between queries after an error, and a
pooler in transaction mode hands sessions around), and SQLite would still need this table.

Use :func:`job_lock` on every periodic job, below huey's decorator::

    @db_periodic_task(crontab(minute="*/5"))
    @job_lock("reports-deadlines-escalate")
    def escalate_deadlines(): ...

A refused run raises :class:`LeaseHeld`, which is huey's ``TaskLockedException``: the consumer
logs "not run, unable to acquire lease …" as it did for ``lock_task``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone
from huey.exceptions import TaskLockedException

from .models import Lease

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable)


class LeaseHeld(TaskLockedException):
    """Another live holder runs this job now."""


def _ttl(ttl: float | None) -> float:
    return float(ttl if ttl is not None else settings.OPENCITY_JOB_LEASE_SECONDS)


def _new_holder() -> str:
    """Unique per run, and readable in the table: which machine and process holds it."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def acquire(name: str, *, ttl: float | None = None) -> str:
    """Take the lease ``name`` for ``ttl`` seconds and return the holder token, or raise
    :class:`LeaseHeld` if someone holds it and it has not expired."""
    now = timezone.now()
    expires_at = now + dt.timedelta(seconds=_ttl(ttl))
    holder = _new_holder()
    # An expired row (its holder crashed): take it over. Two takers at once: PostgreSQL
    # re-checks the condition after the first commits, SQLite runs writers one at a time.
    taken = Lease.objects.filter(name=name, expires_at__lte=now).update(
        holder=holder, acquired_at=now, expires_at=expires_at
    )
    if taken:
        logger.warning("lease %s had expired (its holder stopped); taken over", name)
        return holder
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, acquired_at=now, expires_at=expires_at)
    except IntegrityError:
        raise LeaseHeld(f"unable to acquire lease {name}") from None
    return holder


def renew(name: str, holder: str, *, ttl: float | None = None) -> bool:
    """Push the lease's expiry ``ttl`` seconds ahead; False if ``holder`` no longer has it."""
    expires_at = timezone.now() + dt.timedelta(seconds=_ttl(ttl))
    return bool(Lease.objects.filter(name=name, holder=holder).update(expires_at=expires_at))


def release(name: str, holder: str) -> None:
    """Give the lease back (nothing happens if it expired and someone else took it)."""
    Lease.objects.filter(name=name, holder=holder).delete()


def is_held(name: str) -> bool:
    return Lease.objects.filter(name=name, expires_at__gt=timezone.now()).exists()


class _Keeper(threading.Thread):
    """Renews a lease every ``ttl / 4`` seconds until stopped (with its own connection)."""

    def __init__(self, name: str, holder: str, ttl: float):
        super().__init__(name=f"lease-{name}", daemon=True)
        self.lease_name, self.holder, self.ttl = name, holder, ttl
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.ttl / 4):
                try:
                    if not renew(self.lease_name, self.holder, ttl=self.ttl):
                        logger.error("lease %s was lost while its job still ran", self.lease_name)
                        return
                except DatabaseError:  # try again at the next beat; the lease has 3 more
                    logger.warning("could not renew lease %s", self.lease_name, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self.stopped.set()
        self.join()


@contextlib.contextmanager
def lease(name: str, *, ttl: float | None = None) -> Iterator[str]:
    """Hold the lease ``name`` for the block (renewed while it runs); raise :class:`LeaseHeld`
    without running the block if someone else holds it."""
    ttl = _ttl(ttl)
    holder = acquire(name, ttl=ttl)
    keeper = _Keeper(name, holder, ttl)
    keeper.start()
    try:
        yield holder
    finally:
        keeper.stop()
        try:
            release(name, holder)
        except DatabaseError:  # the database went away: the lease expires on its own
            logger.warning("could not release lease %s; it expires in %s s", name, ttl, exc_info=True)


def job_lock(name: str, *, ttl: float | None = None) -> Callable[[F], F]:
    """Decorator: run the job only under the lease ``name`` (see the module's docstring)."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            with lease(name, ttl=ttl):
                return fn(*args, **kwargs)

        inner.lease_name = name  # type: ignore[attr-defined]  # for the tests: which jobs have one
        return inner  # type: ignore[return-value]

    return decorate
