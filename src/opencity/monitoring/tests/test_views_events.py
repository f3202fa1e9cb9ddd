"""The events pages: the list and an event's page, and what people do there — who may read,
who may act, stale forms, wrong methods."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from opencity.monitoring.models import (
    Datastream,
    EventStatus,
    MonitoringEvent,
    ObservedProperty,
    Rule,
    RuleKind,
    RuleLevel,
    Severity,
    Station,
    StationKind,
)
from opencity.monitoring.services import observations_ingest

pytestmark = pytest.mark.django_db


def feed(stream, source, t0, values, step=10):
    rows = [{"datastream": stream.code, "time": (t0 + dt.timedelta(minutes=step * i)).isoformat(), "value": v}
            for i, v in enumerate(values)]
    return observations_ingest(rows=rows, source=source)


@pytest.fixture
def flood_event(flood_rule, level_stream, hydro_source, t0) -> MonitoringEvent:
    """Kim Long (Phú Xuân) rising past BĐ2: one open event."""
    feed(level_stream, hydro_source, t0, [0.8, 1.2, 1.8, 2.3, 2.6])
    return MonitoringEvent.objects.get()


@pytest.fixture
def other_ward_event(hydro_source, thuan_hoa, t0) -> MonitoringEvent:
    """Another station, in Thuận Hóa, above its own level."""
    station = Station.objects.create(code="phu-oc", name="Phú Ốc", kind=StationKind.HYDRO, source=hydro_source,
                                     river="Bồ", lat=16.53, lon=107.47, area=thuan_hoa)
    stream = Datastream.objects.create(code="phu-oc-h", station=station,
                                       observed_property=ObservedProperty.objects.get(code="water_level"))
    rule = Rule.objects.create(name="Báo động lũ sông Bồ tại Phú Ốc", kind=RuleKind.THRESHOLD, datastream=stream)
    RuleLevel.objects.create(rule=rule, code="BD1", name="Báo động I", value=1.5, severity=Severity.INFO)
    feed(stream, hydro_source, t0, [1.0, 1.7])
    return MonitoringEvent.objects.get(station=station)


def test_an_operator_reads_the_list_with_the_events_facts(client, operator, flood_event):
    client.force_login(operator)
    response = client.get(reverse("monitoring:events"))
    body = response.content.decode()
    assert response.status_code == 200
    assert flood_event.ref in body and flood_event.ref.startswith("GS")
    assert "Báo động II" in body and "2,60 m" in body
    local = flood_event.first_seen.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert local.strftime("%d/%m/%Y %H:%M") in body


def test_the_list_puts_open_events_first_and_filters(client, operator, flood_event, other_ward_event):
    from opencity.monitoring.services import event_resolve

    event_resolve(actor=operator, event_id=flood_event.pk, expected_version=flood_event.version)
    client.force_login(operator)
    events = list(client.get(reverse("monitoring:events")).context["events"])
    assert events == [other_ward_event, flood_event]
    resolved = list(client.get(reverse("monitoring:events"), {"status": "resolved"}).context["events"])
    assert resolved == [flood_event]
    urgent = list(client.get(reverse("monitoring:events"), {"severity": "urgent"}).context["events"])
    assert urgent == []
    cameras = list(client.get(reverse("monitoring:events"), {"kind": "camera"}).context["events"])
    assert cameras == []


def test_a_ward_official_sees_only_the_wards_events(client, ward_official, flood_event, other_ward_event):
    client.force_login(ward_official)  # Phú Xuân, where Kim Long is
    assert list(client.get(reverse("monitoring:events")).context["events"]) == [flood_event]
    assert client.get(reverse("monitoring:event", args=[flood_event.pk])).status_code == 200
    assert client.get(reverse("monitoring:event", args=[other_ward_event.pk])).status_code == 404


@pytest.mark.parametrize("who", ["citizen", "officer"])
def test_people_without_the_right_are_refused(client, request, flood_event, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("monitoring:events")).status_code == 403
    assert client.get(reverse("monitoring:event", args=[flood_event.pk])).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, flood_event):
    for url in (reverse("monitoring:events"), reverse("monitoring:event", args=[flood_event.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_event_is_a_404(client, operator):
    client.force_login(operator)
    assert client.get(reverse("monitoring:event", args=[999999])).status_code == 404


def test_the_event_page_shows_the_chart_levels_and_steps(client, operator, flood_event):
    client.force_login(operator)
    response = client.get(reverse("monitoring:event", args=[flood_event.pk]))
    chart = response.context["chart"]
    assert [lv["code"] for lv in chart["levels"]] == ["BD1", "BD2", "BD3"]
    assert [p[1] for p in chart["points"]] == [0.8, 1.2, 1.8, 2.3, 2.6]
    assert chart["mark"][0] == int(flood_event.first_seen.timestamp() * 1000)
    body = response.content.decode()
    assert 'data-testid="event-acknowledge"' in body and 'data-testid="event-warning"' in body
    assert [label for _s, label in response.context["steps"]] == ["Phát sinh sự kiện", "Mức tăng lên"]


def test_a_leader_reads_but_cannot_act(client, leader, flood_event):
    client.force_login(leader)
    body = client.get(reverse("monitoring:event", args=[flood_event.pk])).content.decode()
    assert 'data-testid="event-actions"' not in body
    response = client.post(reverse("monitoring:acknowledge", args=[flood_event.pk]),
                           {"version": flood_event.version})
    assert response.status_code == 403
    flood_event.refresh_from_db()
    assert flood_event.status == EventStatus.OPEN


def test_an_operator_acknowledges_then_resolves_with_a_note(client, operator, flood_event):
    client.force_login(operator)
    response = client.post(reverse("monitoring:acknowledge", args=[flood_event.pk]),
                           {"version": flood_event.version})
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:event", args=[flood_event.pk])
    flood_event.refresh_from_db()
    assert flood_event.status == EventStatus.ACKNOWLEDGED and flood_event.acknowledged_by == operator
    client.post(reverse("monitoring:resolve", args=[flood_event.pk]),
                {"version": flood_event.version, "note": "Nước đã rút"})
    flood_event.refresh_from_db()
    assert flood_event.status == EventStatus.RESOLVED
    assert flood_event.steps.get(action="resolve").note == "Nước đã rút"


def test_a_stale_acknowledge_is_a_409(client, operator, flood_event):
    client.force_login(operator)
    stale = flood_event.version
    client.post(reverse("monitoring:acknowledge", args=[flood_event.pk]), {"version": stale})
    response = client.post(reverse("monitoring:resolve", args=[flood_event.pk]), {"version": stale})
    assert response.status_code == 409
    flood_event.refresh_from_db()
    assert flood_event.status == EventStatus.ACKNOWLEDGED


def test_a_stale_form_sent_from_the_page_comes_back_with_the_message(client, operator, flood_event):
    client.force_login(operator)
    page = "http://testserver" + reverse("monitoring:event", args=[flood_event.pk])
    stale = flood_event.version
    client.post(reverse("monitoring:acknowledge", args=[flood_event.pk]), {"version": stale})
    response = client.post(reverse("monitoring:resolve", args=[flood_event.pk]), {"version": stale},
                           HTTP_REFERER=page)
    assert response.status_code == 303 and response["Location"] == page


def test_draft_a_warning_opens_the_prefilled_composer(client, operator, flood_event):
    client.force_login(operator)
    response = client.post(reverse("monitoring:warning", args=[flood_event.pk]))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("alerts:compose")) and "event=flood" in location and "headline=" in location
    assert flood_event.steps.filter(action="to_warning").exists()
    composer = client.get(location)
    assert composer.status_code == 200 and "Báo động II" in composer.content.decode()


def test_create_a_field_report_from_the_event(client, operator, flood_event, lighting):
    client.force_login(operator)
    response = client.post(reverse("monitoring:report", args=[flood_event.pk]),
                           {"category": lighting.pk, "description": "Nước tràn qua đường Kim Long"})
    assert response.status_code == 302
    flood_event.refresh_from_db()
    assert flood_event.report is not None and flood_event.report.description == "Nước tràn qua đường Kim Long"
    page = client.get(reverse("monitoring:event", args=[flood_event.pk])).content.decode()
    assert reverse("reports:detail", args=[flood_event.report.pk]) in page


def test_the_report_form_sent_twice_files_one_report(client, operator, flood_event, lighting):
    from opencity.reports.models import Report

    client.force_login(operator)
    page = client.get(reverse("monitoring:event", args=[flood_event.pk])).content.decode()
    token = page.split('name="client_token" value="', 1)[1].split('"', 1)[0]
    for _ in range(2):  # a double tap on a slow network
        response = client.post(reverse("monitoring:report", args=[flood_event.pk]),
                               {"category": lighting.pk, "description": "Ngập", "client_token": token})
        assert response.status_code == 302
    assert Report.objects.count() == 1
    assert flood_event.steps.filter(action="to_report").count() == 1


def test_a_report_without_a_category_is_refused(client, operator, flood_event):
    client.force_login(operator)
    response = client.post(reverse("monitoring:report", args=[flood_event.pk]), {"category": ""})
    assert response.status_code == 400
    flood_event.refresh_from_db()
    assert flood_event.report is None


def test_link_the_event_to_an_open_incident(client, operator, flood_event, phu_xuan):
    from opencity.incidents.services import incident_open

    incident = incident_open(actor=operator, kind="flood", name="Lũ tháng 11", level=3, area_ids=[phu_xuan.pk])
    client.force_login(operator)
    page = client.get(reverse("monitoring:event", args=[flood_event.pk]))
    assert incident in page.context["incidents"]
    response = client.post(reverse("monitoring:incident", args=[flood_event.pk]), {"incident": incident.pk})
    assert response.status_code == 302
    flood_event.refresh_from_db()
    assert flood_event.incident == incident


@pytest.mark.parametrize("name", ["acknowledge", "resolve", "warning", "report", "incident"])
def test_actions_refuse_get(client, operator, flood_event, name):
    client.force_login(operator)
    assert client.get(reverse(f"monitoring:{name}", args=[flood_event.pk])).status_code == 405


def test_the_list_refuses_post(client, operator, flood_event):
    client.force_login(operator)
    assert client.post(reverse("monitoring:events")).status_code == 405


def test_the_console_shows_the_event_in_its_feed_and_its_station_layer(client, operator, flood_event):
    client.force_login(operator)
    body = client.get(reverse("ioc:console")).content.decode()
    assert reverse("monitoring:event", args=[flood_event.pk]) in body
    assert "Phát sinh sự kiện" in body and "Báo động II" in body
    assert reverse("monitoring:stations_json") + "?open=1" in body


@pytest.mark.django_db
def test_an_event_of_items_is_listed_and_shown(client, operator, camera, camera_source, t0):
    """A repeated plate's event has no datastream (its value is a count): the list and the page
    once failed on it (a filter's argument looked up the datastream's unit)."""
    from opencity.monitoring.models import ItemKind, Rule, RuleKind
    from opencity.monitoring.services import items_ingest

    Rule.objects.create(name="Vi phạm lặp lại", kind=RuleKind.REPEAT, item_kind=ItemKind.CAMERA_VIOLATION,
                        window_minutes=60 * 24 * 30, limit=3)
    items_ingest(rows=[{"kind": "camera_violation", "id": f"v{i}", "station": camera.code, "subject": "75A-123.45",
                        "time": (t0 + dt.timedelta(hours=i)).isoformat()} for i in range(3)], source=camera_source)
    event = MonitoringEvent.objects.get()
    assert event.datastream is None and event.value == 3
    client.force_login(operator)
    listing = client.get(reverse("monitoring:events"))
    assert listing.status_code == 200 and event.ref in listing.content.decode()
    page = client.get(reverse("monitoring:event", args=[event.pk]))
    assert page.status_code == 200 and "75A12345" in page.content.decode()
