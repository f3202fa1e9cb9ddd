"""The task board (ICS 204), the teams deployed and their call-out, assets and the stock book.

A ward's command creates and changes the tasks, teams and stock lines of its own ward only
(``policy.can_edit_ward_part``); the city's command all of them. Every state change goes
through the lifecycle kernel (``incidents.workflow``) under the row's ``version``: two
commanders acting on the same card at once — the second gets a 409.

Forms sent twice act once: a task's creation keeps its form token in its first event, a stock
line in its audit entry, and the same token answers with what was made the first time.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from opencity import policy
from opencity.emergency.models import RescueTeam
from opencity.errors import ValidationError
from opencity.lib.audit import audit
from opencity.lib.formtoken import already_used, clean_token
from opencity.lib.models import AuditLog
from opencity.lib.params import BadParameter, parse_coordinate, require_id
from opencity.lib.text import clean_text
from opencity.notifications import channels
from opencity.notifications.services import Subject, notify

from .. import workflow
from ..models import (
    Asset,
    AssetKind,
    Deployment,
    Incident,
    LinkKind,
    LinkState,
    OperationalPeriod,
    Shelter,
    StockEntry,
    StockItem,
    StockMove,
    Task,
    TaskPriority,
)
from ..selectors_board import WORKING_TEAM
from .common import lock, lock_incident, moment, require, ward

TASK_ACTIONS = ("assign", "start", "done", "cancel")
DEPLOYMENT_ACTIONS = ("assign", "standby", "mobilize", "act", "demobilize")
ASSET_ACTIONS = ("assign", "return", "repair", "repaired", "lose", "found")


def _open_incident(incident: Incident) -> None:
    if not incident.is_open:
        raise ValidationError(_("This incident is closed: reopen it first."), field="incident", code="closed")


def _ward_part(actor, incident: Incident, area_id: int | None) -> None:
    require(policy.can_edit_ward_part(actor, incident, area_id))


def _point(lat, lon) -> tuple[float | None, float | None]:
    if lat in (None, "") and lon in (None, ""):
        return None, None
    if lat in (None, "") or lon in (None, ""):
        raise ValidationError(_("Give both the latitude and the longitude, or neither."), field="lat")
    try:
        return parse_coordinate(lat, field="lat", limit=90), parse_coordinate(lon, field="lon", limit=180)
    except BadParameter as exc:
        raise ValidationError(exc.message, field=exc.field) from None


def _priority(value) -> int:
    try:
        value = int(value) if value not in (None, "") else TaskPriority.NORMAL
    except (TypeError, ValueError):
        value = 0
    if value not in TaskPriority.values:
        raise ValidationError(_("Choose the priority."), field="priority")
    return value


def _period(incident: Incident, period_id) -> OperationalPeriod | None:
    if period_id in (None, ""):
        return None
    try:
        pk = require_id(period_id, field="period")
    except BadParameter:
        pk = None
    period = incident.periods.filter(pk=pk).first() if pk else None
    if period is None:
        raise ValidationError(_("Choose one of the incident's operational periods."), field="period")
    return period


def _rescue(incident: Incident, rescue_id):
    """A rescue request linked to the incident (``rescue_id``: its number, with or without SOS-)."""
    if rescue_id in (None, ""):
        return None
    raw = str(rescue_id).strip().upper().removeprefix("SOS-").removeprefix("SOS").lstrip("0") or "0"
    try:
        pk = require_id(raw, field="rescue")
    except BadParameter:
        pk = None
    link = (incident.links.filter(kind=LinkKind.RESCUE, state=LinkState.LINKED, rescue_id=pk)
            .select_related("rescue").first() if pk else None)
    if link is None:
        raise ValidationError(_("Give the number of a rescue request linked to this incident (SOS-12)."),
                              field="rescue")
    return link.rescue


def _task_fields(incident: Incident, *, title, place, area_id, lat, lon, priority, due_at, period_id,
                 rescue_id) -> dict:
    lat, lon = _point(lat, lon)
    return {
        "title": clean_text(title, field="title", required=True, max_chars=200),
        "place": clean_text(place, field="place", max_chars=200),
        "area": ward(area_id, incident=incident),
        "lat": lat, "lon": lon,
        "priority": _priority(priority),
        "due_at": moment(due_at, field="due_at"),
        "period": _period(incident, period_id),
        "rescue": _rescue(incident, rescue_id),
    }


def _by_form_token(action: str, token: str | None, actor):
    """The audit entry that recorded this form token's first use, or None."""
    if token is None:
        return None
    entry = AuditLog.objects.filter(action=action, data__token=token).first()
    if entry is not None and entry.actor_id != getattr(actor, "pk", None):
        raise already_used()
    return entry


