"""The board and resources pages: who sees and does what (the ward-part matrix), the forms,
stale buttons and bad input (4xx, never a 500)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from opencity.incidents import services
from opencity.incidents.models import Deployment, StockEntry, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(operator, incident, phu_xuan, thuan_hoa):
    return {
        "px": services.task_create(actor=operator, incident_id=incident.pk, title="Gia cố đê Phú Xuân",
                                   area_id=phu_xuan.pk, priority=3),
        "th": services.task_create(actor=operator, incident_id=incident.pk, title="Sơ tán hộ dân Thuận Hóa",
                                   area_id=thuan_hoa.pk,
                                   due_at=timezone.now() - dt.timedelta(hours=1)),
    }


def _url(name, incident, *args):
    return reverse(f"incidents:{name}", args=[incident.pk, *args])


@pytest.mark.parametrize("who, status", [("operator", 200), ("leader", 200), ("hotline", 200), ("px_commander", 200),
                                         ("officer", 403), ("citizen", 403)])
def test_who_sees_the_board_and_the_resources(client, request, incident, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url("board", incident)).status_code == status
    assert client.get(_url("resources", incident)).status_code == status


def test_a_visitor_is_sent_to_sign_in(client, incident):
    response = client.get(_url("board", incident))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_board_shows_columns_overdue_and_the_ward_commander_sees_the_ward_only(client, operator, incident,
                                                                                   tasks, px_commander):
    client.force_login(operator)
    page = client.get(_url("board", incident)).content.decode()
    assert "Gia cố đê Phú Xuân" in page and "Sơ tán hộ dân Thuận Hóa" in page
    assert 'data-testid="task-overdue"' in page
    client.force_login(px_commander)
    page = client.get(_url("board", incident)).content.decode()
    assert "Gia cố đê Phú Xuân" in page and "Sơ tán hộ dân Thuận Hóa" not in page
    # the other ward's card does not exist for them, not even by its number
    th = tasks["th"]
    assert client.post(_url("task_action", incident, th.pk), {"action": "cancel"}).status_code == 404
    assert client.get(_url("task_edit", incident, th.pk)).status_code == 404


def test_the_board_filters_by_ward_and_team_and_refuses_a_bad_filter(client, operator, incident, tasks, phu_xuan):
    client.force_login(operator)
    page = client.get(_url("board", incident), {"area": phu_xuan.pk}).content.decode()
    assert "Gia cố đê Phú Xuân" in page and "Sơ tán hộ dân Thuận Hóa" not in page
    assert client.get(_url("board", incident), {"area": "x"}).status_code == 400
    assert client.get(_url("board", incident), {"team": "9" * 30}).status_code == 400


def test_the_incident_page_shows_the_boards_part(client, operator, incident, tasks):
    client.force_login(operator)
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert 'data-testid="board-part"' in page and _url("board", incident) in page
    assert 'data-testid="board-overdue"' in page and "Sơ tán hộ dân Thuận Hóa" in page


def test_a_task_is_created_from_the_form_once(client, operator, incident, phu_xuan):
    client.force_login(operator)
    form = {"title": "Sơ tán thôn 3", "place": "Thôn 3", "area": phu_xuan.pk, "priority": "2",
            "due_at": "06/12/2026 18:00", "client_token": "task-form-token-000009"}
    assert client.post(_url("task_new", incident), form).status_code == 302
    assert client.post(_url("task_new", incident), form).status_code == 302  # a double tap
    task = Task.objects.get()
    assert task.area == phu_xuan and task.priority == 2
    assert timezone.localtime(task.due_at).strftime("%d/%m/%Y %H:%M") == "06/12/2026 18:00"


def test_a_bad_task_form_is_shown_again_with_a_400(client, operator, incident, phu_xuan):
    client.force_login(operator)
    for form in ({"title": "", "area": phu_xuan.pk, "priority": "1"},
                 {"title": "X", "area": phu_xuan.pk, "priority": "1", "due_at": "32/13/2026"},
                 {"title": "X", "area": phu_xuan.pk, "priority": "1", "rescue": "SOS-404"},
                 {"title": "X", "area": "999999", "priority": "1"}):
        response = client.post(_url("task_new", incident), form)
        assert response.status_code == 400, form
        assert response.context["task_form"].errors
    assert not Task.objects.exists()


@pytest.mark.parametrize("who, ward, status", [
    ("operator", "px", 302), ("operator", "th", 302), ("leader", "th", 302), ("px_commander", "px", 302),
    ("px_commander", "th", 400), ("hotline", "px", 403), ("th_official", "th", 403)])
def test_the_ward_part_matrix_for_creating_a_task(client, request, incident, px_commander, phu_xuan, thuan_hoa,
                                                  who, ward, status):
    client.force_login(request.getfixturevalue(who))
    area = phu_xuan if ward == "px" else thuan_hoa
    response = client.post(_url("task_new", incident), {"title": "Kiểm tra đê", "area": area.pk, "priority": "1"})
    # 400: a ward the form does not offer them (another ward's part); 403: no part to edit at all
    assert response.status_code == status
    assert Task.objects.filter(title="Kiểm tra đê").exists() == (status == 302)


def test_task_buttons_and_a_stale_one(client, operator, leader, incident, tasks, team):
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
    services.deployment_transition(actor=operator, deployment_id=d.pk, action="assign")
    task = tasks["px"]
    client.force_login(operator)
    url = _url("task_action", incident, task.pk)
    assert client.post(url, {"action": "assign", "deployment": d.pk, "version": task.version}).status_code == 302
    assert client.post(url, {"action": "start", "version": task.version}).status_code == 409  # stale
    assert client.post(url, {"action": "start", "version": task.version + 1}).status_code == 302
    assert client.post(url, {"action": "fly"}).status_code == 400
    assert client.post(url, {"action": "assign", "deployment": "abc"}).status_code in (400, 409)
    assert client.get(url).status_code == 405
    assert Task.objects.get(pk=task.pk).status == "in_progress"
    page = client.get(_url("board", incident)).content.decode()
    assert 'data-status="in_progress"' in page


def test_editing_a_task_and_a_second_editor_gets_409(client, operator, leader, incident, tasks, phu_xuan):
    task = tasks["px"]
    form = {"title": "Gia cố đê bao", "area": phu_xuan.pk, "priority": "3", "version": task.version}
    client.force_login(operator)
    assert client.get(_url("task_edit", incident, task.pk)).status_code == 200
    assert client.post(_url("task_edit", incident, task.pk), form).status_code == 302
    client.force_login(leader)
    assert client.post(_url("task_edit", incident, task.pk), {**form, "title": "Khác"}).status_code == 409
    assert Task.objects.get(pk=task.pk).title == "Gia cố đê bao"


def test_the_team_chain_from_the_page_with_the_call_out(client, operator, incident, team, citizen):
    from opencity.notifications.models import Notification

    team.members.add(citizen)
    client.force_login(operator)
    assert client.post(_url("team_new", incident), {"team": team.pk, "area": "", "people": "8"}).status_code == 302
    d = Deployment.objects.get()
    url = _url("team_action", incident, d.pk)
    for action in ("assign", "mobilize"):
        d.refresh_from_db()
        assert client.post(url, {"action": action, "version": d.version}).status_code == 302
    assert Deployment.objects.get().status == "mobilized"
    assert Notification.objects.filter(user=citizen, verb="incident_callout").count() == 1
    assert client.post(url, {"action": "mobilize"}).status_code == 409  # already mobilised
    assert client.post(_url("team_new", incident), {"team": "abc"}).status_code == 400
    assert client.post(_url("team_action", incident, 999999), {"action": "assign"}).status_code == 404


def test_a_ward_commander_cannot_move_another_wards_team(client, operator, incident, team, px_commander,
                                                         thuan_hoa):
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk, area_id=thuan_hoa.pk)
    client.force_login(px_commander)
    assert client.post(_url("team_action", incident, d.pk), {"action": "assign"}).status_code == 404
    assert Deployment.objects.get().status == "requested"


def test_stock_from_the_page_and_an_issue_beyond_on_hand_is_a_400(client, operator, incident, phu_xuan):
    client.force_login(operator)
    url = _url("stock_new", incident)
    assert client.post(url, {"item": "food", "move": "receipt", "quantity": "50"}).status_code == 302
    response = client.post(url, {"item": "food", "move": "issue", "quantity": "60", "area": phu_xuan.pk})
    assert response.status_code == 400
    assert "50" in " ".join(response.context["stock_form"].errors["quantity"])
    assert client.post(url, {"item": "food", "move": "issue", "quantity": "0", "area": phu_xuan.pk}).status_code == 400
    assert client.post(url, {"item": "food", "move": "issue", "quantity": "20", "area": phu_xuan.pk}).status_code == 302
    assert StockEntry.objects.count() == 2
    page = client.get(_url("resources", incident)).content.decode()
    assert 'data-item="food"' in page and ">30<" in page


def test_assets_from_the_page(client, operator, incident, px_commander):
    client.force_login(operator)
    assert client.post(_url("asset_new", incident), {"kind": "boat", "name": "Xuồng cứu hộ", "code": "01"}).status_code == 302
    from opencity.incidents.models import Asset

    boat = Asset.objects.get()
    url = _url("asset_action", incident, boat.pk)
    assert client.post(url, {"action": "assign", "version": boat.version}).status_code == 302
    assert client.post(url, {"action": "assign", "version": boat.version}).status_code == 409
    assert Asset.objects.get().status == "assigned"
    assert client.post(_url("asset_new", incident), {"kind": "ufo", "name": ""}).status_code == 400
    client.force_login(px_commander)
    assert client.post(url, {"action": "return"}).status_code == 403
    assert client.post(_url("asset_action", incident, 999999), {"action": "return"}).status_code == 404


def test_a_reader_sees_the_board_without_forms_or_buttons(client, operator, hotline, incident, tasks, team):
    services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
    client.force_login(hotline)
    page = client.get(_url("board", incident)).content.decode()
    assert "Gia cố đê Phú Xuân" in page and team.name in page
    assert 'data-testid="task-form"' not in page and 'data-testid="team-form"' not in page
    assert "data-action=" not in page
    assert client.post(_url("task_new", incident), {"title": "X", "priority": "1"}).status_code == 403
    assert client.post(_url("stock_new", incident), {"item": "food", "move": "receipt", "quantity": "1"}).status_code == 403


def test_after_closing_tasks_are_read_only_and_teams_can_go_home(client, operator, incident, tasks, team):
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
    services.deployment_transition(actor=operator, deployment_id=d.pk, action="assign")
    services.incident_transition(actor=operator, incident_id=incident.pk, action="close")
    client.force_login(operator)
    page = client.get(_url("board", incident)).content.decode()
    assert 'data-testid="task-form"' not in page
    assert set(re.findall(r'data-action="(\w+)"', page)) == {"demobilize"}
    task = tasks["px"]
    assert client.post(_url("task_action", incident, task.pk), {"action": "cancel"}).status_code == 400
    assert client.post(_url("team_action", incident, d.pk), {"action": "demobilize"}).status_code == 302
