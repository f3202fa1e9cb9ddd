"""Working time in Asia/Ho_Chi_Minh: deadlines are counted in working hours.

Working hours (default 07:30–11:30 and 13:30–17:00), weekends and Vietnamese public holidays
(the ``holidays`` package) are off. ``extra_days_off`` and ``makeup_days`` let a city follow
the government's yearly decisions (swapped days around Tết, 2/9 and so on).

Arithmetic only, no tables: the city's calendar as configured in the admin (the models
``worktime.CalendarDay`` and ``worktime.WorkingPeriod``) is read, and cached per process, by
``opencity.worktime.selectors.default_calendar()``. So the ground floor imports no app, and
historical migrations and the load generator can use the built-in calendar as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PERIODS = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))


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
