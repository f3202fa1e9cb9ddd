import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from opencity.errors import (
    ConflictError,
    IllegalTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from opencity.incidents.models import IncidentEvent
from opencity.monitoring.models import EventStatus, MonitoringEvent
from opencity.monitoring.services import (
    event_acknowledge,
    event_link_incident,
    event_resolve,
    event_to_report,
    event_to_warning,
    observations_ingest,
)


@pytest.fixture
def event(flood_rule, level_stream, hydro_source, t0) -> MonitoringEvent:
    rows = [{"datastream": level_stream.code, "time": (t0 + dt.timedelta(minutes=10 * i)).isoformat(), "value": v}
            for i, v in enumerate([1.5, 2.4, 3.7])]
    observations_ingest(rows=rows, source=hydro_source)
    return MonitoringEvent.objects.get()


@pytest.mark.django_db
def test_an_operator_acknowledges_then_resolves(event, operator):
    event_acknowledge(actor=operator, event_id=event.pk)
    event.refresh_from_db()
    assert event.status == EventStatus.ACKNOWLEDGED and event.acknowledged_by == operator
    event_resolve(actor=operator, event_id=event.pk, note="Nước đã rút")
    event.refresh_from_db()
    assert event.status == EventStatus.RESOLVED and event.resolved_at is not None
    assert [s.action for s in event.steps.all()] == ["raise", "escalate", "escalate", "acknowledge", "resolve"]
    with pytest.raises(IllegalTransitionError):
        event_acknowledge(actor=operator, event_id=event.pk)


@pytest.mark.django_db
def test_two_operators_acknowledging_at_once_one_gets_a_conflict(event, operator, admin_user):
    version = event.version
    event_acknowledge(actor=operator, event_id=event.pk, expected_version=version)
    with pytest.raises(ConflictError):
        event_resolve(actor=admin_user, event_id=event.pk, expected_version=version)


@pytest.mark.django_db
def test_a_leader_reads_but_does_not_act_and_a_citizen_does_not_see(event, leader, citizen):
    with pytest.raises(PermissionDeniedError):
        event_acknowledge(actor=leader, event_id=event.pk)
    with pytest.raises(NotFoundError):
        event_acknowledge(actor=citizen, event_id=event.pk)


@pytest.mark.django_db
def test_the_warning_draft_is_prefilled_with_hazard_level_ward_and_severity(event, operator):
    url = event_to_warning(actor=operator, event_id=event.pk)
    query = parse_qs(urlsplit(url).query)
    assert query["event"] == ["flood"]
    assert "Báo động III" in query["headline"][0] and "3,70 m" in query["headline"][0]
    assert query["areas"] == [str(event.area_id)]
    assert query["severity"] == ["Severe"]
    assert event.steps.filter(action="to_warning").exists()


@pytest.mark.django_db
def test_the_composer_takes_the_prefill(event, operator, client):
    url = event_to_warning(actor=operator, event_id=event.pk)
    client.force_login(operator)
    page = client.get(url)
    form = page.context["form"]
    assert form.initial["severity"] == "Severe" and form.initial["areas"] == [event.area_id]
    assert "Kim Long" in form.initial["headline_vi"] and "Báo động III" in form.initial["description_vi"]


@pytest.mark.django_db
def test_a_field_report_is_filed_at_the_station_and_routed(event, operator, lighting, lighting_rule, urban_works):
    lighting_rule.automatic = True
    lighting_rule.save()
    report = event_to_report(actor=operator, event_id=event.pk, category_id=lighting.pk, description="Kiểm tra đê",
                             client_token="t-1")
    assert report.channel == "sensor" and report.unit == urban_works and report.status == "assigned"
    assert (report.lat, report.lon) == (event.station.lat, event.station.lon)
    again = event_to_report(actor=operator, event_id=event.pk, category_id=lighting.pk, description="Kiểm tra đê",
                            client_token="t-1")
    assert again.pk == report.pk
    event.refresh_from_db()
    assert event.report_id == report.pk


@pytest.mark.django_db
def test_without_an_automatic_rule_the_report_waits_in_triage(event, operator, lighting):
    report = event_to_report(actor=operator, event_id=event.pk, category_id=lighting.pk)
    assert report.status == "new" and report.unit is None and "Kim Long" in report.description
    assert not report.is_public


@pytest.mark.django_db
def test_linking_to_an_incident_is_written_in_both_logs(event, operator, phu_xuan):
    from opencity.incidents.services import incident_open

    incident = incident_open(actor=operator, kind="flood", name="Lũ tháng 11", area_ids=[phu_xuan.pk])
    event_link_incident(actor=operator, event_id=event.pk, incident_id=incident.pk)
    event.refresh_from_db()
    assert event.incident_id == incident.pk
    assert IncidentEvent.objects.filter(incident=incident, action="link", data__ref=event.ref).exists()
    event_link_incident(actor=operator, event_id=event.pk, incident_id=incident.pk)  # again: nothing new
    assert event.steps.filter(action="to_incident").count() == 1


@pytest.mark.django_db
def test_a_ward_official_sees_only_the_wards_events(event, ward_official, thuan_hoa):
    from opencity import policy

    assert policy.can_view_monitoring_event(ward_official, event)
    assert MonitoringEvent.objects.filter(policy.monitoring_event_scope_q(ward_official)).count() == 1
    ward_official.home_area = thuan_hoa
    assert not policy.can_view_monitoring_event(ward_official, event)


@pytest.mark.django_db
def test_the_warning_draft_is_written_in_vietnamese_for_an_operator_reading_english(event, operator):
    from django.utils import translation

    with translation.override("en"):  # the console in English: the draft's text stays Vietnamese
        url = event_to_warning(actor=operator, event_id=event.pk)
    query = parse_qs(urlsplit(url).query)
    assert "3,70 m" in query["headline"][0]
    assert "Ghi nhận đầu lúc" in query["description"][0] and "3,70 m" in query["description"][0]
