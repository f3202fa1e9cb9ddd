"""The profile page in the browser: a citizen sets their home ward, another shares where they
are (the device's position); a warning for that ward reaches both, in their notifications,
and nobody else. A position outside the city is refused on the page and nothing is saved."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from opencity.accounts.models import User
from opencity.alerts import services as alert_services
from opencity.alerts.tests.factories import content
from opencity.conftest import PASSWORD, STORY_LAT, STORY_LON
from opencity.geo.models import Area
from opencity.notifications.selectors import inbox

HEADLINE = "Cảnh báo ngập sâu tại phường Phú Xuân"
HANOI = {"latitude": 21.0285, "longitude": 105.8542}


def test_home_ward_and_shared_location_both_receive_the_wards_warning(login, citizen, citizen2, operator):
    phu_xuan = Area.objects.get(name="Phường Phú Xuân")
    kim_long = Area.objects.get(name="Phường Kim Long")
    elsewhere = User.objects.create_user("0905000203", PASSWORD, full_name="Phan Kim Long", home_area=kim_long)

    # 1. The first citizen opens the profile from the account menu and chooses the home ward.
    page = login(citizen)
    page.click("details.usermenu summary")
    page.click("[data-testid=menu-profile]")
    page.wait_for_url("**/accounts/profile/")
    page.select_option("#id_home_area", label="Phường Phú Xuân")
    page.click("[data-testid=home-save]")
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator("[data-testid=home-ward-name]")).to_contain_text("Phường Phú Xuân")
    citizen.refresh_from_db()
    assert citizen.home_area == phu_xuan and citizen.last_location_at is None
    assert page.js_errors == []

    # 2. The second citizen, at Kiệt 32 Lê Văn Hưu today, turns on "warnings for where I am".
    other = login(citizen2)
    other.context.grant_permissions(["geolocation"])
    other.context.set_geolocation({"latitude": STORY_LAT, "longitude": STORY_LON})
    other.goto("/accounts/profile/")
    expect(other.locator("[data-testid=privacy-note]")).to_contain_text("91/2025/QH15")
    expect(other.locator("[data-testid=location-switch]")).not_to_be_checked()
    other.click("[data-testid=location-switch]")
    other.wait_for_load_state()
    expect(other.locator(".msg-success")).to_contain_text("Phường Phú Xuân")
    expect(other.locator("[data-testid=location-switch]")).to_be_checked()
    expect(other.locator("[data-testid=location-status]")).to_contain_text("Phường Phú Xuân")
    citizen2.refresh_from_db()
    assert citizen2.home_area is None and citizen2.last_location_area == phu_xuan
    assert abs(citizen2.last_location_lat - STORY_LAT) < 1e-4 and abs(citizen2.last_location_lon - STORY_LON) < 1e-4
    assert other.js_errors == []

    # 3. A warning for Phú Xuân (composed through the service) reaches both, once each.
    now = dt.datetime.now(dt.UTC)
    alert_services.alert_publish(actor=operator, **content(headline_vi=HEADLINE, area_ids=[phu_xuan.pk],
                                                           effective=now, expires=now + dt.timedelta(hours=6)))
    for person in (citizen, citizen2):
        person.refresh_from_db()
        assert inbox(user=person).filter(verb="warning").count() == 1
    assert not inbox(user=elsewhere).exists()
    for person in (page, other):
        person.goto("/notifications/")
        expect(person.get_by_text(HEADLINE)).to_be_visible()
        expect(person.locator(".bell .count")).to_have_text("1")

    # 4. The second citizen erases the location: the next warning no longer reaches them.
    other.goto("/accounts/profile/")
    other.click("[data-testid=location-switch]")
    other.wait_for_load_state()
    expect(other.locator("[data-testid=location-switch]")).not_to_be_checked()
    citizen2.refresh_from_db()
    assert citizen2.last_location_at is None and citizen2.last_location_lat is None
    alert_services.alert_publish(actor=operator, **content(headline_vi="Cảnh báo lần hai", area_ids=[phu_xuan.pk]))
    # (nor is the first one in their inbox any more: it reached them by the location they erased
    # and they had not opened it — docs/alerts.md, "What a person sees over time")
    citizen.refresh_from_db()
    assert inbox(user=citizen2).filter(verb="warning").count() == 0
    assert inbox(user=citizen).filter(verb="warning").count() == 2


def test_find_my_ward_and_a_position_outside_the_city(login, citizen):
    page = login(citizen, width=1366)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(HANOI)
    page.goto("/accounts/profile/")
    page.click("[data-testid=share-location]")
    expect(page.locator("[data-testid=location-error]")).to_be_visible()
    citizen.refresh_from_db()
    assert citizen.last_location_at is None

    page.context.set_geolocation({"latitude": STORY_LAT, "longitude": STORY_LON})
    page.click("[data-testid=home-from-location]")
    expect(page.locator("[data-testid=home-ward-name]")).to_contain_text("Phường Phú Xuân")
    expect(page.locator("#id_home_area option:checked")).to_have_text("Phường Phú Xuân")
    citizen.refresh_from_db()
    assert citizen.home_area.name == "Phường Phú Xuân" and citizen.last_location_at is None
    assert page.js_errors == []
