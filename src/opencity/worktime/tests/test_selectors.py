"""The city's working calendar as the administrator sets it (worktime/selectors.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from opencity.lib.worktime import DEFAULT_PERIODS, TZ
from opencity.worktime import selectors
from opencity.worktime.models import CalendarDay, CalendarDayKind, WorkingPeriod

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture(autouse=True)
def fresh_calendar():
    """Drop the cached calendar before and after: these tests configure days."""
    selectors.reset_default_calendar()
    yield
    selectors.reset_default_calendar()


def test_an_extra_day_off_and_office_hours_come_from_the_admin_models():
    CalendarDay.objects.create(date=dt.date(2026, 3, 9), kind=CalendarDayKind.OFF)
    WorkingPeriod.objects.create(start=dt.time(8, 0), end=dt.time(12, 0))
    WorkingPeriod.objects.create(start=dt.time(13, 0), end=dt.time(17, 0))
    cal = selectors.default_calendar()
    assert not cal.is_working_day(dt.date(2026, 3, 9))
    # Fri 16:00–17:00 1 h, Mon off, Tue 10/3 08:00 + 1 h
    assert cal.add_working_hours(at(2026, 3, 6, 16), 2) == at(2026, 3, 10, 9)
    WorkingPeriod.objects.all().delete()
    assert selectors.default_calendar().periods == DEFAULT_PERIODS


def test_a_make_up_saturday_is_a_working_day_and_the_cache_is_dropped_on_save():
    assert not selectors.default_calendar().is_working_day(dt.date(2026, 3, 7))  # cached now
    CalendarDay.objects.create(date=dt.date(2026, 3, 7), kind=CalendarDayKind.WORK)
    assert selectors.default_calendar().is_working_day(dt.date(2026, 3, 7))


def test_working_periods_must_not_overlap():
    WorkingPeriod.objects.create(start=dt.time(7, 30), end=dt.time(11, 30))
    with pytest.raises(ValidationError):
        WorkingPeriod(start=dt.time(11, 0), end=dt.time(12, 0)).full_clean()
    with pytest.raises(ValidationError):
        WorkingPeriod(start=dt.time(14, 0), end=dt.time(13, 0)).full_clean()


def test_the_tables_kept_their_names_when_the_models_left_reports():
    """Existing databases keep their rows: the move changed Django's state, not the tables."""
    assert CalendarDay._meta.db_table == "reports_calendarday"
    assert WorkingPeriod._meta.db_table == "reports_workingperiod"
    assert {"reports_calendarday", "reports_workingperiod"} <= set(connection.introspection.table_names())
