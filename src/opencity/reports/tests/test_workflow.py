"""The report state machine (reports/workflow.py) against DESIGN.md §4.

The expected table below is written out by hand from the design, not copied from the code:
every legal transition must work and write exactly one timeline event; every other
(action, state) pair must raise IllegalTransitionError (409) and change nothing.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from opencity.errors import ConflictError, IllegalTransitionError
from opencity.reports import services, workflow
from opencity.reports.models import Report, Status, TimelineEvent

NEW, ASSIGNED, IN_PROGRESS = Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS
RESOLVED, CLOSED, REJECTED, MERGED = Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.MERGED
ALL_STATES = [NEW, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED, REJECTED, MERGED]
OPEN = [NEW, ASSIGNED, IN_PROGRESS]

# (action, from, to, public by default) — DESIGN.md §4 plus the actions that keep the state.
LEGAL = [
    ("route", NEW, ASSIGNED, True),
    ("merge", NEW, MERGED, True),
    ("reject", NEW, REJECTED, True),
    ("accept", ASSIGNED, IN_PROGRESS, True),
    ("return", ASSIGNED, NEW, False),  # the unit's reason is for the IOC only
    ("return", IN_PROGRESS, NEW, False),
    ("ask_info", IN_PROGRESS, IN_PROGRESS, True),
    ("answer_info", IN_PROGRESS, IN_PROGRESS, True),
    ("request_extension", IN_PROGRESS, IN_PROGRESS, False),
    ("decide_extension", IN_PROGRESS, IN_PROGRESS, True),
    ("submit_result", IN_PROGRESS, IN_PROGRESS, False),
    ("reject_result", IN_PROGRESS, IN_PROGRESS, False),
    ("resolve", IN_PROGRESS, RESOLVED, True),
    ("rate", RESOLVED, CLOSED, True),
    ("close", RESOLVED, CLOSED, True),
    ("dispute", RESOLVED, RESOLVED, True),
    ("dispute", CLOSED, CLOSED, True),
    ("reopen", RESOLVED, IN_PROGRESS, True),
    ("reopen", CLOSED, IN_PROGRESS, True),
    ("deny_dispute", RESOLVED, RESOLVED, True),
    ("deny_dispute", CLOSED, CLOSED, True),
    *[("correct", s, s, True) for s in OPEN],
    *[("set_priority", s, s, False) for s in OPEN],
    *[("moderate", s, s, False) for s in ALL_STATES],
    *[("note", s, s, False) for s in ALL_STATES],
]
ACTIONS = sorted({a for a, *_ in LEGAL})
LEGAL_PAIRS = {(a, s) for a, s, *_ in LEGAL}
# Legal by state only once something happened first (the guard's condition).
GUARDED = {
    "answer_info": "asked",
    "reject_result": "result_pending",
    "reopen": "disputed",
    "deny_dispute": "disputed",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def bring(make_report, operator, officer, citizen, lighting_rule, urban_works):
    """Submit a report (the street-light story) and move it to ``state`` through the services."""

    def bring(state: str, *, prepare: str | None = None) -> Report:
        r = make_report()
        if state == REJECTED:
            services.report_reject(report_id=r.pk, actor=operator, reason="out_of_scope")
        elif state == MERGED:
            original = make_report(description="Đèn đường hỏng, cùng chỗ")
            services.report_merge(report_id=r.pk, actor=operator, into_id=original.pk)
        else:
            path = [NEW, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED]
            steps = [
                lambda: services.report_route(report_id=r.pk, actor=operator),
                lambda: services.report_accept(report_id=r.pk, actor=officer),
                lambda: services.report_resolve(
                    report_id=r.pk, actor=officer, result="Đã thay bóng đèn"
                ),
                lambda: services.report_rate(report_id=r.pk, actor=citizen, rating=4),
            ]
            for step in steps[: path.index(state)]:
                step()
        if prepare == "asked":
            services.report_ask_info(report_id=r.pk, actor=officer, question="Cột đèn số mấy?")
        elif prepare == "result_pending":
            urban_works.requires_result_approval = True
            urban_works.save()
            services.report_resolve(report_id=r.pk, actor=officer, result="Đã thay bóng đèn")
        elif prepare == "disputed":
            services.report_dispute(report_id=r.pk, actor=citizen, reason="Đèn vẫn chưa sáng")
        r.refresh_from_db()
        assert r.status == state
        return r

    return bring


def _apply(report, action, **kwargs):
    with transaction.atomic():
        return workflow.apply(report, action, **kwargs)


def test_the_expected_table_names_every_action_of_the_workflow():
    assert set(ACTIONS) | {"submit"} == set(workflow.TRANSITIONS)


def test_submit_creates_a_new_report_with_one_event(citizen, lighting, phu_xuan):
    report = Report(
        category=lighting,
        description="Đèn hỏng",
        lat=16.4745,
        lon=107.5755,
        area=phu_xuan,
        reporter=citizen,
    )
    event = _apply(report, "submit", actor=citizen)
    report.refresh_from_db()
    assert (report.status, report.version) == (NEW, 1)
    assert list(report.events.values_list("action", "from_status", "to_status")) == [
        ("submit", "", NEW)
    ]
    assert event.actor == citizen and event.actor_role == "citizen" and event.is_public


@pytest.mark.parametrize(
    ("action", "source", "target", "public"), LEGAL, ids=[f"{a}-from-{s}" for a, s, *_ in LEGAL]
)
def test_legal_transition_changes_state_and_writes_one_event(
    bring, operator, action, source, target, public
):
    report = bring(source, prepare=GUARDED.get(action))
    before_events = list(report.events.values_list("pk", flat=True))
    version = report.version

    event = _apply(report, action, actor=operator, note="Ghi chú của điều phối viên", data={"k": 1})

    report.refresh_from_db()
    assert report.status == target
    assert report.version == version + 1
    new_events = report.events.exclude(pk__in=before_events)
    assert list(new_events) == [event]
    event.refresh_from_db()
    assert (event.action, event.from_status, event.to_status) == (action, source, target)
    assert event.actor == operator and event.actor_role == "operator"
    assert event.note == "Ghi chú của điều phối viên" and event.data == {"k": 1}
    assert event.is_public is public


@pytest.mark.parametrize("state", ALL_STATES)
def test_illegal_actions_raise_409_and_change_nothing(bring, operator, state):
    report = bring(state)
    snapshot = Report.objects.filter(pk=report.pk).values().get()
    events = report.events.count()
    illegal = [a for a in ACTIONS if (a, state) not in LEGAL_PAIRS]
    assert illegal, "every state forbids something"
    for action in illegal:
        assert not workflow.allowed(report, action)
        with pytest.raises(IllegalTransitionError) as exc:
            _apply(report, action, actor=operator, changes={"priority": 3})
        assert exc.value.http_status == 409
        assert report.status == state
    assert Report.objects.filter(pk=report.pk).values().get() == snapshot
    assert report.events.count() == events


@pytest.mark.parametrize("action", sorted(GUARDED))
def test_guarded_action_is_refused_until_its_condition_holds(bring, operator, action):
    source = next(s for a, s, *_ in LEGAL if a == action)
    report = bring(source)
    version = report.version
    assert not workflow.allowed(report, action)
    with pytest.raises(IllegalTransitionError):
        _apply(report, action, actor=operator)
    report.refresh_from_db()
    assert report.version == version and report.status == source


def test_a_result_cannot_be_submitted_twice_for_approval(bring, operator):
    report = bring(IN_PROGRESS, prepare="result_pending")
    with pytest.raises(IllegalTransitionError):
        _apply(report, "submit_result", actor=operator)


def test_a_dispute_cannot_be_filed_twice(bring, citizen):
    report = bring(RESOLVED, prepare="disputed")
    with pytest.raises(IllegalTransitionError):
        _apply(report, "dispute", actor=citizen)


def test_an_unknown_action_is_a_programming_error(bring, operator):
    report = bring(NEW)
    with pytest.raises(ValueError):
        _apply(report, "teleport", actor=operator)


def test_timeline_events_cannot_be_updated_or_deleted(bring):
    report = bring(ASSIGNED)
    event = report.events.get(action="route")
    event.note = "sửa lại lịch sử"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    with pytest.raises(ValueError):
        TimelineEvent.objects.filter(pk=event.pk).update(note="sửa lại lịch sử")
    with pytest.raises(ValueError):
        TimelineEvent.objects.filter(report=report).delete()
    assert TimelineEvent.objects.get(pk=event.pk).note == ""
    assert report.events.count() == 2


def test_later_transitions_leave_earlier_events_untouched(bring, officer):
    report = bring(ASSIGNED)
    before = list(report.events.values())
    services.report_accept(report_id=report.pk, actor=officer)
    assert list(report.events.values())[: len(before)] == before


# --- optimistic lock ------------------------------------------------------------------


def test_a_stale_expected_version_raises_conflict_and_changes_nothing(bring, operator):
    report = bring(NEW)
    with pytest.raises(ConflictError) as exc:
        services.report_route(
            report_id=report.pk, actor=operator, expected_version=report.version - 1
        )
    assert exc.value.http_status == 409
    report.refresh_from_db()
    assert report.status == NEW and report.unit_id is None
    assert list(report.events.values_list("action", flat=True)) == ["submit"]


def test_the_second_operator_routing_the_same_report_gets_409(
    bring, operator, admin_user, other_unit
):
    report = bring(NEW)
    seen_by_both = report.version  # both opened the triage page
    services.report_route(report_id=report.pk, actor=operator, expected_version=seen_by_both)
    with pytest.raises(ConflictError) as exc:
        services.report_route(
            report_id=report.pk,
            actor=admin_user,
            unit_id=other_unit.pk,
            expected_version=seen_by_both,
        )
    assert exc.value.http_status == 409
    report.refresh_from_db()
    assert report.unit.code == "hepco"
    assert report.events.filter(action="route").count() == 1


def test_a_result_based_on_an_old_version_is_refused_after_someone_else_acted(
    bring, officer, unit_head
):
    report = bring(IN_PROGRESS)
    seen = report.version
    services.report_ask_info(report_id=report.pk, actor=unit_head, question="Đã kiểm tra chưa?")
    with pytest.raises(ConflictError):
        services.report_resolve(
            report_id=report.pk, actor=officer, result="Xong", expected_version=seen
        )
    report.refresh_from_db()
    assert report.status == IN_PROGRESS and report.result_text == ""


def test_acting_on_a_stale_object_raises_conflict_and_writes_one_event(bring, operator, admin_user):
    report = bring(NEW)
    first, second = Report.objects.get(pk=report.pk), Report.objects.get(pk=report.pk)
    _apply(first, "set_priority", actor=operator, changes={"priority": 3})
    with pytest.raises(ConflictError):
        _apply(second, "set_priority", actor=admin_user, changes={"priority": 0})
    # the stale object is left as it was read, not half-changed
    assert (second.priority, second.version) == (1, report.version)
    report.refresh_from_db()
    assert report.priority == 3 and report.version == first.version
    assert report.events.filter(action="set_priority").count() == 1


# --- two operators at the same moment -------------------------------------------------

_db = settings.DATABASES["default"]
# An in-memory SQLite database shares one cache between threads and fails a second writer at
# once ("table is locked") instead of making it wait as a file database does in production.
# Set OPENCITY_TEST_DB_NAME to a file to run these on SQLite; PostgreSQL always runs them.
real_concurrency = pytest.mark.skipif(
    _db["ENGINE"].endswith("sqlite3") and not (_db.get("TEST") or {}).get("NAME"),
    reason="needs a file or server database (set OPENCITY_TEST_DB_NAME)",
)


def _race(*actions):
    """Run the callables in threads released together; return [result or exception]."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@real_concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_operators_routing_at_once_only_one_succeeds(
    make_report, operator, admin_user, lighting_rule, other_unit
):
    report = make_report()
    version = report.version
    results = _race(
        lambda: services.report_route(
            report_id=report.pk, actor=operator, expected_version=version
        ),
        lambda: services.report_route(
            report_id=report.pk, actor=admin_user, unit_id=other_unit.pk, expected_version=version
        ),
    )
    ok = [r for r in results if isinstance(r, Report)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(ok) == 1 and len(refused) == 1, results
    assert refused[0].http_status == 409
    report.refresh_from_db()
    assert report.status == ASSIGNED and report.version == version + 1
    assert report.events.filter(action="route").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_apply_refuses_to_run_outside_a_transaction(make_report, operator):
    report = make_report()
    with pytest.raises(RuntimeError):
        workflow.apply(report, "note", actor=operator)
    assert report.events.count() == 1


@real_concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_holding_the_same_version_cannot_both_write(make_report, operator, admin_user):
    report = make_report()
    first, second = Report.objects.get(pk=report.pk), Report.objects.get(pk=report.pk)

    def write(obj, actor, priority):
        with transaction.atomic():
            return workflow.apply(obj, "set_priority", actor=actor, changes={"priority": priority})

    results = _race(lambda: write(first, operator, 3), lambda: write(second, admin_user, 0))
    assert sum(isinstance(r, TimelineEvent) for r in results) == 1, results
    assert sum(isinstance(r, ConflictError) for r in results) == 1, results
    report.refresh_from_db()
    assert report.version == 2
    assert report.events.filter(action="set_priority").count() == 1
