"""Deadlines in working time (reports/deadlines.py and the services that set them).

Working hours are 07:30–11:30 and 13:30–17:00 (7.5 h a day); the street-light category has a
16-hour deadline, so "due soon" is fewer than 4 working hours left (25%). Every expected
deadline below is counted by hand in its comment.
"""

from __future__ import annotations

import datetime as dt

import pytest

from opencity.reports import deadlines, selectors, services
from opencity.reports.deadlines import DeadlineState
from opencity.reports.models import Priority, Report, Status
from opencity.worktime.models import CalendarDay, CalendarDayKind

from .helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(make_report, lighting_rule):
    return make_report()


def _route(report, operator, clock, moment) -> Report:
    clock.set(moment)
    return services.report_route(report_id=report.pk, actor=operator)


def _in_progress(report, operator, officer, clock, moment) -> Report:
    _route(report, operator, clock, moment)
    clock.set(moment + dt.timedelta(minutes=30))
    return services.report_accept(report_id=report.pk, actor=officer)


def _fresh(report) -> Report:
    return Report.objects.get(pk=report.pk)


# --- the deadline set when routing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("routed", "due"),
    [
        # Fri 16:00–17:00 = 1 h; Mon 9/3 7.5 h (8.5); Tue 10/3 7.5 h → 16 h at 17:00
        (at(2026, 3, 6, 16), at(2026, 3, 10, 17)),
        # Tết: Fri 13/2 1 h; 14–22/2 off (weekend, Tết Mon–Fri, weekend); Mon 23 7.5; Tue 24 7.5
        (at(2026, 2, 13, 16), at(2026, 2, 24, 17)),
        # 30/4 and 1/5: Wed 29/4 1 h; Thu, Fri, Sat, Sun off; Mon 4/5 7.5; Tue 5/5 7.5
        (at(2026, 4, 29, 16), at(2026, 5, 5, 17)),
        # 2/9: Fri 28/8 1 h; Mon 31/8 (swapped), Tue 1/9, Wed 2/9 off; Thu 3/9 7.5; Fri 4/9 7.5
        (at(2026, 8, 28, 16), at(2026, 9, 4, 17)),
    ],
    ids=["weekend", "tet-2026", "30-4-and-1-5", "national-day-2-9"],
)
def test_routing_sets_the_deadline_in_working_hours(report, operator, clock, routed, due):
    assert _route(report, operator, clock, routed).due_at == due


def test_the_lunch_break_does_not_count_for_an_urgent_report(report, operator, clock, lighting):
    lighting.deadline_hours_urgent = 2
    lighting.save()
    Report.objects.filter(pk=report.pk).update(priority=Priority.URGENT)
    # Mon 11:00–11:30 = 0.5 h, lunch until 13:30, then 1.5 h → 15:00
    assert _route(report, operator, clock, at(2026, 3, 2, 11)).due_at == at(2026, 3, 2, 15)


@pytest.mark.parametrize(
    ("priority", "hours"),
    [(Priority.LOW, 16), (Priority.NORMAL, 16), (Priority.HIGH, 8), (Priority.URGENT, 8)],
)
def test_urgent_falls_back_to_the_high_priority_deadline(lighting, priority, hours):
    lighting.deadline_hours_high = 8
    assert deadlines.deadline_hours(lighting, priority) == hours


def test_a_make_up_day_set_in_the_admin_is_a_working_day(
    report, operator, clock, admin_user, client, fresh_calendar
):
    client.force_login(admin_user)
    response = client.post(
        "/admin/worktime/calendarday/add/", {"date": "07/03/2026", "kind": "work", "note": "Làm bù"}
    )
    assert response.status_code == 302, response.content[:500]
    assert CalendarDay.objects.get().kind == CalendarDayKind.WORK
    # the cached calendar was dropped: Fri 16:00 1 h; Sat 7/3 7.5 h (8.5); Mon 9/3 7.5 → 17:00
    assert _route(report, operator, clock, at(2026, 3, 6, 16)).due_at == at(2026, 3, 9, 17)


# --- states -----------------------------------------------------------------------------------


