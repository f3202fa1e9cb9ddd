"""Incidents: open (from scratch, from a warning, from a cluster of rescue requests), change
status and details, link what belongs to them, the command roster and operational periods."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.alerts.models import Alert, EventType
from opencity.emergency.models import RescueRequest
from opencity.errors import ConflictError, NotFoundError, ValidationError
from opencity.geo import selectors as geo
from opencity.hotline.models import Call
from opencity.lib.audit import audit
from opencity.lib.formtoken import already_used, clean_token
from opencity.lib.params import BadParameter, require_id
from opencity.lib.text import clean_text
from opencity.reports.models import Report

from .. import workflow
from ..models import (
    LEVELLED_TYPES,
    CommandRole,
    Incident,
    IncidentLink,
    IncidentType,
    LinkKind,
    LinkState,
    OperationalPeriod,
    RosterEntry,
)
from .common import lock_incident, moment, require, ward

# A warning's hazard → the incident type it opens.
ALERT_TYPES = {
    EventType.FLOOD: IncidentType.FLOOD, EventType.HEAVY_RAIN: IncidentType.FLOOD,
    EventType.DAM_RELEASE: IncidentType.FLOOD, EventType.STORM: IncidentType.STORM,
    EventType.LANDSLIDE: IncidentType.LANDSLIDE, EventType.EPIDEMIC: IncidentType.EPIDEMIC,
}
LINK_MODELS = {LinkKind.ALERT: Alert, LinkKind.RESCUE: RescueRequest, LinkKind.CALL: Call, LinkKind.REPORT: Report}
MAX_RESCUES_AT_ONCE = 500


def _kind(value) -> str:
    if value not in IncidentType.values:
        raise ValidationError(_("Choose the type of incident."), field="kind")
    return value


def _level(kind: str, value) -> int | None:
    if value in (None, ""):
        return None
    if kind not in LEVELLED_TYPES:
        raise ValidationError(_("Only floods, storms and landslides have a risk level."), field="level")
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 5:
        raise ValidationError(_("The risk level is from 1 to 5."), field="level")
    return level


def _wards(area_ids) -> list:
    ids = []
    for raw in area_ids or ():
        try:
            ids.append(require_id(raw, field="areas"))
        except BadParameter:
            raise ValidationError(_("Choose the affected wards and communes."), field="areas") from None
    areas = list(geo.wards().filter(pk__in=set(ids)))
    if not areas or len(areas) != len(set(ids)):
        raise ValidationError(_("Choose the affected wards and communes."), field="areas")
    return areas


def _by_token(token: str | None, actor) -> Incident | None:
    if token is None:
        return None
    found = Incident.objects.filter(client_token=token).first()
    if found is not None and found.created_by_id != getattr(actor, "pk", None):
        raise already_used()
    return found


@transaction.atomic
def incident_open(*, actor, kind: str, name: str, area_ids, level=None, description: str = "",
                  started_at: dt.datetime | None = None, is_exercise: bool = False, active: bool = False,
                  source_alert: Alert | None = None, client_token: str | None = None) -> Incident:
    """Open an incident (monitoring, or straight into response with ``active``). The same form
    sent twice (``client_token``) opens it once."""
    require(policy.can_open_incident(actor))
    token = clean_token(client_token)
    if (existing := _by_token(token, actor)) is not None:
        return existing
    kind = _kind(kind)
    incident = Incident(
        kind=kind, name=clean_text(name, field="name", required=True, max_chars=200),
        level=_level(kind, level), description=clean_text(description, field="description", max_chars=4000),
        started_at=moment(started_at, field="started_at") or timezone.now(), is_exercise=bool(is_exercise),
        source_alert=source_alert, created_by=actor, client_token=token,
    )
    areas = _wards(area_ids)
    try:
        with transaction.atomic():
            workflow.INCIDENT.apply(incident, "open_active" if active else "open", actor=actor,
                                    data={"kind": kind, "areas": [a.pk for a in areas], "exercise": incident.is_exercise})
    except IntegrityError:  # the same token, sent twice at once
        if (existing := _by_token(token, actor)) is not None:
            return existing
        raise
    incident.areas.set(areas)
    audit(actor, "incident.open", incident, summary=incident.name[:300])
    return incident


@transaction.atomic
def incident_from_alert(*, actor, alert_id, active: bool = False, client_token: str | None = None) -> Incident:
    """One action: the warning's hazard, headline and wards become an incident it is linked to."""
    require(policy.can_open_incident(actor))
    alert = Alert.objects.select_related("latest").filter(pk=require_id(alert_id, field="alert")).first()
    if alert is None or alert.latest is None:
        raise NotFoundError(_("This warning does not exist."))
    message = alert.latest
    areas = list(geo.wards().values_list("pk", flat=True)) if message.whole_city else \
        list(message.areas.values_list("pk", flat=True))
    kind = ALERT_TYPES.get(message.event, IncidentType.OTHER)
    incident = incident_open(actor=actor, kind=kind, name=message.headline_vi, area_ids=areas,
                             description=message.description_vi, started_at=min(message.effective, timezone.now()),
                             active=active, source_alert=alert, client_token=client_token)
    if not incident.links.filter(alert=alert).exists():
        _link(incident, LinkKind.ALERT, alert, actor=actor)
    return incident


