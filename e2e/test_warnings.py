"""Warnings in the browser: an operator composes a warning to two wards; a citizen of one of
them finds it in their notifications and on /warnings/; a citizen elsewhere gets nothing."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from shapely.geometry import shape

from opencity.accounts.models import User
from opencity.alerts.models import Alert
from opencity.conftest import PASSWORD
from opencity.geo.models import Area
from opencity.notifications.models import NotificationReceipt
from opencity.notifications.selectors import inbox

HEADLINE = "Cảnh báo lũ khẩn cấp trên sông Hương"


def test_a_warning_to_two_wards_reaches_their_citizens_and_no_one_else(login, operator):
    thuan_an = Area.objects.get(name="Phường Thuận An")
    phu_vang = Area.objects.get(name="Xã Phú Vang")
    kim_long = Area.objects.get(name="Phường Kim Long")
    inside = User.objects.create_user("0905000201", PASSWORD, full_name="Lê Thị Thuận", home_area=thuan_an)
    elsewhere = User.objects.create_user("0905000202", PASSWORD, full_name="Phan Kim Long", home_area=kim_long)

    # The operator composes and publishes.
    page = login(operator, width=1366)
    page.get_by_role("link", name=re.compile("Compose a warning|Soạn cảnh báo")).first.click()
    page.wait_for_url("**/warnings/new/")
    page.select_option("#id_event", "flood")
    page.select_option("#id_severity", "Extreme")
    page.select_option("#id_urgency", "Immediate")
    page.select_option("#id_response_type", "Evacuate")
    page.fill("#id_headline_vi", HEADLINE)
    page.fill("#id_description_vi", "Mực nước sông Hương tại Kim Long đã vượt báo động 3.")
    page.fill("#id_instruction_vi", "Di dời ngay đến điểm tránh trú gần nhất.")
    page.check(f"#target-areas input[value='{thuan_an.pk}']")
    # The second ward is picked on the map: a tap on it ticks its box.
    page.locator("#warning-target-map path.leaflet-interactive").nth(30).wait_for()
    inside_phu_vang = shape(phu_vang.boundary).representative_point()
    point = page.evaluate("""([lat, lon]) => {
        const el = document.getElementById('warning-target-map');
        const p = el._map.latLngToContainerPoint([lat, lon]);
        const box = el.getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", [inside_phu_vang.y, inside_phu_vang.x])
    page.mouse.click(*point)
    expect(page.locator(f"#target-areas input[value='{phu_vang.pk}']")).to_be_checked()
    expect(page.locator("[data-selected-count]")).to_contain_text("2")
    page.click("button.publish")
    page.wait_for_url(re.compile(r"/warnings/\d+/staff/$"))
    alert = Alert.objects.get()
    expect(page.locator("[data-stat=delivered]")).to_have_text("1")
    assert page.js_errors == []
    assert set(alert.latest.areas.all()) == {thuan_an, phu_vang}
    assert list(alert.latest.notice.receipts.all()) == []
    assert inbox(user=inside).filter(pk=alert.latest.notice_id).exists()

    # The citizen of Thuận An finds it in the notifications, then on the warnings page.
    citizen = login(inside)
    citizen.goto("/notifications/")
    link = citizen.get_by_role("link", name=re.compile(HEADLINE))
    expect(link).to_be_visible()
    link.click()
    citizen.wait_for_url(f"**/warnings/{alert.pk}/")
    expect(citizen.locator("[data-testid=warning-headline]")).to_contain_text(HEADLINE)
    expect(citizen.locator("[data-testid=warning-areas]")).to_contain_text("Phường Thuận An")
    citizen.goto("/warnings/")
    expect(citizen.locator("[data-testid=warning-card]").first).to_contain_text(HEADLINE)
    citizen.locator("#warnings-map path.leaflet-interactive").nth(1).wait_for()
    assert citizen.js_errors == []
    assert NotificationReceipt.objects.filter(user=inside, notification_id=alert.latest.notice_id).exists()

    # The citizen of Kim Long sees the public warning but gets no notification.
    other = login(elsewhere)
    other.goto("/notifications/")
    expect(other.get_by_role("link", name=re.compile(HEADLINE))).to_have_count(0)
    assert not inbox(user=elsewhere).filter(verb="warning").exists()
