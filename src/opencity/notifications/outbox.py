"""The transactional outbox: side effects that survive a crash of the web process or the worker.

A state change that owes a side effect (an e-mail, a push, inbox rows, a recount) calls
:func:`outbox_put` inside its own transaction. The row commits with the change or not at all,
so a web process that dies right after the commit cannot lose it (an ``on_commit`` hook could:
issue #13, the reporter's "routed" notification). After the commit the row is *kicked*: a huey
task drains the outbox at once, at the row's priority. A periodic task drains it every minute
whatever happened to the kick (``notifications/tasks.py``).

Draining (:func:`drain`) claims one row at a time, highest priority first, with a lease: on
PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` (two workers never take the same row, nor wait
for each other); on SQLite the claim is a conditional ``UPDATE`` inside an IMMEDIATE transaction
(one writer at a time). Then the handler runs, and only when it has returned is the row marked
done. A worker killed in the middle leaves the row leased; when the lease ends any drain takes it
again. So every row is carried out **at least once**, and handlers must be idempotent:

- handlers registered ``atomic=True`` (database work only) run in one transaction with the
  "done" mark, so they happen exactly once;
- the others mark their own progress as they go (e-mail sets ``Notification.emailed_at`` after
  each message, a warning's delivery keeps a cursor), so a rerun carries on where a crash left
  off; at worst the one message in flight at the crash goes twice.

A handler that raises leaves its row to be tried again later (``attempts``, ``last_error``,
``available_at`` backing off up to an hour); nothing is dropped.

Priorities: huey takes the highest-priority task first (SqliteHuey, PriorityRedisHuey), so a
kick for a life-safety row (a warning's fan-out, a rescue request's push) starts before any
routine work queued ahead of it, and a drain claims life-safety rows first.

Coalescing: rows with the same ``dedup_key`` are claimed together and handled by one run
(``reports.kpi_refresh``: a burst of 1,000 submits gives a few recounts of the day, not 1,000).
Kinds registered with ``debounce`` send at most one kick per that many seconds, delayed by as
much, so the kick always comes after every row it stands for was committed.

Apps register their handlers in ``AppConfig.ready()``; this module imports no domain app.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# huey and drain priorities: higher first
LIFE_SAFETY = 100  # warnings, rescue-request steps and call-outs: start within seconds
ROUTINE = 10  # notifications and e-mail, reports people wait for
BULK = 0  # recounts and the like, which coalesce

COALESCE_MAX = 1000  # rows of one dedup_key settled by one run
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Callable[[dict], object]
    priority: int
    atomic: bool
    lease_seconds: int | None
    debounce_seconds: int

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.lease_seconds or settings.OPENCITY_OUTBOX_LEASE_SECONDS)


_registry: dict[str, Kind] = {}


def register(kind: str, handler: Callable[[dict], object], *, priority: int = ROUTINE, atomic: bool = False,
             lease_seconds: int | None = None, debounce_seconds: int = 0) -> None:
    """Say how rows of ``kind`` are carried out: ``handler(payload)``.

    ``atomic``: the handler only writes to the database; it runs in the transaction that marks
    the row done (exactly once). ``lease_seconds``: how long a worker may hold a row before
    another takes it again (default ``OPENCITY_OUTBOX_LEASE_SECONDS``); the handler must finish
    well within it, or be safe to run twice at once. ``debounce_seconds``: kicks for this kind
    are sent at most once per so many seconds (rows that coalesce)."""
    _registry[kind] = Kind(kind, handler, priority, atomic, lease_seconds, debounce_seconds)


def kind_of(name: str) -> Kind:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"outbox kind {name!r} is not registered") from None


def outbox_put(*, kind: str, payload: dict | None = None, dedup_key: str = "",
               priority: int | None = None) -> OutboxMessage:
    """Owe a side effect, in the caller's transaction; it is carried out after the commit.

    ``payload`` is JSON: ids, not objects, and no secrets (it is stored in the database).
    ``dedup_key``: rows of this kind with the same key may be settled by one run of the handler.
    ``priority`` overrides the kind's (an e-mail about a rescue request is life-safety)."""
    spec = kind_of(kind)
    now = timezone.now()
    row = OutboxMessage.objects.create(
        kind=kind, payload=payload or {}, dedup_key=dedup_key,
        priority=spec.priority if priority is None else priority, created_at=now, available_at=now)
    # robust: a queue that cannot be reached is logged; the periodic drain carries the row out
    transaction.on_commit(partial(kick, row.priority, debounce_seconds=spec.debounce_seconds), robust=True)
    return row


