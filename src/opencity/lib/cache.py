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

``fresh <= 0`` turns caching off (the tests' setting): the value is computed every time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

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
    stale = max(stale if stale is not None else fresh * 10, fresh)
    entry = cache.get(key)
    if entry is not None:
        value, computed_at = entry
        if time.time() - computed_at < fresh or not cache.add(f"{key}:refresh", 1, REFRESH_LOCK_SECONDS):
            return value
        try:
            return _store(key, compute, stale)
        finally:
            cache.delete(f"{key}:refresh")
    with _process_lock(key):
        entry = cache.get(key)
        if entry is not None:
            return entry[0]
        return _store(key, compute, stale)


def _store(key: str, compute: Callable[[], T], stale: float) -> T:
    value = compute()
    cache.set(key, (value, time.time()), timeout=int(stale) + 1)
    return value