# --- tasks ----------------------------------------------------------------------------------------


@transaction.atomic
def task_create(*, actor, incident_id, title: str, place: str = "", area_id=None, lat=None, lon=None,
                priority=TaskPriority.NORMAL, due_at=None, period_id=None, rescue_id=None,
                client_token: str | None = None) -> Task:
    """A new card on the board, in one of the incident's wards (or at city level: ``area_id``
    empty, the city's command only)."""
    incident = lock_incident(incident_id)
    require(policy.can_edit_any_ward(actor, incident))
    token = clean_token(client_token)
    if (seen := _by_form_token("incident.task_create", token, actor)) is not None:
        return Task.objects.get(pk=seen.target_id)
    _open_incident(incident)
    fields = _task_fields(incident, title=title, place=place, area_id=area_id, lat=lat, lon=lon,
                          priority=priority, due_at=due_at, period_id=period_id, rescue_id=rescue_id)
    _ward_part(actor, incident, fields["area"].pk if fields["area"] else None)
    task = Task(incident=incident, created_by=actor, **fields)
    workflow.TASK.apply(task, "create", actor=actor, data={"area": task.area_id, "priority": task.priority})
    audit(actor, "incident.task_create", task, summary=task.title[:300], data={"token": token} if token else None)
    return task


@transaction.atomic
def task_update(*, actor, task_id, title: str, place: str = "", area_id=None, lat=None, lon=None,
                priority=TaskPriority.NORMAL, due_at=None, period_id=None, rescue_id=None,
                expected_version: int | None = None) -> Task:
    """Change what, where and by when (not the status): both the ward it was in and the ward
    it moves to must be the editor's."""
    task = lock(Task, task_id, message=_("This task does not exist."))
    incident = task.incident
    _ward_part(actor, incident, task.area_id)
    _open_incident(incident)
    fields = _task_fields(incident, title=title, place=place, area_id=area_id, lat=lat, lon=lon,
                          priority=priority, due_at=due_at, period_id=period_id, rescue_id=rescue_id)
    _ward_part(actor, incident, fields["area"].pk if fields["area"] else None)
    if task.deployment_id and fields["area"] and task.deployment.area_id not in (None, fields["area"].pk):
        raise ValidationError(_("The team of this task works in another ward: assign it again first."),
                              field="area_id")
    workflow.TASK.apply(task, "update", actor=actor, changes=fields, expected_version=expected_version,
                        data={"area": fields["area"].pk if fields["area"] else None})
    return task


def _working_team(incident: Incident, deployment_id) -> Deployment:
    try:
        pk = require_id(deployment_id, field="deployment")
    except BadParameter:
        pk = None
    deployment = (incident.deployments.select_related("team").filter(pk=pk).first() if pk else None)
    if deployment is None:
        raise ValidationError(_("Choose one of the incident's teams."), field="deployment")
    if deployment.status not in WORKING_TEAM:
        raise ValidationError(_("This team is not with the incident now (%(status)s).") % {
            "status": deployment.get_status_display()}, field="deployment")
    return deployment


@transaction.atomic
def task_transition(*, actor, task_id, action: str, deployment_id=None, note: str = "",
                    expected_version: int | None = None) -> Task:
    """Assign the task to a team (or another one), start it, mark it done, or cancel it."""
    task = lock(Task, task_id, message=_("This task does not exist."))
    incident = task.incident
    _ward_part(actor, incident, task.area_id)
    if action not in TASK_ACTIONS:
        raise ValidationError(_("Unknown action."), field="action")
    _open_incident(incident)
    workflow.TASK.check(task, action)  # an illegal step is refused as such, before its details
    changes, data = {}, {}
    if action == "assign":
        deployment = _working_team(incident, deployment_id)
        if deployment.area_id not in (None, task.area_id) and \
                not policy.can_edit_ward_part(actor, incident, deployment.area_id):
            raise ValidationError(_("This team works in another ward."), field="deployment")
        changes["deployment"] = deployment
        data = {"team": deployment.team.name, "deployment": deployment.pk}
    if action in ("start", "done") and task.deployment_id is None:
        raise ValidationError(_("Assign the task to a team first."), field="deployment")
    workflow.TASK.apply(task, action, actor=actor, changes=changes, data=data, expected_version=expected_version,
                        note=clean_text(note, field="note", max_chars=1000))
    return task


