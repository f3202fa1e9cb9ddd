"""Calls, links, call-backs, presence and offers, and two operators taking one call."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from opencity.hotline import services
from opencity.hotline.models import Call, CallBack, CallState, OperatorPresence
from opencity.lib.models import AuditLog

from .conftest import VN, event

pytestmark = pytest.mark.django_db


# --- logging a call by hand --------------------------------------------------------------------

def test_a_logged_call_is_stored_in_e164_with_its_caller_and_times(log_call, hotline, caller):
    call = log_call(phone="0905 123 456", duration_seconds=125)
    assert call.phone == "+84905123456" and call.caller == caller and call.operator == hotline
    assert call.state == CallState.ENDED and call.duration_seconds == 125
    assert call.ended_at - call.started_at == dt.timedelta(seconds=125)
    assert call.ref == f"CG{call.pk:06d}"
    assert AuditLog.objects.filter(action="hotline.call_log", target_id=str(call.pk), actor=hotline).exists()


def test_a_call_logged_with_no_answer_is_missed(log_call):
    call = log_call(direction="outbound", outcome="no_answer")
    assert call.state == CallState.MISSED and call.answered_at is None and call.duration_seconds is None


@pytest.mark.parametrize("change, field", [
    ({"phone": "12345"}, "phone"), ({"phone": ""}, "phone"), ({"direction": "sideways"}, "direction"),
    ({"topic": ""}, "topic"), ({"topic": "gossip"}, "topic"), ({"outcome": "maybe"}, "outcome"),
    ({"duration_seconds": -1}, "duration_seconds"), ({"duration_seconds": 90000}, "duration_seconds"),
    ({"note": "x" * 2001}, "note"), ({"started_at": "yesterday"}, "started_at"),
])
def test_bad_input_to_call_log_names_the_field(log_call, change, field):
    with pytest.raises(ValidationError) as exc:
        log_call(**change)
    assert exc.value.field == field
    assert not Call.objects.exists()


def test_a_call_cannot_start_in_the_future(log_call):
    with pytest.raises(ValidationError):
        log_call(started_at=timezone.now() + dt.timedelta(hours=1))


def test_people_outside_the_hotline_cannot_log_calls(log_call, citizen, officer, leader):
    for user in (citizen, officer, leader):
        with pytest.raises(PermissionDeniedError):
            log_call(actor=user)


def test_an_ioc_operator_may_log_calls(log_call, operator):
    assert log_call(actor=operator).operator == operator


# --- linking reports and rescue requests ---------------------------------------------------------

def test_a_report_filed_for_the_caller_is_linked_and_sets_topic_and_outcome(hotline, make_report):
    call = services.exchange_event_receive(payload=event("started"))[0]
    services.call_take(actor=hotline, call_id=call.pk)
    report = make_report(reporter=None, filed_by=hotline, reporter_phone="0905123456", channel="hotline")
    services.call_link_report(actor=hotline, call_id=call.pk, report=report)
    call.refresh_from_db()
    assert list(call.reports.all()) == [report]
    assert call.topic == "field_report" and call.outcome == "report_created"
    services.call_link_report(actor=hotline, call_id=call.pk, report=report)  # again: no duplicate
    assert call.reports.count() == 1


def test_a_rescue_request_filed_for_the_caller_is_linked(hotline, log_call):
    from opencity.emergency.services import rescue_request_create

    call = log_call(topic="other", outcome="callback_needed")
    req, _created = rescue_request_create(actor=hotline, lat=STORY_LAT, lon=STORY_LON, people=2, needs=["evacuation"],
                                          client_token="hotline-test-0001", for_caller=True,
                                          caller_name="Bà Lan", caller_phone="0905123456")
    services.call_link_rescue(actor=hotline, call_id=call.pk, rescue=req)
    call.refresh_from_db()
    assert list(call.rescue_requests.all()) == [req]
    assert call.topic == "other"  # kept: the operator chose it
    assert call.outcome == "rescue_created"  # "call-back needed" is superseded


def test_linking_to_an_unknown_call_is_not_found(hotline, make_report):
    with pytest.raises(NotFoundError):
        services.call_link_report(actor=hotline, call_id=999999, report=make_report())


# --- call-backs ---------------------------------------------------------------------------------

def test_a_call_back_is_scheduled_and_logging_it_creates_an_outbound_call(log_call, hotline, hotline2):
    call = log_call(outcome="callback_needed")
    due = timezone.now() + dt.timedelta(hours=2)
    cb = services.callback_schedule(actor=hotline, call_id=call.pk, due_at=due, assigned_to_id=hotline2.pk,
                                    note="Gọi lại báo kết quả")
    assert cb.assigned_to == hotline2 and cb.done_at is None
    back = services.callback_log(actor=hotline2, callback_id=cb.pk, outcome="resolved", duration_seconds=60,
                                 note="Đã báo")
    cb.refresh_from_db()
    assert back.direction == "outbound" and back.parent == call and back.phone == call.phone
    assert back.operator == hotline2 and back.state == CallState.ENDED and back.duration_seconds == 60
    assert cb.done_at is not None and cb.result_call == back and cb.attempts == 1
    with pytest.raises(ConflictError):
        services.callback_log(actor=hotline2, callback_id=cb.pk, outcome="resolved")


def test_no_answer_keeps_the_call_back_open_and_due_later(log_call, hotline):
    call = log_call()
    cb = services.callback_schedule(actor=hotline, call_id=call.pk, due_at=timezone.now())
    back = services.callback_log(actor=hotline, callback_id=cb.pk, outcome="no_answer")
    cb.refresh_from_db()
    assert back.state == CallState.MISSED and cb.done_at is None and cb.attempts == 1
    assert cb.due_at > timezone.now() + dt.timedelta(minutes=25)


def test_scheduling_sets_call_back_needed_when_no_outcome_yet(hotline):
    call = services.exchange_event_receive(payload=event("ended"))[0]  # a missed call
    assert call.state == CallState.MISSED and call.outcome == ""
    services.callback_schedule(actor=hotline, call_id=call.pk, due_at=timezone.now() + dt.timedelta(minutes=5))
    call.refresh_from_db()
    assert call.outcome == "callback_needed"


@pytest.mark.parametrize("due, field", [
    (lambda: timezone.now() - dt.timedelta(hours=1), "due_at"),
    (lambda: timezone.now() + dt.timedelta(days=40), "due_at"),
    (lambda: "tomorrow", "due_at"),
])
def test_a_call_back_in_the_past_or_far_ahead_is_refused(log_call, hotline, due, field):
    call = log_call()
    with pytest.raises(ValidationError) as exc:
        services.callback_schedule(actor=hotline, call_id=call.pk, due_at=due())
    assert exc.value.field == field and not CallBack.objects.exists()


def test_a_call_back_is_assigned_only_to_console_users(log_call, hotline, citizen):
    call = log_call()
    with pytest.raises(ValidationError):
        services.callback_schedule(actor=hotline, call_id=call.pk, due_at=timezone.now() + dt.timedelta(hours=1),
                                   assigned_to_id=citizen.pk)


def test_a_withheld_number_cannot_be_called_back(hotline):
    call = services.exchange_event_receive(payload=event("started", **{"from": "anonymous"}))[0]
    assert call.phone == ""
    with pytest.raises(ValidationError):
        services.callback_schedule(actor=hotline, call_id=call.pk, due_at=timezone.now() + dt.timedelta(hours=1))


# --- the exchange: idempotency and order ---------------------------------------------------------

def test_the_three_events_make_one_ended_call_with_its_talk_time(hotline):
    t0 = timezone.now() - dt.timedelta(minutes=5)
    services.exchange_event_receive(payload=event("started", at=t0))
    services.exchange_event_receive(payload=event("answered", at=t0 + dt.timedelta(seconds=12)))
    call, dup = services.exchange_event_receive(payload=event("ended", at=t0 + dt.timedelta(seconds=192)))
    assert not dup and Call.objects.count() == 1
    assert call.state == CallState.ENDED and call.duration_seconds == 180 and call.phone == "+84905123456"
    assert call.exchange_events.count() == 3


def test_a_retried_event_changes_nothing(hotline):
    t0 = timezone.now() - dt.timedelta(minutes=5)
    first, dup1 = services.exchange_event_receive(payload=event("started", at=t0))
    again, dup2 = services.exchange_event_receive(payload=event("started", at=t0))
    assert first.pk == again.pk and not dup1 and dup2
    assert Call.objects.count() == 1 and again.exchange_events.count() == 1


def test_events_out_of_order_give_the_same_call():
    t0 = timezone.now() - dt.timedelta(minutes=5)
    started, answered, ended = (event("started", "a", at=t0), event("answered", "a", at=t0 + dt.timedelta(seconds=5)),
                                event("ended", "a", at=t0 + dt.timedelta(seconds=65)))
    for payload in (ended, answered, started):
        services.exchange_event_receive(payload=payload)
    for payload in (started, answered, ended):
        services.exchange_event_receive(payload={**payload, "call_id": "b"})
    a, b = Call.objects.get(external_id="a"), Call.objects.get(external_id="b")
    for field in ("state", "started_at", "answered_at", "ended_at", "duration_seconds", "phone"):
        assert getattr(a, field) == getattr(b, field), field
    assert a.state == CallState.ENDED and a.duration_seconds == 60


def test_ended_before_answered_is_missed_then_ended():
    t0 = timezone.now() - dt.timedelta(minutes=5)
    call = services.exchange_event_receive(payload=event("ended", at=t0 + dt.timedelta(seconds=40)))[0]
    assert call.state == CallState.MISSED
    call = services.exchange_event_receive(payload=event("answered", at=t0 + dt.timedelta(seconds=10)))[0]
    assert call.state == CallState.ENDED and call.duration_seconds == 30


def test_an_outbound_call_keeps_the_other_party_from_to():
    call = services.exchange_event_receive(payload=event("started", direction="outbound",
                                                         **{"from": "101", "to": "84905123456"}))[0]
    assert call.direction == "outbound" and call.phone == "+84905123456" and call.offered_to is None


@pytest.mark.parametrize("payload, field", [
    ({"event": "call.rang"}, "event"), ({"call_id": ""}, "call_id"), ({"call_id": "x" * 65}, "call_id"),
    ({"call_id": "a b"}, "call_id"), ({"call_id": 12}, "call_id"), ({"at": "yesterday"}, "at"), ({"at": None}, "at"),
    ({"from": "not a number"}, "from"), ({"from": 905123456}, "from"), ({"direction": "up"}, "direction"),
    ({"extension": "ext-1"}, "extension"),
])
def test_bad_events_name_the_field(payload, field):
    with pytest.raises(ValidationError) as exc:
        services.exchange_event_receive(payload={**event("started"), **payload})
    assert exc.value.field == field and not Call.objects.exists()


def test_an_event_from_the_future_is_refused():
    with pytest.raises(ValidationError):
        services.exchange_event_receive(payload=event("started", at=timezone.now() + dt.timedelta(hours=1)))


def test_a_naive_time_is_read_in_vietnam():
    call = services.exchange_event_receive(payload=event("started", at=dt.datetime(2025, 10, 27, 8, 30)))[0]
    assert timezone.localtime(call.started_at, VN).hour == 8


def test_a_foreign_number_is_kept_and_84_prefix_normalised():
    a = services.exchange_event_receive(payload=event("started", "f1", **{"from": "+61412345678"}))[0]
    b = services.exchange_event_receive(payload=event("started", "f2", **{"from": "84905123456"}))[0]
    assert a.phone == "+61412345678" and b.phone == "+84905123456"


# --- offering calls to a free operator ----------------------------------------------------------

def test_a_started_call_is_offered_to_the_operator_free_longest(hotline, hotline2, operator):
    services.presence_set(actor=hotline, available=True)
    services.presence_set(actor=hotline2, available=True)
    OperatorPresence.objects.filter(user=hotline).update(last_busy_at=timezone.now() - dt.timedelta(minutes=1))
    OperatorPresence.objects.filter(user=hotline2).update(last_busy_at=timezone.now() - dt.timedelta(minutes=30))
    first = services.exchange_event_receive(payload=event("started", "c1"))[0]
    second = services.exchange_event_receive(payload=event("started", "c2"))[0]
    third = services.exchange_event_receive(payload=event("started", "c3"))[0]
    assert first.offered_to == hotline2 and second.offered_to == hotline
    assert third.offered_to is None  # nobody free; the IOC operator is not available


def test_an_operator_with_a_call_in_progress_is_not_offered_another(hotline, hotline2):
    services.presence_set(actor=hotline, available=True)
    first = services.exchange_event_receive(payload=event("started", "c1"))[0]
    services.call_take(actor=hotline, call_id=first.pk)
    second = services.exchange_event_receive(payload=event("started", "c2"))[0]
    assert second.offered_to is None
    services.presence_set(actor=hotline2, available=True)  # someone comes on duty: the call goes to them
    second.refresh_from_db()
    assert second.offered_to == hotline2


def test_when_a_call_ends_the_operator_gets_the_waiting_call(hotline):
    services.presence_set(actor=hotline, available=True)
    first = services.exchange_event_receive(payload=event("started", "c1"))[0]
    services.call_take(actor=hotline, call_id=first.pk)
    waiting = services.exchange_event_receive(payload=event("started", "c2"))[0]
    assert waiting.offered_to is None
    services.call_wrap_up(actor=hotline, call_id=first.pk, topic="other", outcome="resolved", end=True)
    waiting.refresh_from_db()
    assert waiting.offered_to == hotline


def test_going_away_passes_the_offered_call_on(hotline, hotline2):
    services.presence_set(actor=hotline, available=True)
    call = services.exchange_event_receive(payload=event("started"))[0]
    assert call.offered_to == hotline
    services.presence_set(actor=hotline2, available=True)
    services.presence_set(actor=hotline, available=False)
    call.refresh_from_db()
    assert call.offered_to == hotline2


def test_an_answered_event_with_a_known_extension_gives_the_call_its_operator(hotline):
    services.presence_set(actor=hotline, available=True, extension="101")
    services.exchange_event_receive(payload=event("started"))
    call = services.exchange_event_receive(payload=event("answered", extension="101"))[0]
    assert call.operator == hotline and call.state == CallState.ANSWERED and call.extension == "101"


def test_a_bad_extension_is_refused(hotline):
    with pytest.raises(ValidationError):
        services.presence_set(actor=hotline, available=True, extension="12a")


# --- taking a call ----------------------------------------------------------------------------

def test_taking_a_call_answers_it_and_a_second_operator_gets_a_conflict(hotline, hotline2):
    call = services.exchange_event_receive(payload=event("started"))[0]
    taken = services.call_take(actor=hotline, call_id=call.pk)
    assert taken.operator == hotline and taken.state == CallState.ANSWERED and taken.answered_at
    assert services.call_take(actor=hotline, call_id=call.pk).pk == call.pk  # a second tap is fine
    with pytest.raises(ConflictError):
        services.call_take(actor=hotline2, call_id=call.pk)


def test_a_call_started_by_an_exchange_clock_ahead_can_be_taken_and_ended(hotline):
    ahead = timezone.now() + dt.timedelta(minutes=3)
    call = services.exchange_event_receive(payload=event("started", at=ahead))[0]
    call = services.call_take(actor=hotline, call_id=call.pk)
    assert call.answered_at >= call.started_at
    call = services.call_wrap_up(actor=hotline, call_id=call.pk, topic="other", outcome="resolved", end=True)
    assert call.state == CallState.ENDED and call.ended_at >= call.answered_at


def test_an_ended_call_cannot_be_taken(hotline):
    call = services.exchange_event_receive(payload=event("ended"))[0]
    with pytest.raises(ConflictError):
        services.call_take(actor=hotline, call_id=call.pk)


def test_wrap_up_uses_the_exchanges_times_over_a_typed_duration(hotline):
    t0 = timezone.now() - dt.timedelta(minutes=5)
    services.exchange_event_receive(payload=event("started", at=t0))
    services.exchange_event_receive(payload=event("answered", at=t0 + dt.timedelta(seconds=10)))
    call = services.exchange_event_receive(payload=event("ended", at=t0 + dt.timedelta(seconds=70)))[0]
    call = services.call_wrap_up(actor=hotline, call_id=call.pk, topic="complaint", outcome="resolved",
                                 duration_seconds=999)
    assert call.duration_seconds == 60 and call.operator == hotline and call.topic == "complaint"


def test_wrap_up_of_a_call_in_progress_ends_it(hotline):
    call = services.exchange_event_receive(payload=event("started"))[0]
    services.call_take(actor=hotline, call_id=call.pk)
    call = services.call_wrap_up(actor=hotline, call_id=call.pk, topic="warning_info", outcome="resolved",
                                 duration_seconds=95, end=True)
    assert call.state == CallState.ENDED and call.duration_seconds == 95  # no exchange times: typed


def test_a_ringing_call_cannot_be_wrapped_up(hotline):
    call = services.exchange_event_receive(payload=event("started"))[0]
    with pytest.raises(ConflictError):
        services.call_wrap_up(actor=hotline, call_id=call.pk, topic="other", outcome="resolved")


def test_another_operators_call_in_progress_cannot_be_wrapped_up(hotline, hotline2):
    call = services.exchange_event_receive(payload=event("started"))[0]
    services.call_take(actor=hotline, call_id=call.pk)
    with pytest.raises(ConflictError):
        services.call_wrap_up(actor=hotline2, call_id=call.pk, topic="other", outcome="resolved", end=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_operators_taking_the_same_call_at_once_one_wins(hotline, hotline2):
    call = services.exchange_event_receive(payload=event("started"))[0]
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def take(user):
        try:
            barrier.wait(timeout=5)
            services.call_take(actor=user, call_id=call.pk)
            results[user.phone] = "won"
        except ConflictError:
            results[user.phone] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in (hotline, hotline2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results.values()) == ["conflict", "won"], results
    call.refresh_from_db()
    winner = hotline if results[hotline.phone] == "won" else hotline2
    assert call.operator == winner and call.state == CallState.ANSWERED


def test_viewing_a_callers_history_is_audited_once_per_call(hotline, log_call):
    call = log_call()
    for _ in range(3):
        services.caller_history_viewed(actor=hotline, call=call)
    assert AuditLog.objects.filter(action="hotline.caller_history", actor=hotline).count() == 1
    services.caller_history_viewed(actor=hotline, phone="+84905123456")
    assert AuditLog.objects.filter(action="hotline.caller_history", actor=hotline).count() == 2
