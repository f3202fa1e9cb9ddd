"""The first screen and the navigation shell (issue #14): a visitor on a phone over a slow network
reaches the warnings in force, the SOS with numbers to call, the statistics and the report lookup
without scrolling; citizens have a tab bar with warnings pinned to the bottom edge; staff have a
side navigation grouped by process that does not wrap over the logo at 1366 px."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from opencity.accounts.models import User
from opencity.conftest import PASSWORD
from opencity.geo.models import Area

PHONE = {"width": 390, "height": 844}
# Emoji blocks (pictographs, symbols, dingbats): cheap phones draw them as empty boxes.
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B06\u23F0-\u23FF]")


def _flood_warning(*areas: Area, headline: str = "Lũ trên sông Hương vượt báo động 2"):
    from opencity.alerts.services import alert_publish

    return alert_publish(
        actor=None, event="flood", severity="Severe", urgency="Immediate", certainty="Likely",
        response_type="Prepare", headline_vi=headline, description_vi="Mực nước tiếp tục lên.",
        expires=timezone.now() + dt.timedelta(hours=12), area_ids=[a.pk for a in areas])


def _in_first_screen(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    tabbar = page.locator("nav.tabbar").bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= tabbar["y"]


def _slow_3g(page) -> None:
    """Chromium's own throttling: 400 ms round trips, about 400 kbit/s down."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 20_000})


def test_a_visitor_on_a_phone_reaches_warnings_sos_statistics_and_lookup_from_the_first_screen(new_page):
    _flood_warning(Area.objects.get(name="Phường Phú Xuân"))
    page = new_page(**PHONE)
    _slow_3g(page)
    page.goto("/")

    warning = page.locator("[data-testid=home-warning]")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("Lũ trên sông Hương")
    expect(warning).to_contain_text("Phường Phú Xuân")
    expect(page.locator("[data-testid=home-warnings] h2")).to_contain_text("trong thành phố")
    for selector in ("[data-testid=home-warning]", "a.sos-chip", "[data-testid=home-sos]",
                     "[data-testid=home-statistics]", "[data-testid=call-numbers] a[href='tel:112']",
                     "[data-testid=call-numbers] a[href='tel:19001075']", ".lookup-box input[name=code]"):
        assert _in_first_screen(page, selector), f"{selector} is not on the first screen"
    # The tab bar carries the warnings, with how many are in force.
    tab = page.locator("[data-testid=tab-warnings]")
    expect(tab).to_be_visible()
    expect(tab.locator(".tab-badge")).to_have_text("1")
    # No emoji anywhere on the first screen: icons are SVG.
    assert not EMOJI.search(page.locator("body").inner_text())
    assert page.locator("header.topbar svg.icon").count() >= 1
    assert page.js_errors == []

    tab.click()
    page.wait_for_url("**/warnings/")
    expect(page.locator("[data-testid=warning-card]")).to_have_count(1)


def test_a_citizen_sees_the_warnings_of_their_ward_first_and_the_rest_counted(login):
    phu_xuan, kim_long = Area.objects.get(name="Phường Phú Xuân"), Area.objects.get(name="Phường Kim Long")
    _flood_warning(phu_xuan, headline="Ngập sâu ở Phú Xuân")
    _flood_warning(kim_long, headline="Sạt lở bờ sông ở Kim Long")
    person = User.objects.create_user("0905000301", PASSWORD, full_name="Lê Thị Xuân", home_area=phu_xuan)

    page = login(person)
    page.goto("/")
    expect(page.locator("[data-testid=home-warnings] h2")).to_contain_text("nơi bạn ở")
    expect(page.locator("[data-testid=home-warning]")).to_have_count(1)
    expect(page.locator("[data-testid=home-warning]")).to_contain_text("Ngập sâu ở Phú Xuân")
    expect(page.locator("[data-testid=home-warnings]")).to_contain_text("Còn 1 cảnh báo khác")
    expect(page.locator("[data-testid=tab-warnings] .tab-badge")).to_have_text("2")


def test_with_no_warning_the_first_screen_says_so(new_page):
    page = new_page(**PHONE)
    page.goto("/")
    expect(page.locator("[data-testid=home-warnings] h2")).to_have_text(re.compile("Không có cảnh báo"))
    expect(page.locator("[data-testid=tab-warnings] .tab-badge")).to_have_count(0)


def test_the_tab_bar_stays_on_the_bottom_edge_of_a_short_page(new_page):
    page = new_page(**PHONE)
    page.goto("/accounts/login/")
    box = page.locator("nav.tabbar").bounding_box()
    assert abs(box["y"] + box["height"] - PHONE["height"]) <= 1
    # The tab "Gửi" sends a report; the list of reports is "Phản ánh" on the desktop bar.
    expect(page.locator("nav.tabbar a.tab-main")).to_have_attribute("href", "/reports/new/")


def test_the_operator_shell_is_a_grouped_side_navigation_that_fits_at_1366(login, operator):
    page = login(operator, width=1366)
    page.goto("/ioc/triage/")
    nav = page.locator("nav.sidenav")
    expect(nav).to_be_visible()
    expect(nav.locator(".sidenav-title")).to_contain_text(["Xử lý có thời hạn", "Xử lý tức thời", "Hỗ trợ chỉ huy điều hành"])
    # One row of top bar: nothing wraps over the logo.
    assert page.locator("header.topbar").bounding_box()["height"] < 70
    brand, end = page.locator(".brand").bounding_box(), page.locator(".topbar-end").bounding_box()
    assert brand["x"] + brand["width"] <= end["x"]
    nav.locator("a[href='/ioc/']").click()
    page.wait_for_url("**/ioc/")


def test_on_a_phone_the_staff_menu_opens_as_a_drawer(login, operator):
    page = login(operator)
    page.goto("/ioc/triage/")
    nav = page.locator("nav.sidenav")
    expect(nav).to_be_hidden()
    page.click("[data-testid=menu-btn]")
    expect(nav).to_be_visible()
    expect(page.locator("[data-testid=menu-btn]")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    page.locator("nav.tabbar a.tab-menu").click()
    expect(nav).to_be_visible()
    nav.locator("a[href='/warnings/new/']").click()
    page.wait_for_url("**/warnings/new/")
