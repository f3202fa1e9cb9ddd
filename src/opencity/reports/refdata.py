"""The categories, read once per process and kept until the reference data changes.

Every report form, nearby lookup and submit reads a category by id; the categories change a few
times a year (the admin). Each process keeps them in memory under the **reference version**
(``lib/pagecache.reference_version``), which lives in the cache every process shares (Redis in
production) and is bumped on every save or delete of a category, question, area or unit: a
process that sees a new version reads them again, so an admin's change reaches every process
at its next request. With the embedded per-process cache, another process's change is seen once
its own version entry expires or is evicted — the page cache's bound (docs/architecture.md).
"""

from __future__ import annotations

import threading

from opencity.lib.pagecache import reference_version

from .models import Category

_lock = threading.Lock()
_kept: tuple[int, dict[int, Category]] | None = None


def categories() -> dict[int, Category]:
    """Every category by id (active or not: old reports name retired ones), with its
    questions prefetched. Treat them as read-only: they are shared by the process's threads."""
    global _kept
    version = reference_version()
    kept = _kept
    if kept is not None and kept[0] == version:
        return kept[1]
    with _lock:
        fresh = {c.pk: c for c in Category.objects.prefetch_related("questions")}
        _kept = (version, fresh)
    return fresh


def category(pk: int | None) -> Category | None:
    if pk is None:
        return None
    return categories().get(pk)
