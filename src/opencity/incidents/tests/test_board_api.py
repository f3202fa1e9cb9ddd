"""``/api/v1/incidents/``: the list, the summary, the task board and a task's steps — who sees
what, the version (409), idempotent retries, the error shape, and no person's data."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from opencity.incidents import services
from opencity.incidents.models import Task

pytestmark = pytest.mark.django_db

BASE = "/api/v1/incidents"


@pytest.fixture
def board(operator, incident, phu_xuan, thuan_hoa, team, citizen):
    team.members.add(citizen)
    team.last_lat, team.last_lon = 16.4637, 107.5909
    team.save()
    d = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk)
    d = services.deployment_transition(actor=operator, deployment_id=d.pk, action="assign")
    px = services.task_create(actor=operator, incident_id=incident.pk, title="Gia cố đê", area_id=phu_xuan.pk)
    th = services.task_create(actor=operator, incident_id=incident.pk, title="Sơ tán", area_id=thuan_hoa.pk)
    return {"deployment": d, "px": px, "th": th}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert set(body) == {"code", "message", "field"} and body["message"]
    if code:
        assert body["code"] == code
    return body


def test_the_list_has_the_incidents_the_caller_may_see(operator, incident, open_incident, px_commander, citizen):
    other = open_incident(name="Bão số 9")
    assert {i["id"] for i in as_user(operator).get(f"{BASE}/").json()["items"]} == {incident.pk, other.pk}
    mine = as_user(px_commander).get(f"{BASE}/").json()["items"]
    assert {i["ref"] for i in mine} == {incident.ref, other.ref}  # affects their ward (a ward official)
    error(as_user(citizen).get(f"{BASE}/"), 403)
    error(Client().get(f"{BASE}/"), 401)


def test_the_summary_counts_tasks_and_shows_teams_without_people(operator, incident, board, citizen):
    body = as_user(operator).get(f"{BASE}/{incident.pk}").json()
    assert body["ref"] == incident.ref and body["status"] == "active"
    assert {c["status"]: c["count"] for c in body["tasks"]} == {"open": 2, "assigned": 0, "in_progress": 0,
                                                                 "done": 0}
    [team] = body["teams"]
    assert team["status"] == "assigned" and team["id"] == board["deployment"].pk
    raw = json.dumps(body, ensure_ascii=False)
    assert citizen.full_name not in raw and citizen.phone not in raw and "+84905111222" not in raw
    error(as_user(operator).get(f"{BASE}/999999"), 404)
    error(as_user(citizen).get(f"{BASE}/{incident.pk}"), 403)


def test_a_ward_commander_gets_the_tasks_of_the_ward_only(operator, incident, board, px_commander):
    assert len(as_user(operator).get(f"{BASE}/{incident.pk}/tasks").json()["items"]) == 2
    items = as_user(px_commander).get(f"{BASE}/{incident.pk}/tasks").json()["items"]
    assert [t["title"] for t in items] == ["Gia cố đê"]
    url = f"{BASE}/{incident.pk}/tasks/{board['th'].pk}/cancel"
    error(post(as_user(px_commander), url, {"version": board["th"].version}), 404)


def test_the_tasks_filter_and_a_bad_filter_is_a_422(operator, incident, board, phu_xuan):
    client = as_user(operator)
    assert [t["title"] for t in client.get(f"{BASE}/{incident.pk}/tasks?ward={phu_xuan.pk}").json()["items"]] == [
        "Gia cố đê"]
    assert client.get(f"{BASE}/{incident.pk}/tasks?status=done").json()["items"] == []
    error(client.get(f"{BASE}/{incident.pk}/tasks?status=flying"), 422)


def test_a_task_step_with_the_version_a_stale_one_is_409_and_a_retry_acts_once(operator, leader, incident, board):
    task, d = board["px"], board["deployment"]
    url = f"{BASE}/{incident.pk}/tasks/{task.pk}/assign"
    client = as_user(operator)
    first = post(client, url, {"version": task.version, "deployment_id": d.pk}, HTTP_IDEMPOTENCY_KEY="k-assign-1")
    assert first.status_code == 200 and first.json()["status"] == "assigned" and first.json()["team"] == d.team.name
    again = post(client, url, {"version": task.version, "deployment_id": d.pk}, HTTP_IDEMPOTENCY_KEY="k-assign-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert Task.objects.get(pk=task.pk).events.filter(action="assign").count() == 1
    error(post(as_user(leader), f"{BASE}/{incident.pk}/tasks/{task.pk}/start", {"version": task.version}), 409,
          "conflict")
    started = post(client, f"{BASE}/{incident.pk}/tasks/{task.pk}/start", {"version": first.json()["version"]})
    assert started.status_code == 200 and started.json()["status"] == "in_progress"


def test_bad_task_steps_answer_in_the_error_shape(operator, incident, board):
    client, task = as_user(operator), board["px"]
    error(post(client, f"{BASE}/{incident.pk}/tasks/{task.pk}/start", {"version": task.version}), 409,
          "illegal_transition")
    error(post(client, f"{BASE}/{incident.pk}/tasks/{task.pk}/fly", {"version": task.version}), 422)
    error(post(client, f"{BASE}/{incident.pk}/tasks/{task.pk}/assign", {}), 422)
    error(post(client, f"{BASE}/{incident.pk}/tasks/{task.pk}/assign", {"version": task.version}), 400)
    error(post(client, f"{BASE}/{incident.pk}/tasks/999999/done", {"version": 1}), 404)
    error(client.post(f"{BASE}/{incident.pk}/tasks/{task.pk}/done", "{not json", content_type="application/json"),
          400)


def test_the_operations_are_documented():
    from opencity.api import api

    paths = api.get_openapi_schema()["paths"]
    for path, method in ((f"{BASE}/", "get"), (f"{BASE}/{{incident_id}}", "get"),
                         (f"{BASE}/{{incident_id}}/tasks", "get"),
                         (f"{BASE}/{{incident_id}}/tasks/{{task_id}}/{{action}}", "post")):
        op = paths[path][method]
        assert op["summary"] and op["description"]
        assert {str(k) for k in op["responses"]} >= {"200", "403"}


def test_a_ward_official_reads_the_wards_tasks_but_cannot_move_them(incident, board, th_official):
    client = as_user(th_official)
    assert [t["title"] for t in client.get(f"{BASE}/{incident.pk}/tasks").json()["items"]] == ["Sơ tán"]
    task = board["th"]
    error(post(client, f"{BASE}/{incident.pk}/tasks/{task.pk}/cancel", {"version": task.version}), 403)
    assert Task.objects.get(pk=task.pk).status == "open"