def kick(priority: int, *, debounce_seconds: int = 0) -> None:
    """Ask the worker to drain rows of ``priority`` and above now (the fast path)."""
    from huey.contrib.djhuey import HUEY

    from .tasks import drain_outbox

    if debounce_seconds and not HUEY.immediate:
        try:
            first = cache.add(f"opencity:outbox:kick:{priority}", 1, timeout=debounce_seconds)
        except Exception:  # no cache: kick every time
            logger.warning("Outbox kick not debounced: the cache cannot be reached", exc_info=True)
            first = True
        if not first:
            return  # a kick is due within debounce_seconds, after this row was committed
        drain_outbox(priority, priority=priority, delay=debounce_seconds)
        return
    drain_outbox(priority, priority=priority)


# --- draining ---------------------------------------------------------------------------------


def _claim(min_priority: int, now: dt.datetime) -> tuple[str, list[OutboxMessage]] | None:
    """Lease the next row due (and the rows waiting with its dedup_key). None: nothing is due."""
    token = uuid.uuid4().hex
    due = OutboxMessage.objects.filter(done_at__isnull=True, available_at__lte=now, priority__gte=min_priority)
    if not due.exists():  # the usual answer, without taking SQLite's write lock
        return None
    with transaction.atomic():
        head = (due.order_by("-priority", "pk").select_for_update(skip_locked=True)
                .values_list("pk", "kind", "dedup_key").first())
        if head is None:
            return None
        pk, kind, key = head
        ids = [pk]
        if key:
            ids += list(due.filter(kind=kind, dedup_key=key).exclude(pk=pk).order_by("pk")
                        .select_for_update(skip_locked=True).values_list("pk", flat=True)[:COALESCE_MAX])
        spec = _registry.get(kind)
        lease = spec.lease if spec else dt.timedelta(seconds=settings.OPENCITY_OUTBOX_LEASE_SECONDS)
        # conditional: of two claimers (SQLite has no SKIP LOCKED), only one matches
        OutboxMessage.objects.filter(pk__in=ids, done_at__isnull=True, available_at__lte=now).update(
            leased_by=token, available_at=now + lease, attempts=F("attempts") + 1)
    return token, list(OutboxMessage.objects.filter(pk__in=ids, leased_by=token).order_by("pk"))


def _mine(rows: list[OutboxMessage], token: str):
    return OutboxMessage.objects.filter(pk__in=[r.pk for r in rows], leased_by=token)


class _LeaseLost(Exception):
    """Another drain took the row meanwhile (this one outlived its lease): it carries it out."""


def _run(token: str, rows: list[OutboxMessage], now: dt.datetime) -> bool:
    """Carry out one claimed row (and its coalesced peers). True if it was done."""
    head = rows[0]
    try:
        spec = kind_of(head.kind)
        if spec.atomic:
            with transaction.atomic():
                spec.handler(head.payload)
                if not _mine(rows, token).update(done_at=timezone.now(), leased_by=""):
                    raise _LeaseLost
        else:
            spec.handler(head.payload)
            if not _mine(rows, token).update(done_at=timezone.now(), leased_by=""):
                raise _LeaseLost
        return True
    except _LeaseLost:
        logger.info("Outbox %s: the lease ran out; another drain carries it out", head)
        return False
    except Exception as exc:
        attempts = max(r.attempts for r in rows)
        delay = min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)
        logger.exception("Outbox %s failed (attempt %s); tried again in %s s", head, attempts, delay)
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        _mine(rows, token).update(leased_by="", last_error=error[:2000],
                                  available_at=max(now, timezone.now()) + dt.timedelta(seconds=delay))
        return False


def drain(*, min_priority: int = BULK, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Carry out the rows due, of ``min_priority`` and above, highest first, until none is left
    (or ``limit`` claims). Safe to run in any number of workers at once. Returns rows done.

    ``now`` (tests): the moment the drain runs at — after a lease or a back-off has passed."""
    done = claims = 0
    while limit is None or claims < limit:
        claimed = _claim(min_priority, now or timezone.now())
        if claimed is None:
            break
        claims += 1
        token, rows = claimed
        if rows and _run(token, rows, now or timezone.now()):
            done += len(rows)
    return done


def prune(*, keep_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete rows done more than ``keep_days`` (``OPENCITY_OUTBOX_KEEP_DAYS``) ago."""
    keep = settings.OPENCITY_OUTBOX_KEEP_DAYS if keep_days is None else keep_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep)
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=cutoff).delete()
    return deleted


def due_exists(*, min_priority: int = BULK, now: dt.datetime | None = None) -> bool:
    """Is any row of ``min_priority`` and above due now (unleased, not backing off)?"""
    return OutboxMessage.objects.filter(
        done_at__isnull=True, available_at__lte=now or timezone.now(), priority__gte=min_priority
    ).exists()


def pending_count(*, min_priority: int = BULK) -> int:
    return OutboxMessage.objects.filter(done_at__isnull=True, priority__gte=min_priority).count()