# --- teams ----------------------------------------------------------------------------------------


@transaction.atomic
def deployment_request(*, actor, incident_id, team_id, area_id=None, people=None) -> Deployment:
    """Ask a team (rescue, police, army, militia, Red Cross, volunteers, medical…) for the
    incident, for one of its wards or the whole city."""
    incident = lock_incident(incident_id)
    require(policy.can_edit_any_ward(actor, incident))
    _open_incident(incident)
    try:
        pk = require_id(team_id, field="team")
    except BadParameter:
        pk = None
    team = RescueTeam.objects.filter(pk=pk).first() if pk else None
    if team is None:
        raise ValidationError(_("Choose a team."), field="team")
    area = ward(area_id, incident=incident)
    _ward_part(actor, incident, area.pk if area else None)
    if people not in (None, ""):
        try:
            people = int(people)
        except (TypeError, ValueError):
            people = 0
        if not 1 <= people <= 5000:
            raise ValidationError(_("The number of people is from 1 to 5000."), field="people")
    else:
        people = None
    if incident.deployments.filter(team=team).exists():
        raise ValidationError(_("This team is already on the incident's list."), field="team", code="duplicate")
    deployment = Deployment(incident=incident, team=team, area=area, people=people)
    workflow.DEPLOYMENT.apply(deployment, "request", actor=actor,
                              data={"team": team.name, "kind": team.kind, "area": deployment.area_id})
    audit(actor, "incident.team_request", deployment, summary=team.name[:300])
    return deployment


def _callout(deployment: Deployment) -> int:
    """Call the team's members out: urgent, by web push and SMS (the title is the text)."""
    incident, team = deployment.incident, deployment.team
    where = deployment.area.name if deployment.area_id else ""

    def title() -> str:
        text = _("CALL-OUT %(ref)s %(incident)s: %(team)s is mobilised") % {
            "ref": incident.ref, "incident": incident.name, "team": team.name}
        if where:
            text += " — " + _("to %(ward)s") % {"ward": where}
        return text + ". " + _("Report to your commander now.")

    rows = notify(team.members.filter(is_active=True), verb="incident_callout", title=lazy(title, str)(),
                  url=reverse("emergency:team"), subject=Subject("incident", incident.pk, incident.ref),
                  via=(channels.WEBPUSH, channels.SMS), urgent=True, tag=f"callout-{deployment.pk}")
    return len(rows)


@transaction.atomic
def deployment_transition(*, actor, deployment_id, action: str, note: str = "",
                          expected_version: int | None = None) -> Deployment:
    """Move a team along requested → assigned → standby → mobilised → in action → demobilised.
    Mobilising is the call-out: each member is told at once, by push and SMS."""
    deployment = lock(Deployment, deployment_id, message=_("This team is not in the incident."))
    incident = deployment.incident
    _ward_part(actor, incident, deployment.area_id)
    if action not in DEPLOYMENT_ACTIONS:
        raise ValidationError(_("Unknown action."), field="action")
    if action != "demobilize":
        _open_incident(incident)
    workflow.DEPLOYMENT.apply(deployment, action, actor=actor, expected_version=expected_version,
                              note=clean_text(note, field="note", max_chars=1000), data={"team": deployment.team.name})
    if action == "mobilize":
        called = _callout(deployment)
        audit(actor, "incident.team_callout", deployment, summary=deployment.team.name[:300],
              data={"members": called})
    return deployment


# --- assets ---------------------------------------------------------------------------------------


@transaction.atomic
def asset_add(*, actor, incident_id, kind: str, name: str, code: str = "") -> Asset:
    """Put a boat, truck, pump or generator on the list (from an incident's resources page)."""
    incident = lock_incident(incident_id)
    require(policy.can_command_incident(actor, incident))
    if kind not in AssetKind.values:
        raise ValidationError(_("Choose the type."), field="kind")
    asset = Asset.objects.create(kind=kind, name=clean_text(name, field="name", required=True, max_chars=120),
                                 code=clean_text(code, field="code", max_chars=40))
    audit(actor, "incident.asset_add", asset, summary=str(asset)[:300])
    return asset


