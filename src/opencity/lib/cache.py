"""Figures that are costly to compute and may be a few seconds old: computed once, shared.

:func:`cached` keeps a value in Django's cache (``OPENCITY_CACHE_URL``: Redis in production, so
that every server process shares it; this process's memory otherwise) with the time it was
computed:

- younger than ``fresh`` seconds: returned as is;
- older: the first caller (across processes: ``cache.add`` of a lock key) computes it again
  while everyone else keeps getting the older value, for up to ``stale`` seconds — nobody waits
  for a refresh, and a thousand requests never start the same second-long query at once;
- missing (a cold cache, or older than ``stale``): computed by one thread per process while
  the others in that process wait for it.

``fresh <= 0`` turns caching off (the tests' setting): the value is computed every time. So does
a cache that cannot be reached (Redis down): the value is computed and the failure logged — the
pages get slower, not broken.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
logger = logging.getLogger(__name__)

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
# A refresh that takes longer than this is taken over by another caller.
REFRESH_LOCK_SECONDS = 30


def _process_lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def cached(key: str, compute: Callable[[], T], *, fresh: float, stale: float | None = None) -> T:
    """``compute()``'s value under ``key``, at most ``fresh`` seconds old unless another caller
    is computing a newer one (then at most ``stale`` seconds old: default ten times ``fresh``)."""
    if fresh <= 0:
        return compute()
    try:
        return _cached(key, compute, fresh, max(stale if stale is not None else fresh * 10, fresh))
    except _Unreachable:
        return compute()


class _Unreachable(Exception):
    """The cache could not be reached."""


def _call(operation, *args):
    try:
        return operation(*args)
    except Exception as exc:  # the backend's own errors (redis.ConnectionError…)
        logger.warning("cache unreachable (%s): computing without it", exc)
        raise _Unreachable from exc


def _cached(key: str, compute: Callable[[], T], fresh: float, stale: float) -> T:
    entry = _call(cache.get, key)
    if entry is not None:
        value, computed_at = entry
        if time.time() - computed_at < fresh or not _call(cache.add, f"{key}:refresh", 1, REFRESH_LOCK_SECONDS):
            return value
        try:
            return _store(key, compute, stale)
        finally:
            with contextlib.suppress(_Unreachable):
                _call(cache.delete, f"{key}:refresh")
    with _process_lock(key):
        entry = _call(cache.get, key)
        if entry is not None:
            return entry[0]
        return _store(key, compute, stale)


def _store(key: str, compute: Callable[[], T], stale: float) -> T:
    value = compute()
    with contextlib.suppress(_Unreachable):  # computed: the answer, even if it cannot be kept
        _call(cache.set, key, (value, time.time()), int(stale) + 1)
    return value
