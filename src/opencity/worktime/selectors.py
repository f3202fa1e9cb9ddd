"""The city's working calendar as configured in the admin, as a ``lib.worktime.WorkCalendar``,
cached per process."""

from __future__ import annotations

import logging
import threading
import time

from opencity.lib.worktime import DEFAULT_CALENDAR, DEFAULT_PERIODS, WorkCalendar

from .models import CalendarDay, CalendarDayKind, WorkingPeriod

logger = logging.getLogger(__name__)

# Each process keeps the calendar this long; the process where the admin saves a change drops
# it at once (signals in worktime/models.py), the others within this time.
CACHE_SECONDS = 60
_cache: tuple[WorkCalendar, float] | None = None
_cache_lock = threading.Lock()


def load_calendar() -> WorkCalendar:
    """The calendar configured in the admin (working periods, make-up days, extra days off)."""
    periods = tuple(WorkingPeriod.objects.order_by("start").values_list("start", "end"))
    days = list(CalendarDay.objects.values_list("date", "kind"))
    return WorkCalendar(
        periods=periods or DEFAULT_PERIODS,
        makeup_days=frozenset(d for d, kind in days if kind == CalendarDayKind.WORK),
        extra_days_off=frozenset(d for d, kind in days if kind == CalendarDayKind.OFF),
    )


def default_calendar() -> WorkCalendar:
    """The city's calendar, cached for ``CACHE_SECONDS``. Where the database cannot be read
    (not migrated yet, or no access at import time) the built-in calendar is used, uncached."""
    global _cache
    cached = _cache
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    try:
        calendar = load_calendar()
    except Exception:  # noqa: BLE001 — a missing table or a blocked connection: fall back
        logger.debug("working calendar not readable; using the built-in one", exc_info=True)
        return DEFAULT_CALENDAR
    with _cache_lock:
        _cache = (calendar, time.monotonic() + CACHE_SECONDS)
    return calendar


def reset_default_calendar() -> None:
    """Forget the cached calendar (called when the admin changes it)."""
    global _cache
    with _cache_lock:
        _cache = None
