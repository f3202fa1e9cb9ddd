"""Working time in Huế (lib/worktime.py): deadlines skip nights, lunch, weekends and holidays.

The 2026 holidays are asked of the ``holidays`` package (the same source the calendar uses),
so the tests say which days it gives and what the deadline then is.
"""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from opencity.lib.worktime import TZ, WorkCalendar

CAL = WorkCalendar()  # the built-in calendar; the city's own is worktime/tests


def at(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def _vn(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2026, 3, 2, 10, 30), 2, at(2026, 3, 2, 14, 30)),  # over the lunch break
        (at(2026, 3, 2, 12, 0), 1, at(2026, 3, 2, 14, 30)),  # starts during lunch
        (at(2026, 3, 2, 6, 0), 1, at(2026, 3, 2, 8, 30)),  # before opening
        (at(2026, 3, 2, 18, 0), 1, at(2026, 3, 3, 8, 30)),  # after closing
        (at(2026, 3, 2, 7, 30), 7.5, at(2026, 3, 2, 17, 0)),  # one full day ends at closing
        (at(2026, 3, 2, 7, 30), 8, at(2026, 3, 3, 8, 0)),
        (at(2026, 3, 6, 16, 0), 2, at(2026, 3, 9, 8, 30)),  # Friday → Monday
        (at(2026, 3, 7, 9, 0), 1, at(2026, 3, 9, 8, 30)),  # filed on Saturday
        (at(2026, 3, 2, 9, 0), 0.25, at(2026, 3, 2, 9, 15)),
    ],
    ids=["lunch", "in-lunch", "early", "late", "full-day", "a-day-and-a-half-hour", "weekend", "saturday",
         "quarter-hour"],
)
def test_deadlines_count_only_working_hours(start, hours, due):
    assert CAL.add_working_hours(start, hours) == due


def test_the_story_filed_on_saturday_afternoon_is_due_wednesday_morning():
    # 15:29 on Saturday 20 Dec 2025, street lighting: 16 working hours
    assert CAL.add_working_hours(at(2025, 12, 20, 15, 29), 16) == at(2025, 12, 24, 8, 30)


def test_a_start_in_utc_is_read_in_hue_time():
    start = dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC)  # 10:30 in Huế
    assert CAL.add_working_hours(start, 2) == at(2026, 3, 2, 14, 30)


def test_tet_2026_is_skipped():
    tet = sorted(d for d, name in _vn(2026).items() if "Lunar New Year" in name)
    assert tet[0] == dt.date(2026, 2, 16) and tet[-1] == dt.date(2026, 2, 20)  # Mon–Fri, mid-February
    # Friday 13 Feb, 16:00: one hour that day, then nine days off (weekend, Tết, weekend)
    assert CAL.add_working_hours(at(2026, 2, 13, 16, 0), 2) == at(2026, 2, 23, 8, 30)
    assert all(not CAL.is_working_day(d) for d in tet)


def test_reunification_and_labour_day_are_skipped():
    assert {dt.date(2026, 4, 30), dt.date(2026, 5, 1)} <= set(_vn(2026))
    assert CAL.add_working_hours(at(2026, 4, 29, 16, 0), 2) == at(2026, 5, 4, 8, 30)


def test_hung_kings_day_on_a_sunday_is_taken_on_monday():
    assert dt.date(2026, 4, 27) in _vn(2026)
    assert CAL.add_working_hours(at(2026, 4, 24, 17, 0), 1) == at(2026, 4, 28, 8, 30)


def test_national_day_2026_and_its_swapped_monday_are_skipped():
    days = _vn(2026)
    assert {dt.date(2026, 9, 1), dt.date(2026, 9, 2), dt.date(2026, 8, 31)} <= set(days)
    # Friday 28 Aug, 16:00 → Thursday 3 Sep
    assert CAL.add_working_hours(at(2026, 8, 28, 16, 0), 2) == at(2026, 9, 3, 8, 30)


def test_the_saturday_worked_in_exchange_is_a_working_day():
    # the government moved the working day of Monday 31 Aug 2026 to Saturday 22 Aug
    assert dt.date(2026, 8, 22) in _vn(2026).weekend_workdays
    assert CAL.is_working_day(dt.date(2026, 8, 22))
    assert CAL.add_working_hours(at(2026, 8, 21, 16, 0), 2) == at(2026, 8, 22, 8, 30)


def test_a_city_can_add_a_make_up_working_day():
    saturday = dt.date(2026, 3, 7)
    cal = WorkCalendar(makeup_days=frozenset({saturday}))
    assert cal.is_working_day(saturday) and not CAL.is_working_day(saturday)
    assert cal.add_working_hours(at(2026, 3, 6, 16, 0), 2) == at(2026, 3, 7, 8, 30)


def test_a_city_can_add_an_extra_day_off():
    monday = dt.date(2026, 3, 9)
    cal = WorkCalendar(extra_days_off=frozenset({monday}))
    assert not cal.is_working_day(monday)
    assert cal.add_working_hours(at(2026, 3, 6, 16, 0), 2) == at(2026, 3, 10, 8, 30)


def test_a_city_can_set_its_own_office_hours():
    cal = WorkCalendar(periods=((dt.time(8, 0), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 0))))
    assert cal.add_working_hours(at(2026, 3, 2, 11, 0), 2) == at(2026, 3, 2, 14, 0)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(2026, 3, 2, 7, 30), at(2026, 3, 2, 17, 0), 7.5),
        (at(2026, 3, 2, 10, 0), at(2026, 3, 3, 10, 0), 7.5),
        (at(2026, 3, 2, 11, 0), at(2026, 3, 2, 14, 0), 1.0),  # lunch does not count
        (at(2026, 3, 6, 16, 0), at(2026, 3, 9, 8, 30), 2.0),  # nor the weekend
        (at(2026, 2, 13, 7, 30), at(2026, 2, 23, 17, 0), 15.0),  # nor Tết
        (at(2026, 3, 3, 10, 0), at(2026, 3, 2, 10, 0), 0.0),  # end before start
        (at(2026, 3, 7, 8, 0), at(2026, 3, 8, 20, 0), 0.0),
    ],
)
def test_working_hours_between_two_moments(start, end, hours):
    assert CAL.working_hours_between(start, end) == pytest.approx(hours)


@pytest.mark.parametrize("hours", [0.5, 3, 7.5, 16, 40, 200])
def test_the_hours_added_are_the_hours_counted(hours):
    start = at(2026, 2, 11, 15, 29)
    assert CAL.working_hours_between(start, CAL.add_working_hours(start, hours)) == pytest.approx(hours)