@transaction.atomic
def asset_transition(*, actor, incident_id, asset_id, action: str, deployment_id=None, note: str = "",
                     expected_version: int | None = None) -> Asset:
    """Assign an asset to the incident (and a team of it), return it, send it for repair,
    repaired, report it lost, found — each step in its log, with the incident."""
    incident = lock_incident(incident_id)
    require(policy.can_command_incident(actor, incident))
    asset = lock(Asset, asset_id, message=_("This asset does not exist."))
    if action not in ASSET_ACTIONS:
        raise ValidationError(_("Unknown action."), field="action")
    if asset.incident_id not in (None, incident.pk):
        raise ValidationError(_("This asset is in use for another incident."), field="asset", code="elsewhere")
    changes: dict = {}
    data: dict = {}
    if action == "assign":
        _open_incident(incident)
        changes["incident"] = incident
        changes["deployment"] = None
        if deployment_id not in (None, ""):
            deployment = _working_team(incident, deployment_id)
            changes["deployment"] = deployment
            data["team"] = deployment.team.name
    elif action in ("return", "repair", "lose"):
        changes["incident"], changes["deployment"] = None, None
    workflow.ASSET.apply(asset, action, actor=actor, changes=changes, expected_version=expected_version,
                         note=clean_text(note, field="note", max_chars=1000), data=data, incident=incident)
    audit(actor, f"incident.asset_{action}", asset, summary=str(asset)[:300], data={"incident": incident.pk})
    return asset


# --- stock ----------------------------------------------------------------------------------------


def stock_on_hand(incident: Incident, item: str) -> int:
    """Received − issued of one item in the incident's stock book."""
    totals = dict(incident.stock.filter(item=item, move__in=(StockMove.RECEIPT, StockMove.ISSUE))
                  .values_list("move").annotate(n=Sum("quantity")).values_list("move", "n"))
    return (totals.get(StockMove.RECEIPT) or 0) - (totals.get(StockMove.ISSUE) or 0)


def _quantity(value) -> int:
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= 10_000_000:
        raise ValidationError(_("The quantity is a whole number from 1."), field="quantity")
    return quantity


@transaction.atomic
def stock_add(*, actor, incident_id, item: str, move: str, quantity, area_id=None, shelter_id=None,
              note: str = "", client_token: str | None = None) -> StockEntry:
    """One line of the stock book: a need reported, a requisition, goods received, goods issued
    to a ward or a shelter. An issue larger than what is on hand is refused."""
    incident = lock_incident(incident_id)  # one writer at a time: on hand cannot go below zero
    require(policy.can_edit_any_ward(actor, incident))
    token = clean_token(client_token)
    if (seen := _by_form_token("incident.stock", token, actor)) is not None:
        return StockEntry.objects.get(pk=seen.target_id)
    _open_incident(incident)
    if item not in StockItem.values:
        raise ValidationError(_("Choose the item."), field="item")
    if move not in StockMove.values:
        raise ValidationError(_("Choose the kind of entry."), field="move")
    quantity = _quantity(quantity)
    shelter = None
    if shelter_id not in (None, ""):
        try:
            pk = require_id(shelter_id, field="shelter")
        except BadParameter:
            pk = None
        shelter = Shelter.objects.filter(pk=pk, incident=incident).first() if pk else None
        if shelter is None:
            raise ValidationError(_("Choose a shelter opened for this incident."), field="shelter")
    area = shelter.area if shelter is not None else ward(area_id, incident=incident)
    if area is not None and not incident.areas.filter(pk=area.pk).exists():
        raise ValidationError(_("Choose one of the incident's wards."), field="area")
    _ward_part(actor, incident, area.pk if area else None)
    if move in (StockMove.NEED, StockMove.ISSUE) and area is None:
        raise ValidationError(_("Say which ward or shelter it is for."), field="area")
    if move == StockMove.ISSUE:
        on_hand = stock_on_hand(incident, item)
        if quantity > on_hand:
            raise ValidationError(
                _("Only %(on_hand)d of “%(item)s” on hand: you cannot issue %(quantity)d.") % {
                    "on_hand": on_hand, "item": StockItem(item).label, "quantity": quantity},
                field="quantity", code="not_enough")
    entry = StockEntry.objects.create(incident=incident, item=item, move=move, quantity=quantity, area=area,
                                      shelter=shelter, note=clean_text(note, field="note", max_chars=300),
                                      actor=actor)
    audit(actor, "incident.stock", entry, summary=f"{move} {item} {quantity}",
          data={"incident": incident.pk, **({"token": token} if token else {})})
    return entry
