"""Reads that may come from the PostgreSQL streaming replica (``DATABASES["replica"]``).

Only the pages that are read-only *and* tolerate a second of lag read from the replica: the IOC
console's figures, ``/statistics/``, the open data exports and the figures of a digital report
(issue 20). Everything else stays on the primary: every write, every read inside a transaction,
every read after the request wrote something, sessions, sign-in and the tables of
``PRIMARY_ONLY_APPS`` — a page that must see its own writes (a report just submitted, a digital
report just requested, a session just created) never looks at a copy that may be behind.

Why a context and not "every read to the replica": Django's routers see a model, not a request,
so a router that sent every read to the replica would break read-your-own-writes everywhere (the
redirect after a POST shows the old state). The view decorator :func:`read_from_replica` (or the
context manager :func:`replica_reads` for work outside a request, such as a digital report's
figures in the worker) sets a :class:`contextvars.ContextVar` for exactly those pages, and
:class:`ReplicaRouter`, listed in ``DATABASE_ROUTERS``, consults it in ``db_for_read``. A
context variable, unlike a thread-local, is right under ASGI too (each request task has its
own copy) and is reset when the view returns, before the middleware writes the session.

If the replica cannot be reached the page is served from the primary, never a 500: the decorator
checks the replica's connection before the view, and if a replica query fails during the view
(the replica went away, or it cancelled a long read in conflict with the WAL it replays) it
runs the (read-only, idempotent) view again on the primary. A replica found down is left alone
for ``OPENCITY_DB_REPLICA_RETRY_SECONDS`` before it is tried again.

``allow_migrate`` is true only on ``default``: the replica is a physical copy of it (migrations
arrive through the WAL), and ``db_for_write`` is always ``default`` — the replica is read-only
(``hot_standby``) and a write sent there would fail.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)
T = TypeVar("T")

REPLICA = "replica"
# Never read from the replica, whatever the page: who is signed in (sessions, users, their second
# factor and OpenID tokens) must be current, and the leases, audit log and idempotency records
# (lib) guard writes.
PRIMARY_ONLY_APPS = frozenset({
    "auth", "sessions", "contenttypes", "admin", "otp_totp", "otp_static", "django_otp",
    "oauth2_provider", "accounts", "lib",
})


@dataclass
class _Reading:
    """This request's choice: replica reads allowed until something is written."""

    wrote: bool = False


_reading: contextvars.ContextVar[_Reading | None] = contextvars.ContextVar("opencity_replica_reads", default=None)
_down_until = 0.0
_down_lock = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _replica_down() -> bool:
    return time.monotonic() < _down_until


def _mark_down(exc: BaseException) -> None:
    global _down_until
    with _down_lock:
        _down_until = time.monotonic() + settings.OPENCITY_DB_REPLICA_RETRY_SECONDS
    logger.warning("read replica unreachable (%s): reading from the primary", exc)
    with contextlib.suppress(Exception):
        connections[REPLICA].close()


def reset() -> None:
    """Forget that the replica was found down (tests)."""
    global _down_until
    _down_until = 0.0


def _replica_answers() -> bool:
    try:
        return connections[REPLICA].connection is not None and connections[REPLICA].is_usable()
    except Exception:
        return False


def _recovery_conflict(exc: BaseException) -> bool:
    """"canceling statement due to conflict with recovery" (SQLSTATE 40001, only a standby says
    it of a read outside a serializable transaction): ``max_standby_streaming_delay`` passed."""
    return getattr(exc.__cause__, "sqlstate", None) == "40001"


def _replica_usable() -> bool:
    """Configured, not recently found down, and its connection opens (or is open)."""
    if not replica_configured() or _replica_down():
        return False
    try:
        connections[REPLICA].ensure_connection()
    except (OperationalError, InterfaceError) as exc:
        _mark_down(exc)
        return False
    return True


@contextlib.contextmanager
def replica_reads() -> Iterator[bool]:
    """Within the block, reads outside a transaction may come from the replica (if configured
    and reachable). Yields whether the replica is used."""
    if not _replica_usable():
        yield False
        return
    token = _reading.set(_Reading())
    try:
        yield True
    finally:
        _reading.reset(token)


def _on_replica(chunks: Iterator) -> Iterator:
    """A streamed body read in the same context as its view (set and reset around each chunk:
    the server may iterate it from another context)."""
    chunks = iter(chunks)
    while True:
        token = _reading.set(_Reading())
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        finally:
            _reading.reset(token)
        yield chunk


def on_replica(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(*args, **kwargs)`` with its reads on the replica (:func:`replica_reads`), run again on
    the primary if the replica fails on the way — so ``fn`` must only read."""
    with replica_reads() as replica:
        if replica:
            try:
                return fn(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                if _recovery_conflict(exc):
                    pass  # a long read the replica cancelled to replay the WAL: the primary's turn
                elif _replica_answers():
                    raise  # the primary's failure, not the replica's
                else:
                    _mark_down(exc)
    return fn(*args, **kwargs)


def read_from_replica(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator for a read-only (GET), lag-tolerant view: its reads come from the replica, or
    from the primary if the replica cannot be reached (checked first, and the view run again on
    the primary if a replica query fails on the way). Put it closest to the function, under
    ``login_required`` and ``require_GET``, so that the user is loaded from the primary first.
    A streamed body reads from the replica too, chunk by chunk (it cannot be run again: a
    replica lost in the middle of an export ends that export)."""

    @functools.wraps(view)
    def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = on_replica(view, request, *args, **kwargs)
        if response.streaming and replica_configured():
            response.streaming_content = _on_replica(response.streaming_content)
        return response

    inner.reads_from_replica = True  # type: ignore[attr-defined]  # kept by functools.wraps above it
    return inner


def _primary_busy() -> bool:
    """A transaction is open on the primary: its reads must see its own writes."""
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads to the replica only inside :func:`replica_reads`."""

    def db_for_read(self, model, **hints) -> str | None:
        state = _reading.get()
        if state is None or state.wrote or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if _primary_busy() or _replica_down():
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        state = _reading.get()
        if state is not None:
            state.wrote = True  # this request's later reads must see it: primary from now on
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