@transaction.atomic
def incident_from_rescues(*, actor, rescue_ids, kind: str = IncidentType.FLOOD, name: str = "",
                          client_token: str | None = None) -> Incident:
    """One action: a cluster of rescue requests becomes an incident in response, over their
    wards and from the first of them, with all of them linked."""
    require(policy.can_open_incident(actor))
    ids = {require_id(raw, field="rescues") for raw in rescue_ids or ()}
    if not ids or len(ids) > MAX_RESCUES_AT_ONCE:
        raise ValidationError(_("Choose the rescue requests to group."), field="rescues")
    rescues = list(RescueRequest.objects.filter(pk__in=ids).order_by("created_at"))
    if len(rescues) != len(ids):
        raise NotFoundError(_("One of these rescue requests does not exist."))
    areas = sorted({r.area_id for r in rescues if r.area_id})
    if not areas:
        raise ValidationError(_("None of these requests is placed in a ward: open the incident by hand."),
                              field="rescues")
    name = name or _("Rescue requests from %(date)s") % {
        "date": timezone.localtime(rescues[0].created_at).strftime("%d/%m/%Y")}
    incident = incident_open(actor=actor, kind=kind, name=name, area_ids=areas, started_at=rescues[0].created_at,
                             active=True, client_token=client_token)
    have = set(incident.links.filter(kind=LinkKind.RESCUE).values_list("rescue_id", flat=True))
    for rescue in rescues:
        if rescue.pk not in have:
            _link(incident, LinkKind.RESCUE, rescue, actor=actor)
    return incident


@transaction.atomic
def incident_transition(*, actor, incident_id, action: str, note: str = "",
                        expected_version: int | None = None) -> Incident:
    """Move the incident along monitoring → response → recovery → closed (or reopen it)."""
    incident = lock_incident(incident_id)
    require(policy.can_command_incident(actor, incident))
    if action not in ("activate", "recover", "close", "reopen"):
        raise ValidationError(_("Unknown action."), field="action")
    changes = {"ended_at": None} if action == "reopen" else None
    workflow.INCIDENT.apply(incident, action, actor=actor, note=clean_text(note, field="note", max_chars=1000),
                            changes=changes, expected_version=expected_version)
    audit(actor, f"incident.{action}", incident)
    return incident


