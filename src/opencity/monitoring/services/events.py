"""What people do with a monitoring event: acknowledge, resolve, note, and turn it into a
warning draft, a field report or a link to an incident. Each is a step of the event's lifecycle
(``monitoring.workflow``), written under its ``version`` (two operators at once: one 409)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError
from opencity.lib.audit import audit
from opencity.lib.params import require_id
from opencity.lib.text import clean_text

from ..models import MonitoringEvent, Severity
from ..workflow import EVENT


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDeniedError()


def _event(event_id, *, actor, lock: bool = False) -> MonitoringEvent:
    qs = MonitoringEvent.objects.select_related("station", "datastream__observed_property", "rule", "area")
    event = qs.filter(pk=require_id(event_id, field="event")).first()
    if event is None or not policy.can_view_monitoring_event(actor, event):
        raise NotFoundError(_("This monitoring event does not exist."))
    return event


@transaction.atomic
def event_acknowledge(*, actor, event_id, expected_version: int | None = None, note: str = "") -> MonitoringEvent:
    event = _event(event_id, actor=actor)
    _require(policy.can_act_on_monitoring_event(actor, event))
    EVENT.apply(event, "acknowledge", actor=actor, note=clean_text(note, field="note", max_chars=1000),
                expected_version=expected_version, changes={"acknowledged_by": actor})
    audit(actor, "monitoring.acknowledge", event, summary=event.title[:300])
    return event


@transaction.atomic
def event_resolve(*, actor, event_id, note: str = "", expected_version: int | None = None) -> MonitoringEvent:
    event = _event(event_id, actor=actor)
    _require(policy.can_act_on_monitoring_event(actor, event))
    EVENT.apply(event, "resolve", actor=actor, note=clean_text(note, field="note", max_chars=1000),
                expected_version=expected_version)
    audit(actor, "monitoring.resolve", event, summary=event.title[:300])
    return event


@transaction.atomic
def event_note(*, actor, event_id, note: str) -> MonitoringEvent:
    event = _event(event_id, actor=actor)
    _require(policy.can_act_on_monitoring_event(actor, event))
    EVENT.apply(event, "note", actor=actor, note=clean_text(note, field="note", required=True, max_chars=1000))
    return event


def _value_text(event: MonitoringEvent) -> str:
    from opencity.lib.numbers import fmt_number

    if event.value is None:
        return ""
    unit = event.datastream.observed_property.unit if event.datastream else ""
    decimals = event.datastream.observed_property.decimals if event.datastream else 0
    return f"{fmt_number(event.value, decimals)} {unit}".strip()


def event_headline(event: MonitoringEvent) -> str:
    """One line people read: "Kim Long · Mực nước sông Hương: Báo động II (3,92 m)"."""
    parts = [event.title]
    if event.level_name and event.level_name not in event.title:
        parts = [f"{event.title}: {event.level_name}"]
    value = _value_text(event)
    return f"{parts[0]} ({value})" if value else parts[0]


CAP_SEVERITY = {Severity.URGENT: "Severe", Severity.WARNING: "Moderate", Severity.INFO: "Minor"}


@transaction.atomic
def event_to_warning(*, actor, event_id) -> str:
    """Record that a warning draft was opened from the event; the composer's URL, prefilled with
    the hazard, a headline with the level and value, the station's ward and a severity. The
    person still reviews, targets and publishes."""
    event = _event(event_id, actor=actor)
    _require(policy.can_act_on_monitoring_event(actor, event) and policy.can_issue_warnings(actor))
    EVENT.apply(event, "to_warning", actor=actor, is_public=False)
    query: list[tuple[str, str]] = []
    if event.rule.warning_event:
        query.append(("event", event.rule.warning_event))
    # The composer takes these as the Vietnamese text of the warning: written in Vietnamese
    # ("3,70 m"), whatever language the operator reads the console in.
    with translation.override("vi"):
        headline = event_headline(event)
        description = _("%(headline)s. First seen %(first)s, last %(last)s.") % {
            "headline": headline, "first": _local(event.first_seen), "last": _local(event.last_seen)}
    query.append(("headline", headline[:160]))
    if event.area_id:
        query.append(("areas", str(event.area_id)))
    query.append(("severity", CAP_SEVERITY.get(event.severity, "Moderate")))
    query.append(("description", description))
    return f"{reverse('alerts:compose')}?{urlencode(query)}"


def _local(when) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(when), "d/m/Y H:i")


def event_to_report(*, actor, event_id, category_id, description: str = "", client_token: str | None = None):
    """A field report at the station, filed by the operator and routed like any other (by rule,
    or through triage); the event keeps it. Sent twice (``client_token``): one report."""
    from opencity.reports.services import report_submit

    event = _event(event_id, actor=actor)
    _require(policy.can_act_on_monitoring_event(actor, event))
    text = clean_text(description, field="description", max_chars=4000) or event_headline(event)
    if event.station.lat is None or event.station.lon is None:
        raise ValidationError(_("The station has no position; a report needs one."), field="category")
    with transaction.atomic():
        report = report_submit(reporter=actor, category=require_id(category_id, field="category"),
                               description=text, lat=event.station.lat, lon=event.station.lon,
                               is_public=False, client_token=client_token, channel="sensor")
        event.refresh_from_db(fields=["version", "status", "report"])
        if event.report_id == report.pk:
            return report  # the same form sent again: its report, nothing new
        EVENT.apply(event, "to_report", actor=actor, is_public=False, data={"report": report.pk, "ref": report.ref},
                    changes={"report": report})
    return report


@transaction.atomic
def event_link_incident(*, actor, event_id, incident_id) -> MonitoringEvent:
    """Tie the event to an incident; the incident's log says so too."""
    from opencity.incidents.models import Incident
    from opencity.incidents.workflow import INCIDENT

    event = _event(event_id, actor=actor)
    _require(policy.can_act_on_monitoring_event(actor, event))
    incident = Incident.objects.filter(pk=require_id(incident_id, field="incident")).first()
    if incident is None or not policy.can_view_incident(actor, incident):
        raise NotFoundError(_("This incident does not exist."))
    _require(policy.can_command_incident(actor, incident))
    if event.incident_id == incident.pk:
        return event
    EVENT.apply(event, "to_incident", actor=actor, is_public=False,
                data={"incident": incident.pk, "ref": incident.ref}, changes={"incident": incident})
    INCIDENT.apply(incident, "link", actor=actor, is_public=False,
                   data={"kind": "monitoring", "ref": event.ref, "title": event.title[:200]})
    audit(actor, "monitoring.link_incident", event, summary=f"{event.ref} → {incident.ref}")
    return event
