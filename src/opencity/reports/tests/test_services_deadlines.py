"""The deadline job: due-soon reminders, escalation to the unit head, then to the IOC and the
leaders — each once per report and deadline, safe to repeat, bounded in memory.

A street-light report routed Mon 2/3/2026 08:00 is due Wed 4/3 09:00 (16 working hours). Due
soon: fewer than 4 h left (Tue 3/3 from 14:30 on). IOC: overdue by 8 h or more (Wed 09:00–11:30
2.5 + 13:30–17:00 3.5 + Thu 07:30–09:30 2 = 8 h → from Thu 5/3 09:30).
"""

from __future__ import annotations

import pytest

from opencity.notifications.models import Notification
from opencity.reports import services, tasks
from opencity.reports.models import Escalation, EscalationLevel, Report

from .helpers import at

pytestmark = pytest.mark.django_db

ROUTED = at(2026, 3, 2, 8)


@pytest.fixture
def people(officer, unit_head, operator, leader, citizen):
    return {"officer": officer, "head": unit_head, "operator": operator, "leader": leader}


def _open_report(make_report, operator, officer, clock, routed=ROUTED) -> Report:
    clock.set(routed)
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    return services.report_accept(report_id=report.pk, actor=officer)


@pytest.fixture
def report(make_report, lighting_rule, operator, officer, clock, people) -> Report:
    return _open_report(make_report, operator, officer, clock)


def _received(user, verb: str) -> int:
    return Notification.objects.filter(user=user, verb=verb).count()


def test_nothing_is_sent_while_the_report_is_on_time(report):
    assert services.deadlines_escalate(now=at(2026, 3, 3, 10)) == {}
    assert not Escalation.objects.exists()


def test_each_level_is_sent_once_to_its_people(report, people):
    officer, head, operator, leader = (
        people["officer"],
        people["head"],
        people["operator"],
        people["leader"],
    )

    sent = services.deadlines_escalate(now=at(2026, 3, 3, 16))  # 2.5 h left
    assert sent == {EscalationLevel.DUE_SOON: 1}
    assert (
        _received(officer, "deadline_due_soon") == 1 and _received(head, "deadline_due_soon") == 1
    )
    assert _received(operator, "deadline_due_soon") == 0
    assert services.deadlines_escalate(now=at(2026, 3, 3, 16, 5)) == {}  # run again: nothing new

    sent = services.deadlines_escalate(now=at(2026, 3, 4, 10))  # 1 h overdue
    assert sent == {EscalationLevel.OVERDUE: 1}
    assert _received(head, "deadline_overdue") == 1 and _received(officer, "deadline_overdue") == 0
    assert services.deadlines_escalate(now=at(2026, 3, 5, 9)) == {}  # 7.5 h overdue: not yet IOC

    sent = services.deadlines_escalate(now=at(2026, 3, 5, 9, 30))  # 8 h overdue
    assert sent == {EscalationLevel.IOC: 1}
    assert (
        _received(operator, "deadline_escalated") == 1
        and _received(leader, "deadline_escalated") == 1
    )
    assert _received(head, "deadline_escalated") == 0
    assert services.deadlines_escalate(now=at(2026, 3, 6, 10)) == {}

    rows = Escalation.objects.filter(report=report).order_by("sent_at", "pk")
    assert [e.level for e in rows] == ["due_soon", "overdue", "ioc"]
    assert {e.due_at for e in rows} == {at(2026, 3, 4, 9)}
    assert rows.get(level="ioc").recipients == 2
    assert not report.events.filter(action__startswith="deadline").exists()  # not timeline events
    n = report.events.count()
    services.deadlines_escalate(now=at(2026, 3, 6, 11))
    assert report.events.count() == n


def test_after_a_pause_of_the_job_the_levels_due_are_sent_and_stale_reminders_are_not(
    report, people
):
    sent = services.deadlines_escalate(now=at(2026, 3, 9, 10))  # first run days after the deadline
    assert sent == {EscalationLevel.OVERDUE: 1, EscalationLevel.IOC: 1}
    assert not Escalation.objects.filter(level=EscalationLevel.DUE_SOON).exists()
    assert services.deadlines_escalate(now=at(2026, 3, 9, 10)) == {}


def test_a_moved_deadline_escalates_again(report, people, clock):
    services.deadlines_escalate(now=at(2026, 3, 4, 10))  # overdue (its due-soon moment was missed)
    clock.set(at(2026, 3, 4, 10))
    ext = services.report_request_extension(
        report_id=report.pk, actor=people["officer"], extra_hours=8, reason="Chờ vật tư"
    )
    services.report_decide_extension(extension_id=ext.pk, actor=people["head"], approve=True)
    report.refresh_from_db()
    assert report.due_at == at(2026, 3, 5, 9, 30)  # Wed 09:00 + 8 h: Wed 2.5 + 3.5, Thu 07:30 + 2
    assert services.deadlines_escalate(now=at(2026, 3, 4, 15)) == {}  # 2 + 2 = 4 h left
    assert services.deadlines_escalate(now=at(2026, 3, 5, 8)) == {EscalationLevel.DUE_SOON: 1}
    assert services.deadlines_escalate(now=at(2026, 3, 5, 10)) == {EscalationLevel.OVERDUE: 1}
    assert _received(people["head"], "deadline_overdue") == 2
    assert Escalation.objects.filter(report=report, level="overdue").count() == 2