@transaction.atomic
def incident_update(*, actor, incident_id, name: str, level=None, description: str = "", area_ids=None,
                    is_exercise: bool | None = None, expected_version: int | None = None) -> Incident:
    incident = lock_incident(incident_id)
    require(policy.can_command_incident(actor, incident))
    changes = {"name": clean_text(name, field="name", required=True, max_chars=200),
               "level": _level(incident.kind, level),
               "description": clean_text(description, field="description", max_chars=4000)}
    if is_exercise is not None:
        changes["is_exercise"] = bool(is_exercise)
    areas = _wards(area_ids) if area_ids is not None else None
    before = {"level": incident.level, "areas": sorted(incident.areas.values_list("pk", flat=True))}
    workflow.INCIDENT.apply(incident, "update", actor=actor, changes=changes, expected_version=expected_version,
                            data={"before": before, "level": changes["level"],
                                  "areas": sorted(a.pk for a in areas) if areas is not None else before["areas"]})
    if areas is not None:
        incident.areas.set(areas)
    audit(actor, "incident.update", incident)
    return incident


# --- links ----------------------------------------------------------------------------------------


def _link(incident: Incident, kind: str, target, *, actor, state: str = LinkState.LINKED) -> IncidentLink:
    link = IncidentLink.objects.create(incident=incident, kind=kind, **{kind: target}, state=state,
                                       decided_by=actor if state != LinkState.PROPOSED else None,
                                       decided_at=timezone.now() if state != LinkState.PROPOSED else None)
    if state == LinkState.LINKED:
        workflow.INCIDENT.apply(incident, "link", actor=actor, data={"kind": kind, "id": target.pk,
                                                                     "ref": getattr(target, "ref", str(target.pk))})
        _propose_calls_behind(incident, kind, target)
    return link


def _propose_calls_behind(incident: Incident, kind: str, target) -> None:
    """A call has no ward of its own: the hotline calls behind a rescue request or a field
    report just linked (those that filed or followed it) are proposed with it."""
    if kind == LinkKind.RESCUE:
        calls = Call.objects.filter(rescue_requests=target)
    elif kind == LinkKind.REPORT:
        calls = Call.objects.filter(reports=target)
    else:
        return
    for call in calls.exclude(pk__in=incident.links.filter(kind=LinkKind.CALL).values("call_id")):
        IncidentLink.objects.create(incident=incident, kind=LinkKind.CALL, call=call, state=LinkState.PROPOSED)


@transaction.atomic
def incident_link(*, actor, incident_id, kind: str, target_id) -> IncidentLink:
    """Link a warning, rescue request, hotline call or field report (or accept a proposal)."""
    incident = lock_incident(incident_id)
    require(policy.can_command_incident(actor, incident))
    model = LINK_MODELS.get(kind)
    if model is None:
        raise ValidationError(_("Choose what to link."), field="kind")
    target = model.objects.filter(pk=require_id(target_id, field="target")).first()
    if target is None:
        raise NotFoundError(_("There is nothing with this number to link."))
    link = incident.links.filter(**{kind: target}).first()
    if link is None:
        return _link(incident, kind, target, actor=actor)
    if link.state != LinkState.LINKED:
        link.state, link.decided_by, link.decided_at = LinkState.LINKED, actor, timezone.now()
        link.save(update_fields=["state", "decided_by", "decided_at"])
        workflow.INCIDENT.apply(incident, "link", actor=actor, data={"kind": kind, "id": target.pk,
                                                                     "ref": getattr(target, "ref", str(target.pk))})
        _propose_calls_behind(incident, kind, target)
    return link


@transaction.atomic
def incident_link_decide(*, actor, link_id, accept: bool) -> IncidentLink:
    """Say yes (linked) or no (not related) to a proposed link."""
    link = IncidentLink.objects.select_for_update().filter(pk=require_id(link_id, field="link")).first()
    if link is None:
        raise NotFoundError()
    incident = lock_incident(link.incident_id)
    require(policy.can_command_incident(actor, incident))
    if accept:
        return incident_link(actor=actor, incident_id=incident.pk, kind=link.kind, target_id=link.target.pk)
    if link.state == LinkState.LINKED:
        workflow.INCIDENT.apply(incident, "unlink", actor=actor, data={"kind": link.kind, "id": link.target.pk})
    link.state, link.decided_by, link.decided_at = LinkState.DISMISSED, actor, timezone.now()
    link.save(update_fields=["state", "decided_by", "decided_at"])
    return link


