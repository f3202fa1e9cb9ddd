import datetime as dt

import pytest
from django.utils import timezone

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.emergency import services
from opencity.emergency.models import RescueEvent, RescueRequest, RescueTeam, Status, TeamStatus
from opencity.emergency.selectors import rescue_board_list
from opencity.errors import (
    ConflictError,
    IllegalTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from opencity.notifications.models import Notification


def test_the_same_token_returns_the_same_request(file_sos, citizen):
    first = file_sos(client_token="retry-token-123")
    again, created = services.rescue_request_create(
        actor=citizen, lat=STORY_LAT, lon=STORY_LON, people=3, needs=["evacuation"], client_token="retry-token-123")
    assert (again.pk, created) == (first.pk, False)
    assert RescueRequest.objects.count() == 1
    assert first.events.get().action == "file"


def test_another_users_token_is_refused(file_sos, citizen2):
    file_sos(client_token="retry-token-123")
    with pytest.raises(ValidationError):
        services.rescue_request_create(actor=citizen2, lat=STORY_LAT, lon=STORY_LON, people=1,
                                       needs=["other"], client_token="retry-token-123")


def test_it_files_with_area_urgency_and_status(file_sos, phu_xuan):
    req = file_sos(needs=["trapped", "medical"], people=5)
    assert req.area == phu_xuan and req.status == Status.NEW and req.version == 1
    assert req.urgency > file_sos(needs=["food_water"], people=1).urgency


def test_a_place_outside_the_city_is_refused(file_sos):
    with pytest.raises(ValidationError) as exc:
        file_sos(lat=10.7769, lon=106.7009)
    assert exc.value.http_status == 400 and exc.value.field == "lat"
    assert not RescueRequest.objects.exists()


@pytest.mark.parametrize("kwargs, field", [
    ({"people": 0}, "people"), ({"people": 501}, "people"), ({"people": "x"}, "people"),
    ({"needs": ["boat"]}, "needs"), ({"note": "x" * 1001}, "note"),
    ({"lat": None}, "lat"), ({"lat": "abc"}, "lat"), ({"client_token": "short"}, "client_token"),
])
def test_bad_input_is_refused(file_sos, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        file_sos(**kwargs)
    assert exc.value.field == field
    assert not RescueRequest.objects.exists()


def test_a_citizen_cannot_file_for_a_caller(file_sos, citizen):
    with pytest.raises(PermissionDeniedError):
        file_sos(for_caller=True, caller_name="Bà Lan", caller_phone="0905123456")


def test_the_hotline_files_for_a_caller_with_a_normalised_phone(file_sos, hotline):
    req = file_sos(actor=hotline, for_caller=True, caller_name="Bà Lan", caller_phone="0905 123 456")
    assert req.requester is None and req.filed_by == hotline and req.caller_phone == "+84905123456"
    with pytest.raises(ValidationError) as exc:
        file_sos(actor=hotline, for_caller=True, caller_name="Bà Lan", caller_phone="12")
    assert exc.value.field == "caller_phone"


def test_the_board_orders_by_urgency_then_waiting_time(file_sos, operator):
    low = file_sos(needs=["food_water"], people=1)
    trapped = file_sos(needs=["trapped"], people=2)
    old_low = file_sos(needs=["food_water"], people=1)
    RescueRequest.objects.filter(pk=old_low.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    assert [r.pk for r in rescue_board_list(user=operator)] == [trapped.pk, old_low.pk, low.pk]


def test_the_whole_path_notifies_the_requester_at_every_step(file_sos, walk, citizen, team):
    req = walk(file_sos(), "rescued")
    assert req.status == Status.RESCUED and req.finished_at and req.acknowledged_at
    assert [e.action for e in req.events.all()] == ["file", "acknowledge", "assign", "dispatch", "arrive", "rescue"]
    assert Notification.objects.filter(user=citizen, verb="sos").count() == 5
    team.refresh_from_db()
    assert team.status == TeamStatus.AVAILABLE


def test_assigning_makes_the_team_busy_and_a_busy_team_cannot_be_assigned(file_sos, walk, operator, team):
    walk(file_sos(), "assigned")
    assert RescueTeam.objects.get(pk=team.pk).status == TeamStatus.BUSY
    second = walk(file_sos(), "acknowledged")
    with pytest.raises(ValidationError):
        services.rescue_assign(actor=operator, request_id=second.pk, team_id=team.pk)


def test_only_the_assigned_team_moves_the_request(file_sos, walk, other_rescuer, citizen):
    req = walk(file_sos(), "assigned")
    for actor in (other_rescuer, citizen):
        with pytest.raises(PermissionDeniedError):
            services.rescue_team_step(actor=actor, request_id=req.pk, action="dispatch")


def test_a_team_cannot_skip_a_step(file_sos, walk, rescuer):
    req = walk(file_sos(), "assigned")
    with pytest.raises(IllegalTransitionError):
        services.rescue_team_step(actor=rescuer, request_id=req.pk, action="rescue")


def test_only_dispatchers_acknowledge_and_assign(file_sos, leader, hotline, citizen, team):
    req = file_sos()
    for actor in (leader, hotline, citizen):
        with pytest.raises(PermissionDeniedError):
            services.rescue_acknowledge(actor=actor, request_id=req.pk)


def test_a_stale_acknowledge_is_a_conflict(file_sos, operator):
    req = file_sos()
    services.rescue_acknowledge(actor=operator, request_id=req.pk, expected_version=req.version)
    with pytest.raises(ConflictError):
        services.rescue_cancel(actor=operator, request_id=req.pk, reason="x", expected_version=req.version)


def test_cancel_needs_a_reason_and_frees_the_team(file_sos, walk, operator, team, citizen):
    req = walk(file_sos(), "dispatched")
    with pytest.raises(ValidationError):
        services.rescue_cancel(actor=operator, request_id=req.pk, reason=" ")
    services.rescue_cancel(actor=operator, request_id=req.pk, reason="Người dân đã tự sơ tán")
    req.refresh_from_db()
    assert req.status == Status.CANCELLED and req.cancel_reason == "Người dân đã tự sơ tán"
    assert RescueTeam.objects.get(pk=team.pk).status == TeamStatus.AVAILABLE
    with pytest.raises(IllegalTransitionError):
        services.rescue_cancel(actor=operator, request_id=req.pk, reason="again")


@pytest.mark.parametrize("reason", ["a\x00b", "\u200b\u200b", "\ufeff "])
def test_a_cancel_reason_with_nul_or_nothing_visible_is_refused(file_sos, operator, reason):
    """Issue #13 probe: a NUL in the reason was stored on SQLite and a 500 on PostgreSQL; a
    reason of zero-width characters passed as a reason."""
    req = file_sos()
    with pytest.raises(ValidationError):
        services.rescue_cancel(actor=operator, request_id=req.pk, reason=reason)
    req.refresh_from_db()
    assert req.status != Status.CANCELLED


def test_the_requester_may_cancel_their_own(file_sos, citizen, citizen2):
    req = file_sos()
    with pytest.raises(PermissionDeniedError):
        services.rescue_cancel(actor=citizen2, request_id=req.pk, reason="x")
    services.rescue_cancel(actor=citizen, request_id=req.pk, reason="Đã an toàn")


def test_escalation_notifies_operators_and_leaders_once(file_sos, operator, leader, hotline, settings):
    settings.OPENCITY_SOS_ACK_MINUTES = 5
    req = file_sos()
    fresh = file_sos()
    RescueRequest.objects.filter(pk=req.pk).update(created_at=timezone.now() - dt.timedelta(minutes=6))
    assert services.rescue_escalate_overdue() == 1
    assert services.rescue_escalate_overdue() == 0
    got = set(Notification.objects.filter(verb="sos").values_list("user_id", flat=True))
    assert got == {operator.pk, leader.pk}
    assert RescueEvent.objects.filter(request=req, action="escalate").count() == 1
    assert RescueRequest.objects.get(pk=fresh.pk).escalated_at is None


def test_an_acknowledged_request_does_not_escalate(file_sos, operator):
    req = file_sos()
    services.rescue_acknowledge(actor=operator, request_id=req.pk)
    RescueRequest.objects.filter(pk=req.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert services.rescue_escalate_overdue() == 0


def test_the_periodic_task_runs_the_escalation(file_sos, operator):
    from opencity.emergency.tasks import escalate_unacknowledged

    req = file_sos()
    RescueRequest.objects.filter(pk=req.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    escalate_unacknowledged.call_local()
    assert RescueRequest.objects.get(pk=req.pk).escalated_at is not None


def test_a_team_member_shares_a_position(rescuer, team, citizen):
    services.team_report_position(actor=rescuer, lat=16.5, lon=107.6)
    team.refresh_from_db()
    assert (team.last_lat, team.last_lon) == (16.5, 107.6) and team.position_updated_at
    with pytest.raises(PermissionDeniedError):
        services.team_report_position(actor=citizen, lat=16.5, lon=107.6)
    with pytest.raises(ValidationError):
        services.team_report_position(actor=rescuer, lat="x", lon=107.6)


def test_a_person_asking_for_themself_needs_only_the_place(file_sos):
    """One tap (issue #14): needs and people are optional for one's own request."""
    req = file_sos(needs=[])
    assert req.needs == [] and req.people >= 1


def test_an_operator_filing_for_a_caller_must_say_what_is_needed(file_sos, hotline):
    with pytest.raises(ValidationError) as exc:
        file_sos(actor=hotline, for_caller=True, caller_name="Bà Lan", caller_phone="0905123456", needs=[])
    assert exc.value.field == "needs" and not RescueRequest.objects.exists()