def test_a_paused_report_is_not_reminded(report, people, clock):
    clock.set(at(2026, 3, 2, 10))
    services.report_ask_info(report_id=report.pk, actor=people["officer"], question="Cột số mấy?")
    # the clock stopped with 6.5 + 7.5 = 14 h left: days later it is still on time
    assert services.deadlines_escalate(now=at(2026, 3, 9, 10)) == {}


def test_a_unit_without_a_head_escalates_to_the_ioc(
    make_report, lighting_rule, operator, officer, clock, leader
):
    report = _open_report(make_report, operator, officer, clock)
    assert services.deadlines_escalate(now=at(2026, 3, 4, 10)) == {EscalationLevel.OVERDUE: 1}
    assert _received(operator, "deadline_overdue") == 1
    assert Escalation.objects.get(report=report).recipients == 1


def test_it_works_through_more_reports_than_one_chunk(
    make_report, lighting_rule, operator, officer, clock, people, django_assert_max_num_queries
):
    reports = [
        _open_report(make_report, operator, officer, clock, routed=at(2026, 3, 2, 8, i))
        for i in range(5)
    ]
    sent = services.deadlines_escalate(now=at(2026, 3, 3, 16), chunk_size=2)
    assert sent == {EscalationLevel.DUE_SOON: 5}
    assert set(Escalation.objects.values_list("report_id", flat=True)) == {r.pk for r in reports}
    assert services.deadlines_escalate(now=at(2026, 3, 3, 16), chunk_size=2) == {}


def test_a_large_backlog_is_sent_once_in_a_few_statements_per_page(
    report, people, django_assert_max_num_queries
):
    """1,200 overdue reports (a backlog after a long pause, copies of the fixture's report):
    every page of 500 is written in one transaction of a few statements, each level once."""
    from django.forms.models import model_to_dict

    template = model_to_dict(report, exclude=["id", "client_token"])
    template.update(category_id=template.pop("category"), area_id=template.pop("area"),
                    unit_id=template.pop("unit"), reporter_id=template.pop("reporter"),
                    merged_into_id=template.pop("merged_into"))
    Report.objects.bulk_create([Report(**template) for _ in range(1199)])
    # 2,400 escalations and 3,600 inbox rows: per page the read, what was done, the escalations,
    # the check, the inbox rows (SQLite splits an INSERT at 999 parameters: ~15 per page here;
    # PostgreSQL sends each as one; the inbox row's broadcast columns, empty here, make ~20),
    # never a statement per escalation
    with django_assert_max_num_queries(100):
        sent = services.deadlines_escalate(now=at(2026, 3, 9, 10))
    assert sent == {EscalationLevel.OVERDUE: 1200, EscalationLevel.IOC: 1200}
    assert Escalation.objects.count() == 2400
    assert _received(people["head"], "deadline_overdue") == 1200
    assert _received(people["leader"], "deadline_escalated") == 1200
    assert services.deadlines_escalate(now=at(2026, 3, 9, 10)) == {}  # safe to run twice
    assert Notification.objects.filter(verb="deadline_escalated").count() == 2400  # operator + leader


def test_a_page_already_sent_by_a_concurrent_run_is_not_notified_again(report, people):
    Escalation.objects.create(report=report, level=EscalationLevel.OVERDUE, due_at=report.due_at, recipients=1)
    # the other run wrote its row after this run read the page: the insert is skipped, no inbox row
    from opencity.reports.services import deadlines as job

    sent = job._send_page([(report, EscalationLevel.OVERDUE), (report, EscalationLevel.IOC)], job._Audience())
    assert sent == {EscalationLevel.IOC: 1}
    assert _received(people["head"], "deadline_overdue") == 0


def test_reports_past_the_last_level_are_not_loaded_again(
    report, people, django_assert_max_num_queries
):
    services.deadlines_escalate(now=at(2026, 3, 9, 10))
    with django_assert_max_num_queries(3):  # the categories, one empty page: nothing to do
        assert services.deadlines_escalate(now=at(2026, 3, 10, 10)) == {}


def test_the_periodic_tasks_call_the_services(report, clock):
    clock.set(at(2026, 3, 9, 10))
    assert tasks.escalate_deadlines.call_local() == {"overdue": 1, "ioc": 1}
    assert tasks.close_expired_reports.call_local() == 0
    assert tasks.refresh_recent_rollups.call_local() == 0  # nothing happened in the last 25 hours
