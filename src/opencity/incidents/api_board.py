"""``/api/v1/incidents/`` for the mobile client of the command: the incidents one may see, an
incident's summary, its task board, and the steps of a task.

A ward's command sees (and acts on) its wards' part only. Every POST takes the task's
``version`` (a stale one: 409 ``conflict``) and an ``Idempotency-Key`` (a retry acts once).
No person's name or phone is in these answers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError
from opencity.lib.api import IdempotencyKey, clean_idempotency_key, errors, idempotent

from . import selectors, selectors_board, services
from .models import DeploymentStatus, Task, TaskStatus
from .permissions import access_incident

router = Router(tags=["incidents"])

MAX_TASKS = 500
READ_ERRORS = errors(401, 403, 404)
ACTION_ERRORS = errors(400, 401, 403, 404, 409, 422)


class WardOut(Schema):
    id: int
    name: str


class IncidentItemOut(Schema):
    id: int
    ref: str = Field(..., description="What people quote: SC00012.")
    name: str
    kind: str = Field(..., description="`flood`, `storm`, `landslide`, `fire`, `chemical`, `epidemic`, `other`.")
    level: int | None = Field(None, description="Natural-disaster risk level 1–5 (floods, storms, landslides).")
    status: str = Field(..., description="`monitoring`, `active` (response), `recovery`, `closed`.")
    status_label: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    is_exercise: bool = Field(..., description="A drill: excluded from the city's figures.")


class IncidentListOut(Schema):
    items: list[IncidentItemOut]


class CountOut(Schema):
    status: str
    label: str
    count: int


class PositionOut(Schema):
    lat: float
    lon: float
    at: dt.datetime


class TeamOut(Schema):
    id: int = Field(..., description="The deployment's id (use it as `deployment_id` to assign a task).")
    team_id: int
    name: str
    kind: str = Field(..., description="`rescue`, `police`, `army`, `militia`, `red_cross`, `volunteers`, "
                                       "`medical`, `other`.")
    status: str = Field(..., description="`requested`, `assigned`, `standby`, `mobilized`, `in_action`, "
                                         "`demobilized`.")
    status_label: str
    ward: WardOut | None
    people: int | None
    position: PositionOut | None = Field(None, description="The team phone's last position, if it shared one.")


class IncidentOut(IncidentItemOut):
    version: int
    wards: list[WardOut] = Field(..., description="The affected wards the caller sees.")
    tasks: list[CountOut] = Field(..., description="Tasks by board column.")
    teams: list[TeamOut]


class TaskOut(Schema):
    id: int
    title: str
    place: str
    ward: WardOut | None
    lat: float | None
    lon: float | None
    priority: int = Field(..., description="1 normal, 2 high, 3 urgent.")
    due_at: dt.datetime | None
    overdue: bool
    status: str = Field(..., description="`open` (to do), `assigned`, `in_progress`, `done`, `cancelled`.")
    status_label: str
    team: str | None = Field(None, description="The team's name.")
    deployment_id: int | None
    rescue_ref: str | None = Field(None, description="The linked rescue request, e.g. SOS-12.")
    version: int = Field(..., description="Send it back with an action: a stale one is a 409.")
    updated_at: dt.datetime


class TaskListOut(Schema):
    items: list[TaskOut]


class TaskFilters(Schema):
    status: Literal["open", "assigned", "in_progress", "done", "cancelled"] | None = None
    team: int | None = Field(None, ge=1, description="A deployment id: that team's tasks.")
    ward: int | None = Field(None, ge=1, description="A ward id.")


class TaskActionIn(Schema):
    version: int = Field(..., ge=0, description="The task's `version` as last read.")
    deployment_id: int | None = Field(None, ge=1, description="`assign` only: the team (deployment id).")
    note: str = Field("", max_length=1000)


def _ward(area) -> dict | None:
    return {"id": area.pk, "name": area.name} if area is not None else None


def _item(incident) -> dict:
    return {"id": incident.pk, "ref": incident.ref, "name": incident.name, "kind": incident.kind,
            "level": incident.level, "status": incident.status, "status_label": str(incident.get_status_display()),
            "started_at": incident.started_at, "ended_at": incident.ended_at, "is_exercise": incident.is_exercise}


def _team(d) -> dict:
    t = d.team
    position = ({"lat": t.last_lat, "lon": t.last_lon, "at": t.position_updated_at}
                if t.position_updated_at and t.last_lat is not None and t.last_lon is not None else None)
    return {"id": d.pk, "team_id": t.pk, "name": t.name, "kind": t.kind, "status": d.status,
            "status_label": str(DeploymentStatus(d.status).label), "ward": _ward(d.area), "people": d.people,
            "position": position}


def _task(task: Task) -> dict:
    return {"id": task.pk, "title": task.title, "place": task.place, "ward": _ward(task.area), "lat": task.lat,
            "lon": task.lon, "priority": task.priority, "due_at": task.due_at,
            "overdue": selectors_board.is_overdue(task), "status": task.status,
            "status_label": str(TaskStatus(task.status).label),
            "team": task.deployment.team.name if task.deployment_id else None, "deployment_id": task.deployment_id,
            "rescue_ref": task.rescue.ref if task.rescue_id else None, "version": task.version,
            "updated_at": task.updated_at}


@router.get(
    "/",
    response={200: IncidentListOut, **errors(401, 403)},
    summary="The incidents I may see",
    description="For the IOC, city leaders and the hotline: every incident; for a ward's command or a ward "
    "official: those naming them on the roster or affecting their ward. Newest first, at most 100.",
)
def incident_list(request: HttpRequest):
    if not policy.can_list_incidents(request.user):
        raise PermissionDeniedError()
    return {"items": [_item(i) for i in selectors.incident_list(user=request.user)[:100]]}


@router.get(
    "/{int:incident_id}",
    response={200: IncidentOut, **READ_ERRORS},
    summary="An incident's summary: status, wards, tasks by column, teams",
    description="A ward's command sees its wards, tasks and teams only (and the city-level teams).",
)
def incident_summary(request: HttpRequest, incident_id: int):
    incident = access_incident(request.user, incident_id)
    visible = policy.visible_ward_ids(request.user, incident)
    summary = selectors_board.board_summary(incident, visible)
    return {**_item(incident), "version": incident.version,
            "wards": [_ward(a) for a in selectors.incident_areas(incident, visible)],
            "tasks": [{"status": s, "label": str(label), "count": n} for s, label, n in summary["task_counts"]],
            "teams": [_team(d) for d in summary["deployments"]]}


@router.get(
    "/{int:incident_id}/tasks",
    response={200: TaskListOut, **errors(401, 403, 404, 422)},
    summary="The incident's task board (the tasks I may see)",
    description=f"Highest priority, then soonest due first; at most {MAX_TASKS}. A ward's command sees its "
    "wards' tasks only.",
)
def task_list(request: HttpRequest, incident_id: int, filters: Query[TaskFilters]):
    incident = access_incident(request.user, incident_id)
    visible = policy.visible_ward_ids(request.user, incident)
    qs = selectors_board.task_list(incident, visible, deployment_id=filters.team, area_id=filters.ward,
                                   statuses=[filters.status] if filters.status else None)
    return {"items": [_task(t) for t in qs[:MAX_TASKS]]}


@router.post(
    "/{int:incident_id}/tasks/{int:task_id}/{action}",
    response={200: TaskOut, **ACTION_ERRORS},
    summary="A step of a task: assign (to a team), start, done, cancel",
    description="`assign` needs `deployment_id`, a team that is with the incident. A step the task's status "
    "does not allow is a 409 `illegal_transition`; a stale `version`, a 409 `conflict`. A ward's command acts "
    "on its wards' tasks only (403).",
)
def task_action(request: HttpRequest, incident_id: int, task_id: int,
                action: Literal["assign", "start", "done", "cancel"], payload: TaskActionIn,
                idempotency_key: IdempotencyKey = None):
    incident = access_incident(request.user, incident_id)
    visible = policy.visible_ward_ids(request.user, incident)
    task = Task.objects.filter(pk=task_id, incident=incident).first()
    if task is None or (visible is not None and task.area_id not in visible):
        raise NotFoundError(_("This task does not exist."))

    def run():
        services.task_transition(actor=request.user, task_id=task.pk, action=action,
                                 deployment_id=payload.deployment_id, note=payload.note,
                                 expected_version=payload.version)
        fresh = Task.objects.select_related("area", "deployment__team", "rescue").get(pk=task.pk)
        return 200, _task(fresh)

    return Status(*idempotent(request, clean_idempotency_key(idempotency_key), run))
