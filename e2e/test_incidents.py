"""Command support in the browser (issue #16): a flood warning for two wards becomes an incident
with one button; two rescue requests that arrive in its wards are proposed and linked; the map
draws them; a ward official of another ward is refused the incident."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD, STORY_LAT, STORY_LON


def test_a_warning_becomes_an_incident_and_arriving_rescue_requests_are_linked(login, operator, citizen, phu_xuan,
                                                                                 thuan_hoa):
    from opencity.alerts import services as alerts
    from opencity.alerts.tests.factories import content
    from opencity.emergency.services import rescue_request_create
    from opencity.incidents.models import Incident

    warning = alerts.alert_publish(actor=operator, **content(
        area_ids=[phu_xuan.pk, thuan_hoa.pk], headline_vi="Lũ trên sông Hương vượt báo động 2",
        effective=timezone.now() - dt.timedelta(hours=1))).alert

    page = login(operator, width=1366)
    page.goto("/incidents/new/")
    box = page.get_by_test_id("incident-from-warning")
    expect(box).to_contain_text(warning.ref)
    box.get_by_role("button").first.click()
    page.wait_for_load_state()
    incident = Incident.objects.get()
    assert page.url.endswith(f"/incidents/{incident.pk}/")
    expect(page.locator("h1")).to_contain_text("Lũ trên sông Hương vượt báo động 2")
    expect(page.get_by_test_id("incident-links")).to_contain_text(warning.ref)

    first, _ = rescue_request_create(actor=citizen, lat=STORY_LAT, lon=STORY_LON, people=3, needs=["trapped"],
                                     client_token="incident-e2e-0001")
    second, _ = rescue_request_create(actor=citizen, lat=STORY_LAT + 0.001, lon=STORY_LON, people=2,
                                      needs=["evacuation"], client_token="incident-e2e-0002")
    page.reload()
    expect(page.get_by_test_id("incident-proposals")).to_be_visible()
    for _ in range(2):
        page.get_by_test_id("proposal-accept").first.click()
        page.wait_for_load_state()
    links = page.get_by_test_id("incident-links")
    expect(links).to_contain_text(first.ref)
    expect(links).to_contain_text(second.ref)
    expect(page.get_by_test_id("incident-map")).to_have_attribute("data-points", "2")

    # "Start the response": the status moves on
    page.get_by_test_id("incident-activate").click()
    expect(page.get_by_test_id("incident-status")).to_have_text("Ứng phó")


def test_a_ward_official_of_another_ward_is_refused(login, operator, phu_xuan, thuan_hoa):
    from opencity.geo.models import Area
    from opencity.incidents import services

    incident = services.incident_open(actor=operator, kind="flood", name="Lũ tháng 11", level=3,
                                      area_ids=[phu_xuan.pk, thuan_hoa.pk])
    elsewhere = Area.objects.get(name="Phường Kim Long")
    official = User.objects.create_user("0905000071", PASSWORD, full_name="Cán Bộ Kim Long",
                                        role=Role.WARD_OFFICIAL, home_area=elsewhere)
    page = login(official)
    response = page.goto(f"/incidents/{incident.pk}/")
    assert response.status == 403
