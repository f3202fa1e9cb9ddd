"""Working time in Asia/Ho_Chi_Minh: deadlines are counted in working hours.

Working hours (default 07:30–11:30 and 13:30–17:00), weekends and Vietnamese public holidays
(the ``holidays`` package) are off. ``extra_days_off`` and ``makeup_days`` let a city follow
the government's yearly decisions (swapped days around Tết, 2/9 and so on).

:func:`default_calendar` is the city's calendar as configured in the admin (the models
``reports.CalendarDay`` and ``reports.WorkingPeriod``), cached per process.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PERIODS = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))
logger = logging.getLogger(__name__)


@lru_cache(maxsize=64)
def _vn_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


@dataclass(frozen=True)
class WorkCalendar:
    periods: tuple[tuple[dt.time, dt.time], ...] = DEFAULT_PERIODS
    extra_days_off: frozenset[dt.date] = field(default_factory=frozenset)
    makeup_days: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.makeup_days:
            return True
        if day in self.extra_days_off:
            return False
        official = _vn_holidays(day.year)
        # a Saturday worked in exchange for a day off (22/8/2026 for 31/8) is a working day
        if day in getattr(official, "weekend_workdays", ()):
            return True
        return day.weekday() < 5 and day not in official

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment ``hours`` working hours after ``start`` (an aware datetime)."""
        remaining = dt.timedelta(hours=hours)
        current = start.astimezone(TZ)
        for _ in range(3 * 366):  # bounded: a deadline never lies years ahead
            day = current.date()
            if self.is_working_day(day):
                for begin, end in self.periods:
                    p_start = dt.datetime.combine(day, begin, TZ)
                    p_end = dt.datetime.combine(day, end, TZ)
                    if current >= p_end:
                        continue
                    current = max(current, p_start)
                    available = p_end - current
                    if remaining <= available:
                        return current + remaining
                    remaining -= available
                    current = p_end
            current = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), TZ)
        raise ValueError("deadline too far in the future")

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working hours elapsed from ``start`` to ``end`` (0 if end is before start)."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(TZ), end.astimezone(TZ)
        total = dt.timedelta()
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                for begin, finish in self.periods:
                    p_start = max(dt.datetime.combine(day, begin, TZ), start)
                    p_end = min(dt.datetime.combine(day, finish, TZ), end)
                    if p_end > p_start:
                        total += p_end - p_start
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600


DEFAULT_CALENDAR = WorkCalendar()
# Each process keeps the calendar this long; the process where the admin saves a change drops
# it at once (signals in reports.models), the others within this time.
CACHE_SECONDS = 60
_cache: tuple[WorkCalendar, float] | None = None
_cache_lock = threading.Lock()


def load_calendar() -> WorkCalendar:
    """The calendar configured in the admin (working periods, make-up days, extra days off)."""
    from opencity.reports.models import CalendarDay, CalendarDayKind, WorkingPeriod

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
