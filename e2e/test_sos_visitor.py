"""SOS without an account (issue #14, citizens 2), on a phone (390 px) over a slow network: the
visitor reaches the numbers to tap at once, sends a request proven by the SMS code (read from the
test's SMS outbox, as the phone would show it) and follows it live; or asks to be called back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.notifications.sms import ConsoleBackend
from opencity.reports.tests.factories import jpeg_upload


@pytest.fixture
def sms():
    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()


def _slow_3g(page) -> None:
    """Chromium's "Slow 3G" preset: 400 ms latency, about 50 kB/s each way."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 400,
                                                  "downloadThroughput": 50 * 1024, "uploadThroughput": 50 * 1024})


def _visitor(new_page):
    page = new_page(width=390)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": STORY_LAT, "longitude": STORY_LON})
    _slow_3g(page)
    return page


def test_a_visitor_taps_sos_and_sends_a_request_verified_by_the_sms_code(new_page, sms, settings, tmp_path):
    settings.OPENCITY_HOTLINE_NUMBER = "1900 1075"
    from opencity.emergency.models import RescueRequest

    page = _visitor(new_page)
    page.goto("/", timeout=60_000)
    page.click("a.sos-chip")
    page.wait_for_url(re.compile(r"/sos/$"), timeout=60_000)
    # The numbers first, tappable, in view without scrolling.
    numbers = page.locator("[data-testid=call-numbers]").first
    for dial in ("112", "114", "115", "19001075"):
        link = numbers.locator(f"a[href='tel:{dial}']")
        expect(link).to_be_visible()
        assert link.bounding_box()["y"] < 844
    # One tap with what the phone knows: the location comes from the device, people default 1.
    expect(page.locator("#id_people")).to_have_value("1")
    page.fill("#id_phone", "0905 777 123")
    page.click("[data-testid=sos-send]")
    page.wait_for_url(re.compile(r"/sos/verify/$"), timeout=60_000)
    expect(page.locator("main")).to_contain_text("0905 777 123")
    assert sms and sms[-1].to == "+84905777123"
    code = re.search(r"\b(\d{6})\b", sms[-1].body).group(1)
    page.fill("#id_code", code)
    page.click("[data-testid=sos-code-send]")
    page.wait_for_url(re.compile(r"/sos/v/[\w-]+/$"), timeout=60_000)

    req = RescueRequest.objects.get()
    assert req.origin == "visitor" and req.area is not None and req.people == 1
    expect(page.locator("[data-testid=sos-live]")).to_have_attribute("data-status", "new")
    expect(page.locator("[data-testid=sos-visitor-info] a[href='tel:112']")).to_be_visible()
    # Details after sending.
    page.check("[data-testid=sos-details] input[name=needs][value=trapped]")
    page.fill("[data-testid=sos-details] textarea[name=note]", "Nước ngập tới mái nhà")
    photo = tmp_path / "mai-nha.jpg"
    photo.write_bytes(jpeg_upload("mai-nha.jpg", size=(640, 480), color=(40, 90, 160)).read())
    page.set_input_files("[data-testid=sos-details] input[name=photo]", str(photo))
    page.click("[data-testid=sos-details-send]")
    page.wait_for_load_state()
    req.refresh_from_db()
    assert req.needs == ["trapped"] and req.photos.count() == 1
    # the photo is shown back through the link (not a public media file)
    expect(page.locator("[data-testid=sos-photos] img")).to_have_count(1)
    page.locator("[data-testid=sos-photos] img").scroll_into_view_if_needed()
    page.wait_for_function("() => { const i = document.querySelector('[data-testid=sos-photos] img');"
                           " return i.complete && i.naturalWidth > 0; }")
    # Back on /sos/, the open request comes first.
    page.goto("/sos/", timeout=60_000)
    expect(page.locator("[data-testid=sos-open-link]")).to_have_text(req.ref)
    assert page.js_errors == []


def test_a_visitor_without_sms_asks_to_be_called_back(new_page, sms, login, operator):
    from opencity.emergency.models import RescueRequest

    page = _visitor(new_page)
    page.goto("/sos/", timeout=60_000)
    page.fill("#id_phone", "0905 777 124")
    page.click("[data-testid=sos-callback]")
    page.wait_for_url(re.compile(r"/sos/v/[\w-]+/$"), timeout=60_000)
    expect(page.locator("[data-testid=sos-visitor-info]")).to_contain_text("0905")
    assert sms == []
    req = RescueRequest.objects.get()
    assert req.origin == "callback"

    # The dispatch board sees it, marked unverified, with the number to call back.
    ioc = login(operator, width=1366)
    ioc.goto("/ioc/dispatch/")
    row = ioc.locator(f"[data-testid=dispatch-row][data-id='{req.pk}']")
    expect(row.locator("[data-testid=dispatch-callback]")).to_be_visible()
    expect(row.locator("a[href='tel:+84905777124']")).to_be_visible()
    assert page.js_errors == [] and ioc.js_errors == []