def test_the_deadline_states_of_an_open_report(report, operator, officer, clock):
    # routed Mon 2/3 08:00: Mon 7 h, Tue 7.5 h (14.5), Wed 07:30 + 1.5 → due Wed 4/3 09:00
    r = _in_progress(report, operator, officer, clock, at(2026, 3, 2, 8))
    assert r.due_at == at(2026, 3, 4, 9)
    state = lambda now: deadlines.deadline_state(r, now=now)  # noqa: E731
    assert state(at(2026, 3, 3, 10)) == DeadlineState.ON_TIME  # 1.5 + 3.5 + 1.5 = 6.5 h left
    assert state(at(2026, 3, 3, 14, 30)) == DeadlineState.ON_TIME  # exactly 4 h left
    assert state(at(2026, 3, 3, 16)) == DeadlineState.DUE_SOON  # 1 + 1.5 = 2.5 h left
    assert state(at(2026, 3, 4, 9, 30)) == DeadlineState.OVERDUE
    clock.set(at(2026, 3, 4, 9, 30))
    assert r.is_overdue
    assert list(selectors.report_list(user=operator, filters={"overdue": "1"})) == [r]


def test_resolved_on_time_and_late(make_report, lighting_rule, operator, officer, clock):
    early, late = make_report(), make_report()
    for r in (early, late):
        _in_progress(r, operator, officer, clock, at(2026, 3, 2, 8))
    clock.set(at(2026, 3, 4, 8, 59))
    services.report_resolve(report_id=early.pk, actor=officer, result="Đã sửa")
    clock.set(at(2026, 3, 4, 9, 1))
    services.report_resolve(report_id=late.pk, actor=officer, result="Đã sửa")
    assert deadlines.deadline_state(_fresh(early)) == DeadlineState.RESOLVED_ON_TIME
    assert deadlines.deadline_state(_fresh(late)) == DeadlineState.RESOLVED_LATE
    # processing time: Mon 08:00 → Wed 08:59 = 7 + 7.5 + 1.4833 h
    assert _fresh(early).work_hours == pytest.approx(14.5 + 89 / 60)


def test_a_new_report_has_no_deadline_state(report):
    assert deadlines.deadline_state(report) is None and not report.is_overdue


# --- the pause while waiting for the reporter ---------------------------------------------------


def test_waiting_for_the_reporter_pauses_the_clock(report, operator, officer, citizen, clock):
    r = _in_progress(report, operator, officer, clock, at(2026, 3, 2, 8))  # due Wed 4/3 09:00
    clock.set(at(2026, 3, 2, 10))
    services.report_ask_info(report_id=r.pk, actor=officer, question="Cột đèn số mấy?")
    r = _fresh(r)
    assert r.paused_at == at(2026, 3, 2, 10) and r.awaiting_citizen
    # a second question before the answer keeps the first pause
    clock.set(at(2026, 3, 2, 11))
    services.report_ask_info(report_id=r.pk, actor=officer, question="Và địa chỉ chính xác?")
    assert _fresh(r).paused_at == at(2026, 3, 2, 10)
    # past the original deadline, the paused report is not overdue (6.5 h were left at 10:00)
    r = _fresh(r)
    assert deadlines.deadline_state(r, now=at(2026, 3, 4, 10)) == DeadlineState.ON_TIME
    assert not Report.objects.filter(deadlines.overdue_q(at(2026, 3, 4, 10))).exists()
    # the answer on Tue 3/3 10:00: paused Mon 10:00–11:30 1.5 + 13:30–17:00 3.5 + Tue 2.5 = 7.5 h
    clock.set(at(2026, 3, 3, 10))
    services.report_answer_info(report_id=r.pk, actor=citizen, text="Cột số 12")
    r = _fresh(r)
    # Wed 09:00 + 7.5 h: Wed 2.5 + 3.5 = 6, Thu 07:30 + 1.5 → Thu 5/3 09:00
    assert r.due_at == at(2026, 3, 5, 9) and r.paused_at is None and not r.awaiting_citizen
    assert r.events.get(action="answer_info").data["due_at"] == at(2026, 3, 5, 9).isoformat()


