"""The board's services: the task and team chains (legal and illegal steps), 409 on concurrent
edits, the ward-part rule, the call-out, assets, and a stock book that never goes negative."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD
from opencity.errors import (
    ConflictError,
    IllegalTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from opencity.incidents import services
from opencity.incidents.models import Asset, AssetEvent, Deployment, StockEntry, Task, TaskEvent
from opencity.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployed(operator, incident, team):
    """The team requested and assigned to the incident, city level."""
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
    return services.deployment_transition(actor=operator, deployment_id=d.pk, action="assign")


def _task(actor, incident, area, **kw):
    return services.task_create(actor=actor, incident_id=incident.pk, title=kw.pop("title", "Sơ tán hộ dân thôn 3"),
                                area_id=area.pk if area else None, **kw)


# --- tasks ----------------------------------------------------------------------------------------


def test_a_task_goes_from_to_do_to_done_with_a_log_step_each(operator, incident, phu_xuan, deployed):
    task = _task(operator, incident, phu_xuan, place="Thôn 3", priority=3)
    assert task.status == "open" and task.version == 1 and task.area == phu_xuan
    task = services.task_transition(actor=operator, task_id=task.pk, action="assign", deployment_id=deployed.pk)
    assert task.status == "assigned" and task.deployment == deployed
    task = services.task_transition(actor=operator, task_id=task.pk, action="start")
    task = services.task_transition(actor=operator, task_id=task.pk, action="done")
    assert Task.objects.get().status == "done"
    assert list(TaskEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "create", "assign", "start", "done"]


def test_illegal_task_steps_are_refused(operator, incident, phu_xuan, deployed):
    task = _task(operator, incident, phu_xuan)
    with pytest.raises(IllegalTransitionError):
        services.task_transition(actor=operator, task_id=task.pk, action="start")
    with pytest.raises(IllegalTransitionError):  # done needs a team first
        services.task_transition(actor=operator, task_id=task.pk, action="done")
    services.task_transition(actor=operator, task_id=task.pk, action="cancel", note="Trùng")
    with pytest.raises(IllegalTransitionError):
        services.task_transition(actor=operator, task_id=task.pk, action="assign", deployment_id=deployed.pk)
    with pytest.raises(ValidationError):
        services.task_transition(actor=operator, task_id=task.pk, action="fly")


def test_a_task_is_given_only_to_a_team_with_the_incident(operator, incident, phu_xuan, team):
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
    task = _task(operator, incident, phu_xuan)
    with pytest.raises(ValidationError) as exc:  # only requested, not with the incident yet
        services.task_transition(actor=operator, task_id=task.pk, action="assign", deployment_id=d.pk)
    assert exc.value.field == "deployment"
    with pytest.raises(ValidationError):
        services.task_transition(actor=operator, task_id=task.pk, action="assign", deployment_id=999999)


def test_two_commanders_editing_the_same_task_the_second_gets_409(operator, leader, incident, phu_xuan):
    task = _task(operator, incident, phu_xuan)
    read = task.version
    services.task_update(actor=operator, task_id=task.pk, title="Sơ tán 12 hộ dân", area_id=phu_xuan.pk,
                         expected_version=read)
    with pytest.raises(ConflictError):
        services.task_update(actor=leader, task_id=task.pk, title="Sơ tán 10 hộ", area_id=phu_xuan.pk,
                             expected_version=read)
    with pytest.raises(ConflictError):
        services.task_transition(actor=leader, task_id=task.pk, action="cancel", expected_version=read)
    assert Task.objects.get().title == "Sơ tán 12 hộ dân"


def test_a_task_form_sent_twice_makes_one_task(operator, incident, phu_xuan, citizen):
    a = _task(operator, incident, phu_xuan, client_token="task-form-token-000001")
    b = _task(operator, incident, phu_xuan, client_token="task-form-token-000001")
    assert a.pk == b.pk and Task.objects.count() == 1


def test_bad_task_input_is_refused_with_its_field(operator, incident, phu_xuan, thuan_hoa, city):
    for kwargs, field in (({"title": "  "}, "title"), ({"priority": 9}, "priority"),
                          ({"lat": "16.4"}, "lat"), ({"lat": "nan", "lon": "107"}, "lat"),
                          ({"rescue_id": "SOS-999"}, "rescue"), ({"period_id": "x"}, "period"),
                          ({"due_at": "tomorrow"}, "due_at")):
        with pytest.raises(ValidationError) as exc:
            _task(operator, incident, phu_xuan, **kwargs)
        assert exc.value.field == field, kwargs
    with pytest.raises(ValidationError):  # a ward the incident does not affect
        services.task_create(actor=operator, incident_id=incident.pk, title="X", area_id=city.pk)


def test_a_task_can_point_at_a_linked_rescue_request(operator, incident, phu_xuan, file_sos):
    sos = file_sos()
    services.incident_link(actor=operator, incident_id=incident.pk, kind="rescue", target_id=sos.pk)
    task = _task(operator, incident, phu_xuan, rescue_id=f"SOS-{sos.pk}",
                 due_at=timezone.now() + dt.timedelta(hours=2))
    assert task.rescue == sos


def test_no_task_on_a_closed_incident(operator, incident, phu_xuan):
    services.incident_transition(actor=operator, incident_id=incident.pk, action="close")
    with pytest.raises(ValidationError):
        _task(operator, incident, phu_xuan)


# --- the ward-part rule -------------------------------------------------------------------------


def test_a_ward_commander_works_on_the_tasks_of_the_ward_only(operator, incident, px_commander, phu_xuan,
                                                             thuan_hoa):
    mine = _task(px_commander, incident, phu_xuan)
    assert mine.area == phu_xuan
    with pytest.raises(PermissionDeniedError):
        _task(px_commander, incident, thuan_hoa)
    with pytest.raises(PermissionDeniedError):  # city level is the city's command
        _task(px_commander, incident, None)
    theirs = _task(operator, incident, thuan_hoa)
    with pytest.raises(PermissionDeniedError):
        services.task_transition(actor=px_commander, task_id=theirs.pk, action="cancel")
    with pytest.raises(PermissionDeniedError):  # nor move its own task into another ward
        services.task_update(actor=px_commander, task_id=mine.pk, title="X", area_id=thuan_hoa.pk)


@pytest.mark.parametrize("who, allowed", [("operator", True), ("leader", True), ("hotline", False),
                                          ("officer", False), ("citizen", False), ("th_official", False)])
def test_who_may_create_a_task(request, incident, phu_xuan, who, allowed):
    user = request.getfixturevalue(who)
    if allowed:
        assert _task(user, incident, phu_xuan).pk
    else:
        with pytest.raises(PermissionDeniedError):
            _task(user, incident, phu_xuan)


# --- teams ----------------------------------------------------------------------------------------


def test_a_team_goes_along_its_chain(operator, incident, team):
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk, people=12)
    assert d.status == "requested" and d.people == 12
    for action, status in (("assign", "assigned"), ("standby", "standby"), ("mobilize", "mobilized"),
                           ("act", "in_action"), ("standby", "standby"), ("demobilize", "demobilized")):
        d = services.deployment_transition(actor=operator, deployment_id=d.pk, action=action)
        assert d.status == status
    assert Deployment.objects.get().mobilized_at is not None and d.demobilized_at is not None


@pytest.mark.parametrize("steps, illegal", [((), "mobilize"), ((), "act"), (("assign",), "act"),
                                            (("assign", "demobilize"), "assign")])
def test_illegal_team_steps_are_refused(operator, incident, team, steps, illegal):
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
    for step in steps:
        services.deployment_transition(actor=operator, deployment_id=d.pk, action=step)
    with pytest.raises(IllegalTransitionError):
        services.deployment_transition(actor=operator, deployment_id=d.pk, action=illegal)


def test_a_team_is_requested_once_and_a_stale_step_is_409(operator, incident, team):
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
    with pytest.raises(ValidationError):
        services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
    services.deployment_transition(actor=operator, deployment_id=d.pk, action="assign", expected_version=d.version)
    with pytest.raises(ConflictError):
        services.deployment_transition(actor=operator, deployment_id=d.pk, action="demobilize",
                                       expected_version=d.version)


def test_a_ward_commander_requests_teams_for_the_ward_only(incident, px_commander, team, phu_xuan, thuan_hoa):
    d = services.deployment_request(actor=px_commander, incident_id=incident.pk, team_id=team.pk,
                                    area_id=phu_xuan.pk)
    assert d.area == phu_xuan
    other = type(team).objects.create(name="Dân quân Thuận Hóa", kind="militia")
    with pytest.raises(PermissionDeniedError):
        services.deployment_request(actor=px_commander, incident_id=incident.pk, team_id=other.pk,
                                    area_id=thuan_hoa.pk)


def test_mobilising_calls_the_members_out_by_push_and_sms(operator, incident, team, phu_xuan):
    members = [User.objects.create_user(f"09050007{n:02d}", PASSWORD, full_name=f"Đội viên {n}", role=Role.CITIZEN)
               for n in range(3)]
    gone = User.objects.create_user("0905000799", PASSWORD, full_name="Đã nghỉ", role=Role.CITIZEN,
                                    is_active=False)
    team.members.add(*members, gone)
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk, area_id=phu_xuan.pk)
    services.deployment_transition(actor=operator, deployment_id=d.pk, action="assign")
    assert not Notification.objects.exists()  # no call-out before mobilising
    services.deployment_transition(actor=operator, deployment_id=d.pk, action="mobilize")
    rows = Notification.objects.filter(verb="incident_callout")
    assert {n.user_id for n in rows} == {m.pk for m in members}
    assert all(n.subject_type == "incident" and n.subject_id == incident.pk and n.reference == incident.ref
               for n in rows)
    assert all(incident.ref in n.title and team.name in n.title and phu_xuan.name in n.title for n in rows)
    ids = sorted(n.pk for n in rows)
    for kind in ("notifications.webpush", "notifications.sms"):
        row = OutboxMessage.objects.get(kind=kind)
        assert sorted(row.payload["ids"]) == ids and row.priority == 100  # life-safety first


def test_the_feed_carries_task_and_team_steps(operator, incident, phu_xuan, team):
    from opencity.lib import feed

    seen = []

    def listen(sender, happening, **kwargs):
        seen.append(happening.kind)

    feed.happened.connect(listen)
    try:
        d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
        services.deployment_transition(actor=operator, deployment_id=d.pk, action="assign")
        _task(operator, incident, phu_xuan)
    finally:
        feed.happened.disconnect(listen)
    assert {"incident.team_request", "incident.team_assign", "incident.task_create"} <= set(seen)


# --- assets ---------------------------------------------------------------------------------------


def test_an_asset_is_assigned_returned_repaired_lost_and_found_with_its_log(operator, incident, deployed):
    boat = services.asset_add(actor=operator, incident_id=incident.pk, kind="boat", name="Xuồng máy", code="TTH-01")
    boat = services.asset_transition(actor=operator, incident_id=incident.pk, asset_id=boat.pk, action="assign",
                                     deployment_id=deployed.pk)
    assert boat.status == "assigned" and boat.incident == incident and boat.deployment == deployed
    with pytest.raises(IllegalTransitionError):
        services.asset_transition(actor=operator, incident_id=incident.pk, asset_id=boat.pk, action="assign")
    for action, status in (("return", "available"), ("repair", "repair"), ("repaired", "available"),
                           ("lose", "lost"), ("found", "available")):
        boat = services.asset_transition(actor=operator, incident_id=incident.pk, asset_id=boat.pk, action=action)
        assert boat.status == status
    assert Asset.objects.get().incident is None
    events = AssetEvent.objects.filter(asset=boat).order_by("id")
    assert [e.action for e in events] == ["assign", "return", "repair", "repaired", "lose", "found"]
    assert all(e.incident_id == incident.pk for e in events)


def test_an_asset_in_use_elsewhere_or_by_a_stale_hand_is_refused(operator, incident, open_incident, px_commander):
    other = open_incident(name="Bão số 9")
    pump = services.asset_add(actor=operator, incident_id=incident.pk, kind="pump", name="Máy bơm 1")
    services.asset_transition(actor=operator, incident_id=other.pk, asset_id=pump.pk, action="assign")
    with pytest.raises(ValidationError):
        services.asset_transition(actor=operator, incident_id=incident.pk, asset_id=pump.pk, action="return")
    with pytest.raises(ConflictError):
        services.asset_transition(actor=operator, incident_id=other.pk, asset_id=pump.pk, action="return",
                                  expected_version=0)
    with pytest.raises(PermissionDeniedError):  # assets are the city command's
        services.asset_transition(actor=px_commander, incident_id=incident.pk, asset_id=pump.pk, action="return")


# --- stock ----------------------------------------------------------------------------------------


def test_stock_on_hand_never_goes_below_zero(operator, incident, phu_xuan):
    add = services.stock_add
    add(actor=operator, incident_id=incident.pk, item="water", move="need", quantity=500, area_id=phu_xuan.pk)
    add(actor=operator, incident_id=incident.pk, item="water", move="requisition", quantity=500)
    add(actor=operator, incident_id=incident.pk, item="water", move="receipt", quantity=300)
    add(actor=operator, incident_id=incident.pk, item="water", move="issue", quantity=200, area_id=phu_xuan.pk)
    assert services.stock_on_hand(incident, "water") == 100
    with pytest.raises(ValidationError) as exc:
        add(actor=operator, incident_id=incident.pk, item="water", move="issue", quantity=101, area_id=phu_xuan.pk)
    assert exc.value.field == "quantity" and "100" in exc.value.message
    with pytest.raises(ValidationError):  # another item has nothing on hand
        add(actor=operator, incident_id=incident.pk, item="food", move="issue", quantity=1, area_id=phu_xuan.pk)
    add(actor=operator, incident_id=incident.pk, item="water", move="issue", quantity=100, area_id=phu_xuan.pk)
    assert services.stock_on_hand(incident, "water") == 0


@pytest.mark.parametrize("quantity", [0, -5, "", "abc", "1.5", 10**9])
def test_stock_quantities_are_whole_numbers_from_one(operator, incident, quantity):
    with pytest.raises(ValidationError) as exc:
        services.stock_add(actor=operator, incident_id=incident.pk, item="food", move="receipt", quantity=quantity)
    assert exc.value.field == "quantity"


def test_stock_lines_are_checked_and_a_form_sent_twice_counts_once(operator, incident, px_commander, phu_xuan,
                                                                   thuan_hoa):
    with pytest.raises(ValidationError):  # issued to whom?
        services.stock_add(actor=operator, incident_id=incident.pk, item="food", move="issue", quantity=1)
    with pytest.raises(ValidationError):
        services.stock_add(actor=operator, incident_id=incident.pk, item="gold", move="receipt", quantity=1)
    with pytest.raises(PermissionDeniedError):
        services.stock_add(actor=px_commander, incident_id=incident.pk, item="food", move="need", quantity=5,
                           area_id=thuan_hoa.pk)
    for _ in range(2):
        services.stock_add(actor=px_commander, incident_id=incident.pk, item="food", move="need", quantity=5,
                           area_id=phu_xuan.pk, client_token="stock-form-token-0001")
    assert StockEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_issues_at_once_cannot_take_more_than_is_on_hand(operator, leader, open_incident, phu_xuan):
    import threading

    from django.db import connection

    incident = open_incident(active=True)
    services.stock_add(actor=operator, incident_id=incident.pk, item="life_jackets", move="receipt", quantity=10)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def issue(user):
        try:
            barrier.wait(timeout=5)
            services.stock_add(actor=user, incident_id=incident.pk, item="life_jackets", move="issue", quantity=7,
                               area_id=phu_xuan.pk)
            results[user.phone] = "issued"
        except ValidationError:
            results[user.phone] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(u,)) for u in (operator, leader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results.values()) == ["issued", "refused"]
    assert services.stock_on_hand(incident, "life_jackets") == 3
