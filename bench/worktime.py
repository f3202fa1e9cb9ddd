"""The city's working calendar as arrays, for the load generator: working seconds ↔ moments,
both ways, for whole numpy arrays at once.

``lib.worktime.WorkCalendar`` walks day by day for each call (right for one report, far too slow
for a million). Here each day of the range gets its cumulative working seconds once, so that
"``h`` working hours after ``t``" is an addition and two array look-ups. What must hold: the
same working days (``WorkCalendar.is_working_day``: weekends, Vietnamese holidays, the city's
make-up days and extra days off) and the same working periods as the calendar passed in, so that
``Report.due_at`` and ``Report.work_hours`` agree with what the services would have computed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from opencity.lib.worktime import TZ, WorkCalendar

DAY = 86_400


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


class WorkIndex:
    """Working seconds counted from local midnight of ``first`` (an int64 scale)."""

    def __init__(self, calendar: WorkCalendar, first: dt.date, last: dt.date):
        self.first = first
        self.origin = int(dt.datetime.combine(first, dt.time(0), TZ).timestamp())
        # Asia/Ho_Chi_Minh has had no daylight saving since 1975: every local day is 86,400 s.
        days = (last - first).days + 1
        self.working = np.array(
            [calendar.is_working_day(first + dt.timedelta(days=i)) for i in range(days)], dtype=bool
        )
        self.periods = [(_seconds(a), _seconds(b)) for a, b in calendar.periods]
        self.per_day = sum(b - a for a, b in self.periods)
        self.day_start = np.concatenate(([0], np.cumsum(self.working * self.per_day))).astype(np.int64)
        self.days = days

    def to_ws(self, t: np.ndarray) -> np.ndarray:
        """Working seconds elapsed from the origin until each moment (epoch seconds, UTC)."""
        rel = np.asarray(t, dtype=np.int64) - self.origin
        d = np.clip(rel // DAY, 0, self.days - 1)
        s = rel - d * DAY
        inday = np.zeros_like(rel)
        for a, b in self.periods:
            inday += np.clip(s - a, 0, b - a)
        return self.day_start[d] + inday * self.working[d]

    def from_ws(self, ws: np.ndarray) -> np.ndarray:
        """The moment (epoch seconds, UTC) at which ``ws`` working seconds have elapsed. As
        ``WorkCalendar.add_working_hours`` says: a count that ends exactly where a working period
        ends is that period's end (11:30, 17:00), not the start of the next one."""
        ws = np.asarray(ws, dtype=np.int64)
        d = np.maximum(np.searchsorted(self.day_start, ws, side="left") - 1, 0)
        if (d >= self.days).any():
            raise ValueError("working time beyond the calendar's range")
        off = ws - self.day_start[d]
        seconds = np.zeros_like(ws)
        done = np.zeros(ws.shape, dtype=bool)
        before = 0
        for a, b in self.periods:
            here = ~done & (off <= before + (b - a))
            seconds[here] = a + off[here] - before
            done |= here
            before += b - a
        return self.origin + d * DAY + seconds


class ArrayClock:
    """``WorkCalendar``'s two operations, over arrays of moments (epoch seconds, UTC) and
    hours: the clock ``reports.effects`` is given by the load generator, so that its deadlines
    and processing times come from the product's effect functions, a million at a time."""

    def __init__(self, index: WorkIndex):
        self.index = index

    def add_working_hours(self, start: np.ndarray, hours: np.ndarray) -> np.ndarray:
        seconds = np.rint(np.asarray(hours, dtype=float) * 3600).astype(np.int64)
        return self.index.from_ws(self.index.to_ws(start) + seconds)

    def working_hours_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        return np.maximum(0, self.index.to_ws(end) - self.index.to_ws(start)) / 3600