def incident_propose(*, kind: str, target, area_id: int | None, at: dt.datetime) -> int:
    """Propose ``target`` (just arrived) for linking to every open incident of its ward and
    period; returns how many proposals were made. Runs in the arrival's transaction (the feed
    subscriber, ``incidents/feed.py``); an exercise gets proposals like a real incident."""
    if area_id is None:
        return 0
    open_here = Incident.objects.filter(status__in=workflow.INCIDENT_OPEN, areas__id=area_id, started_at__lte=at)
    made = 0
    for incident in open_here.exclude(**{f"links__{kind}": target}).distinct():
        IncidentLink.objects.create(incident=incident, kind=kind, **{kind: target}, state=LinkState.PROPOSED)
        made += 1
    return made


# --- roster and periods ------------------------------------------------------------------------------


@transaction.atomic
def roster_add(*, actor, incident_id, user_id, position: str, area_id=None, section: str = "") -> RosterEntry:
    incident = lock_incident(incident_id)
    require(policy.can_command_incident(actor, incident))
    if position not in CommandRole.values:
        raise ValidationError(_("Choose a position."), field="position")
    person = get_user_model().objects.filter(pk=require_id(user_id, field="user"), is_active=True).first()
    if person is None or not policy.is_staff(person):
        raise ValidationError(_("Choose a staff member."), field="user")
    area = ward(area_id, incident=incident)
    if position == CommandRole.COMMANDER and incident.roster.filter(position=position, area=area).exists():
        raise ConflictError(_("This command already has a commander: remove them first."), code="commander_taken")
    try:
        with transaction.atomic():
            entry = RosterEntry.objects.create(incident=incident, user=person, position=position, area=area,
                                               section=clean_text(section, field="section", max_chars=80),
                                               added_by=actor)
    except IntegrityError:
        raise ConflictError(_("This person is already on this command."), code="roster_duplicate") from None
    workflow.INCIDENT.apply(incident, "roster", actor=actor,
                            data={"added": person.pk, "position": position, "area": area.pk if area else None})
    audit(actor, "incident.roster_add", incident, data={"user": person.pk, "position": position})
    return entry


@transaction.atomic
def roster_remove(*, actor, entry_id) -> None:
    entry = RosterEntry.objects.filter(pk=require_id(entry_id, field="entry")).first()
    if entry is None:
        raise NotFoundError()
    incident = lock_incident(entry.incident_id)
    require(policy.can_command_incident(actor, incident))
    entry.delete()
    workflow.INCIDENT.apply(incident, "roster", actor=actor,
                            data={"removed": entry.user_id, "position": entry.position, "area": entry.area_id})
    audit(actor, "incident.roster_remove", incident, data={"user": entry.user_id})


@transaction.atomic
def period_add(*, actor, incident_id, starts_at, ends_at, objectives: str) -> OperationalPeriod:
    """The next operational period with its objectives (ICS 202)."""
    incident = lock_incident(incident_id)
    require(policy.can_command_incident(actor, incident))
    starts, ends = moment(starts_at, field="starts_at", required=True), moment(ends_at, field="ends_at", required=True)
    if ends <= starts:
        raise ValidationError(_("The period must end after it starts."), field="ends_at")
    if ends - starts > dt.timedelta(days=7):
        raise ValidationError(_("An operational period is at most 7 days."), field="ends_at")
    objectives = clean_text(objectives, field="objectives", required=True, max_chars=4000)
    number = (incident.periods.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    period = OperationalPeriod.objects.create(incident=incident, number=number, starts_at=starts, ends_at=ends,
                                              objectives=objectives, created_by=actor)
    workflow.INCIDENT.apply(incident, "period", actor=actor, data={"period": number})
    return period
