"""Monitoring in the browser (issue #17): an operator opens the events list, opens Kim Long's
flood event, acknowledges it and drafts a warning, landing on the composer with the headline
filled in, and finds the station and the event on the console; a visitor on a phone sees the water levels with Kim Long's chart."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect


@pytest.fixture(autouse=True)
def _short_streams(settings):
    # the console's live stream: short streams (EventSource reconnects by itself) free the test
    # server's threads quickly, and end before the test's database goes away
    settings.OPENCITY_LIVE_STREAM_SECONDS = 4
    settings.OPENCITY_LIVE_POLL_SECONDS = 0.3


RISEN = (0.6, 0.8, 1.1, 1.4, 1.7, 1.9, 2.1, 2.3, 2.45)


def kim_long_risen(area):
    """Kim Long with readings over the last hours that cross BĐ2: one open event."""
    from opencity.monitoring.models import MonitoringEvent

    kim_long(area, values=RISEN)
    return MonitoringEvent.objects.get()


def kim_long(area, *, values):
    """Kim Long on the Hương river with its alarm levels (BĐ1/BĐ2/BĐ3 at 1.0/2.0/3.5 m) and
    hourly ``values`` up to an hour ago, through the ingest service; returns its datastream."""
    from opencity.monitoring.models import (
        Datastream,
        ObservedProperty,
        Rule,
        RuleKind,
        RuleLevel,
        Severity,
        Source,
        Station,
        StationKind,
    )
    from opencity.monitoring.services import observations_ingest

    # a browser test's database is flushed after it: the standard properties may be gone
    prop, _ = ObservedProperty.objects.get_or_create(
        code="water_level", defaults={"name": "Mực nước", "name_en": "Water level", "unit": "m", "min_value": -10,
                                      "max_value": 60, "decimals": 2})
    source = Source.objects.create(code="kttv", name="Đài KTTV Trung Trung Bộ")
    station = Station.objects.create(code="kim-long", name="Kim Long", kind=StationKind.HYDRO, source=source,
                                     river="Hương", lat=16.4647, lon=107.5630, area=area)
    stream = Datastream.objects.create(code="kim-long-h", station=station, observed_property=prop)
    rule = Rule.objects.create(name="Báo động lũ sông Hương tại Kim Long", kind=RuleKind.THRESHOLD, datastream=stream,
                               hysteresis=0.1, warning_event="flood")
    for code, name, value, severity in (("BD1", "Báo động I", 1.0, Severity.INFO),
                                        ("BD2", "Báo động II", 2.0, Severity.WARNING),
                                        ("BD3", "Báo động III", 3.5, Severity.URGENT)):
        RuleLevel.objects.create(rule=rule, code=code, name=name, value=value, severity=severity)
    start = (timezone.now() - dt.timedelta(hours=len(values))).replace(second=0, microsecond=0)
    observations_ingest(rows=[{"datastream": stream.code, "time": (start + dt.timedelta(hours=i)).isoformat(),
                               "value": v} for i, v in enumerate(values)], source=source)
    return stream


def test_an_operator_acknowledges_an_event_and_drafts_a_warning(login, operator, phu_xuan):
    event = kim_long_risen(phu_xuan)
    page = login(operator, width=1366)
    page.goto("/monitoring/events/")
    rows = page.get_by_test_id("event-list")
    expect(rows).to_contain_text(event.ref)
    expect(rows).to_contain_text("Báo động II")
    rows.get_by_role("link", name=event.ref).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/monitoring/events/{event.pk}/")
    expect(page.get_by_test_id("event-chart")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("event-chart")).to_have_attribute("data-points", "9")

    page.get_by_test_id("event-acknowledge").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("event-status")).to_have_attribute("data-status", "acknowledged")
    expect(page.get_by_test_id("event-steps")).to_contain_text(operator.full_name)

    page.get_by_test_id("event-warning").click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith(reverse("alerts:compose"))
    headline = page.locator("#id_headline_vi")
    expect(headline).to_have_value(re.compile(r"Kim Long.*Báo động II \(2,45 m\)"))

    # the console: Kim Long on the map's stations layer, the event on the live feed
    page.goto("/ioc/")
    expect(page.locator("[data-console-map]")).to_have_attribute("data-stations", "1")
    expect(page.locator("#live-feed")).to_contain_text(event.ref)
    assert page.js_errors == []


def test_a_visitor_on_a_phone_sees_the_water_levels_with_kim_longs_chart(new_page, phu_xuan):
    kim_long_risen(phu_xuan)
    page = new_page(width=390)
    page.goto("/water-levels/")
    station = page.get_by_test_id("station-kim-long")
    expect(station).to_contain_text("2,45 m")
    expect(station.get_by_test_id("level")).to_contain_text("Báo động II")
    chart = station.locator("[data-mon-chart]")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(chart).to_have_attribute("data-points", "9")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows the phone
    assert page.js_errors == []