def test_resolving_while_waiting_credits_the_pause(report, operator, officer, clock):
    r = _in_progress(report, operator, officer, clock, at(2026, 3, 2, 8))  # due Wed 4/3 09:00
    clock.set(at(2026, 3, 2, 10))
    services.report_ask_info(report_id=r.pk, actor=officer, question="Cột đèn số mấy?")
    clock.set(at(2026, 3, 3, 10))
    services.report_resolve(report_id=r.pk, actor=officer, result="Đã thay bóng")
    r = _fresh(r)
    assert r.due_at == at(2026, 3, 5, 9) and r.paused_at is None  # moved by the 7.5 paused hours
    assert r.work_hours == pytest.approx(9.5)  # Mon 08:00 → Tue 10:00: 7 + 2.5
    assert deadlines.deadline_state(r) == DeadlineState.RESOLVED_ON_TIME


def test_returning_a_paused_report_clears_the_pause(report, operator, officer, clock):
    r = _in_progress(report, operator, officer, clock, at(2026, 3, 2, 8))
    clock.set(at(2026, 3, 2, 10))
    services.report_ask_info(report_id=r.pk, actor=officer, question="?")
    services.report_return(report_id=r.pk, actor=officer, reason="Không thuộc thẩm quyền")
    r = _fresh(r)
    assert r.paused_at is None and r.due_at is None and r.status == Status.NEW


# --- extension, re-routing, reopening --------------------------------------------------------


def test_an_approved_extension_moves_the_deadline(report, operator, officer, unit_head, clock):
    r = _in_progress(report, operator, officer, clock, at(2026, 3, 2, 8))  # due Wed 4/3 09:00
    clock.set(at(2026, 3, 3, 9))
    ext = services.report_request_extension(
        report_id=r.pk, actor=officer, extra_hours=8, reason="Chờ vật tư"
    )
    services.report_decide_extension(extension_id=ext.pk, actor=unit_head, approve=True)
    # Wed 09:00 + 8 h: Wed 2.5 + 3.5 = 6, Thu 07:30 + 2 → Thu 5/3 09:30
    assert _fresh(r).due_at == at(2026, 3, 5, 9, 30)


def test_rerouting_after_a_return_starts_a_fresh_deadline(report, operator, officer, clock):
    _route(report, operator, clock, at(2026, 3, 2, 8))
    clock.set(at(2026, 3, 2, 10))
    services.report_return(report_id=report.pk, actor=officer, reason="Không thuộc thẩm quyền")
    # routed again Tue 3/3 08:00: Tue 7 h, Wed 7.5 (14.5), Thu 07:30 + 1.5 → Thu 5/3 09:00
    assert _route(report, operator, clock, at(2026, 3, 3, 8)).due_at == at(2026, 3, 5, 9)


def test_reopening_starts_a_fresh_deadline(report, operator, officer, citizen, clock):
    r = _in_progress(report, operator, officer, clock, at(2026, 3, 2, 8))
    clock.set(at(2026, 3, 3, 10))
    services.report_resolve(report_id=r.pk, actor=officer, result="Đã sửa")
    services.report_rate(report_id=r.pk, actor=citizen, rating=1)
    services.report_dispute(report_id=r.pk, actor=citizen, reason="Đèn vẫn tắt")
    clock.set(at(2026, 3, 5, 8))
    services.report_decide_dispute(report_id=r.pk, actor=operator, agree=True)
    # Thu 5/3 08:00: Thu 7 h, Fri 7.5 (14.5), Mon 9/3 07:30 + 1.5 → 09:00
    r = _fresh(r)
    assert r.status == Status.IN_PROGRESS and r.due_at == at(2026, 3, 9, 9)
    assert deadlines.deadline_state(r, now=at(2026, 3, 5, 9)) == DeadlineState.ON_TIME


# --- display ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "badge"),
    [
        (at(2026, 3, 3, 10), None),
        (at(2026, 3, 3, 16), "badge-due-soon"),
        (at(2026, 3, 4, 10), "badge-overdue"),
    ],
)
def test_the_unit_inbox_shows_the_deadline_state(
    report, operator, officer, client, clock, moment, badge
):
    _in_progress(report, operator, officer, clock, at(2026, 3, 2, 8))  # due Wed 4/3 09:00
    clock.set(moment)
    client.force_login(officer)
    body = client.get("/unit/inbox/").content.decode()
    assert report.ref in body
    for name in ("badge-due-soon", "badge-overdue"):
        assert (name in body) == (name == badge)
