"""Opening incidents (from scratch, a warning, a cluster of rescue requests), their status chain,
links and proposals, the roster and operational periods."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opencity.errors import (
    ConflictError,
    IllegalTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from opencity.incidents import services
from opencity.incidents.models import IncidentEvent, IncidentLink, LinkState
from opencity.lib.models import AuditLog

pytestmark = pytest.mark.django_db


def test_an_operator_opens_an_incident_and_the_same_form_twice_opens_it_once(open_incident, phu_xuan):
    incident = open_incident(client_token="incident-form-000001")
    again = open_incident(client_token="incident-form-000001")
    assert again.pk == incident.pk
    assert incident.status == "monitoring" and incident.version == 1 and incident.ref == f"SC{incident.pk:05d}"
    assert set(incident.areas.values_list("name", flat=True)) == {"Phường Phú Xuân", "Phường Thuận Hóa"}
    [event] = IncidentEvent.objects.filter(incident=incident)
    assert (event.action, event.from_status, event.to_status) == ("open", "", "monitoring")
    assert AuditLog.objects.filter(action="incident.open").count() == 1


@pytest.mark.parametrize("field, value", [
    ("kind", "volcano"), ("level", 7), ("level", "x"), ("area_ids", []), ("area_ids", [999999]),
    ("area_ids", ["abc"]), ("name", ""), ("name", "x" * 201),
])
def test_bad_input_is_refused_with_the_field(open_incident, field, value):
    with pytest.raises(ValidationError) as refused:
        open_incident(**{field: value})
    assert refused.value.field in (field, "areas")


def test_a_fire_has_no_risk_level(open_incident):
    with pytest.raises(ValidationError) as refused:
        open_incident(kind="fire", level=2)
    assert refused.value.field == "level"
    assert open_incident(kind="fire", level=None).level is None


@pytest.mark.parametrize("who", ["citizen", "officer", "hotline", "ward_official"])
def test_only_the_centre_and_leaders_open_incidents(request, open_incident, who):
    with pytest.raises(PermissionDeniedError):
        open_incident(actor=request.getfixturevalue(who))


def test_a_warning_becomes_an_incident_with_its_wards_and_link(operator, flood_warning, phu_xuan, thuan_hoa):
    alert = flood_warning()
    incident = services.incident_from_alert(actor=operator, alert_id=alert.pk)
    assert incident.kind == "flood" and incident.source_alert == alert
    assert set(incident.areas.all()) == {phu_xuan, thuan_hoa}
    assert incident.name == alert.latest.headline_vi
    [link] = incident.links.all()
    assert (link.kind, link.alert, link.state) == ("alert", alert, "linked")


def test_a_cluster_of_rescue_requests_becomes_an_incident_in_response(operator, file_sos, phu_xuan):
    first, second = file_sos(), file_sos()
    incident = services.incident_from_rescues(actor=operator, rescue_ids=[first.pk, second.pk])
    assert incident.status == "active" and incident.started_at == first.created_at
    assert list(incident.areas.all()) == [phu_xuan]
    assert set(incident.links.values_list("rescue_id", flat=True)) == {first.pk, second.pk}


def test_the_status_chain_and_its_refusals(operator, open_incident):
    incident = open_incident()
    for action, status in (("activate", "active"), ("recover", "recovery"), ("close", "closed")):
        incident = services.incident_transition(actor=operator, incident_id=incident.pk, action=action)
        assert incident.status == status
    assert incident.ended_at is not None
    with pytest.raises(IllegalTransitionError):
        services.incident_transition(actor=operator, incident_id=incident.pk, action="recover")
    incident = services.incident_transition(actor=operator, incident_id=incident.pk, action="reopen")
    assert incident.status == "active" and incident.ended_at is None


def test_two_commanders_acting_on_the_same_version_one_gets_409(operator, leader, open_incident):
    incident = open_incident()
    services.incident_transition(actor=operator, incident_id=incident.pk, action="activate",
                                 expected_version=incident.version)
    with pytest.raises(ConflictError):
        services.incident_update(actor=leader, incident_id=incident.pk, name="Đổi tên",
                                 expected_version=incident.version)


def test_a_rescue_request_arriving_in_an_incidents_ward_is_proposed(open_incident, file_sos, operator):
    incident = open_incident(started_at=timezone.now() - dt.timedelta(hours=1))
    sos = file_sos()
    [link] = IncidentLink.objects.filter(incident=incident)
    assert (link.kind, link.rescue, link.state) == ("rescue", sos, LinkState.PROPOSED)
    services.incident_link_decide(actor=operator, link_id=link.pk, accept=True)
    link.refresh_from_db()
    assert link.state == LinkState.LINKED and link.decided_by == operator
    assert incident.events.filter(action="link").count() == 1


def test_a_closed_incident_gets_no_proposals(open_incident, file_sos, operator):
    incident = open_incident(started_at=timezone.now() - dt.timedelta(hours=1))
    services.incident_transition(actor=operator, incident_id=incident.pk, action="close")
    file_sos()
    assert not IncidentLink.objects.exists()


def test_a_failing_proposal_never_stops_the_rescue_request(open_incident, file_sos, monkeypatch):
    open_incident(started_at=timezone.now() - dt.timedelta(hours=1))

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "incident_propose", broken)
    sos = file_sos()
    assert sos.pk and not IncidentLink.objects.exists()


def test_the_roster_and_a_ward_commanders_reach(operator, open_incident, px_official, th_official, phu_xuan,
                                                  thuan_hoa):
    from opencity import policy

    incident = open_incident()
    services.roster_add(actor=operator, incident_id=incident.pk, user_id=px_official.pk, position="commander",
                        area_id=phu_xuan.pk)
    incident.refresh_from_db()
    assert policy.can_edit_ward_part(px_official, incident, phu_xuan.pk)
    assert not policy.can_edit_ward_part(px_official, incident, thuan_hoa.pk)
    assert not policy.can_command_incident(px_official, incident)
    assert policy.visible_ward_ids(px_official, incident) == {phu_xuan.pk}
    # the other ward's official reads only their own ward's part, edits nothing
    assert policy.visible_ward_ids(th_official, incident) == {thuan_hoa.pk}
    assert not policy.can_edit_any_ward(th_official, incident)
    with pytest.raises(ConflictError):
        services.roster_add(actor=operator, incident_id=incident.pk, user_id=th_official.pk, position="commander",
                            area_id=phu_xuan.pk)
    with pytest.raises(PermissionDeniedError):
        services.roster_add(actor=px_official, incident_id=incident.pk, user_id=th_official.pk, position="deputy",
                            area_id=phu_xuan.pk)


def test_operational_periods_are_numbered_and_bounded(operator, open_incident):
    incident = open_incident()
    start = timezone.now()
    first = services.period_add(actor=operator, incident_id=incident.pk, starts_at=start,
                                ends_at=start + dt.timedelta(hours=12), objectives="Sơ tán dân\nCứu hộ")
    second = services.period_add(actor=operator, incident_id=incident.pk, starts_at=first.ends_at,
                                 ends_at=first.ends_at + dt.timedelta(hours=12), objectives="Khắc phục")
    assert (first.number, second.number) == (1, 2) and first.objective_list == ["Sơ tán dân", "Cứu hộ"]
    with pytest.raises(ValidationError):
        services.period_add(actor=operator, incident_id=incident.pk, starts_at=start, ends_at=start,
                            objectives="x")


def test_the_console_feed_carries_incident_steps_in_words(open_incident, operator):
    from django.utils import translation

    from opencity.ioc.models import LiveEvent
    from opencity.ioc.templatetags.ioc_tags import live_label

    incident = open_incident(is_exercise=True)
    services.incident_transition(actor=operator, incident_id=incident.pk, action="activate")
    rows = list(LiveEvent.objects.filter(subject="incident", subject_id=incident.pk).order_by("pk"))
    assert [r.kind for r in rows] == ["incident.open", "incident.activate"]
    assert rows[0].ref == incident.ref and rows[0].payload["exercise"] is True
    with translation.override("en"):
        assert [live_label(r) for r in rows] == ["Incident opened", "Response started"]


def test_the_calls_behind_a_linked_rescue_request_are_proposed(operator, hotline, open_incident, file_sos):
    from opencity.hotline import services as calls

    incident = open_incident()
    sos = file_sos()
    call = calls.call_log(actor=hotline, direction="inbound", phone="0905123456",
                          started_at=timezone.now() - dt.timedelta(minutes=5), topic="rescue",
                          outcome="rescue_created")
    calls.call_link_rescue(actor=hotline, call_id=call.pk, rescue=sos)
    services.incident_link(actor=operator, incident_id=incident.pk, kind="rescue", target_id=sos.pk)
    proposal = incident.links.get(kind="call")
    assert proposal.call == call and proposal.state == LinkState.PROPOSED
    services.incident_link_decide(actor=operator, link_id=proposal.pk, accept=True)
    assert incident.links.filter(kind="call", state=LinkState.LINKED).count() == 1
    # linking the request again proposes nothing twice
    services.incident_link(actor=operator, incident_id=incident.pk, kind="rescue", target_id=sos.pk)
    assert incident.links.filter(kind="call").count() == 1
