"""``reports.effects``: what each action sets, as pure functions — no database (these tests have
no ``db`` mark, so a query would fail them), no "now", the same answer for the same input."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from opencity.lib.worktime import DEFAULT_CALENDAR, TZ
from opencity.reports import effects

MON = dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)  # a Monday, 08:00


@pytest.fixture(autouse=True)
def no_clock(monkeypatch):
    """An effect that looked at the real time would not be the same for the demo and the bench."""
    def refuse():
        raise AssertionError("an effect read the clock")
    monkeypatch.setattr(timezone, "now", refuse)


def state(**fields):
    base = {"assigned_at": None, "due_at": None, "paused_at": None}
    return SimpleNamespace(**{**base, **fields})


def test_route_starts_a_deadline_in_working_hours():
    changes = effects.route(unit="u", at=MON, hours=8, clock=DEFAULT_CALENDAR)
    # 08:00–11:30 and 13:30–17:00 on Monday = 7 h; the 8th hour ends at 08:30 on Tuesday
    assert changes == {"unit": "u", "assigned_at": MON, "due_at": dt.datetime(2026, 3, 3, 8, 30, tzinfo=TZ)}


def test_a_question_stops_the_clock_once_and_the_answer_moves_the_deadline_by_the_wait():
    due = dt.datetime(2026, 3, 4, 17, 0, tzinfo=TZ)
    asked = effects.ask_info(state(due_at=due), at=MON)
    assert asked == {"awaiting_citizen": True, "paused_at": MON}
    # a second question keeps the first pause
    assert effects.ask_info(state(due_at=due, paused_at=MON), at=MON + dt.timedelta(hours=3)) == {
        "awaiting_citizen": True}
    answered = effects.answer_info(state(due_at=due, paused_at=MON), at=MON + dt.timedelta(days=1),
                                   clock=DEFAULT_CALENDAR)
    # waited 7.5 working hours (Monday 08:00 → Tuesday 08:00): the deadline, Wednesday 17:00,
    # moves as much later: a whole working day
    assert answered == {"awaiting_citizen": False, "paused_at": None,
                        "due_at": dt.datetime(2026, 3, 5, 17, 0, tzinfo=TZ)}


def test_no_deadline_no_pause():
    assert effects.ask_info(state(), at=MON) == {"awaiting_citizen": True}


def test_resolve_keeps_the_processing_time_and_ends_a_pause():
    report = state(assigned_at=MON, due_at=MON + dt.timedelta(days=3), paused_at=MON + dt.timedelta(hours=2))
    changes = effects.resolve(report, at=MON + dt.timedelta(days=1), clock=DEFAULT_CALENDAR, text="Đã sửa")
    assert changes["work_hours"] == 7.5 and changes["resolved_at"] == MON + dt.timedelta(days=1)
    assert changes["paused_at"] is None and changes["due_at"] > report.due_at
    assert changes["result_text"] == "Đã sửa" and changes["result_pending"] is False
    # approving a submitted result keeps its text
    assert "result_text" not in effects.resolve(state(assigned_at=MON), at=MON, clock=DEFAULT_CALENDAR)


def test_reopen_gives_a_fresh_deadline_and_undoes_the_rating():
    changes = effects.reopen(at=MON, hours=8, clock=DEFAULT_CALENDAR)
    assert changes["due_at"] == dt.datetime(2026, 3, 3, 8, 30, tzinfo=TZ)
    assert changes["rating"] is None and changes["resolved_at"] is None and changes["closed_at"] is None
    assert changes["dispute_pending"] is False


def test_an_extension_counts_from_the_deadline_or_from_now_without_one():
    due = dt.datetime(2026, 3, 2, 17, 0, tzinfo=TZ)
    assert effects.extend(state(due_at=due), hours=1, at=MON, clock=DEFAULT_CALENDAR) == {
        "due_at": dt.datetime(2026, 3, 3, 8, 30, tzinfo=TZ)}
    assert effects.extend(state(), hours=1, at=MON, clock=DEFAULT_CALENDAR) == {
        "due_at": MON + dt.timedelta(hours=1)}


def test_give_back_drops_the_unit_and_the_clock():
    assert effects.give_back() == {"unit": None, "assigned_at": None, "due_at": None,
                                   "awaiting_citizen": False, "paused_at": None}
