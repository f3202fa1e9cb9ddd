"""The installable app offline (issue 18, docs/offline.md): a report or an SOS written without a
network is kept on the phone (the outbox), shown as waiting, and sent once when the network
returns; a refusal is shown and kept; a page the phone does not keep shows the offline page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.lib.models import StagedUpload
from opencity.reports.models import Report
from opencity.reports.tests.factories import jpeg_upload

OUTBOX = "[data-testid=outbox] .outbox-item"


def _ready(page) -> None:
    """The service worker is installed and controls the page. A page opened while the worker
    was still activating may stay uncontrolled until its next load, as in a browser: reload it."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _attempt in range(3):
        if page.evaluate("!!navigator.serviceWorker.controller"):
            return
        page.reload()
    raise AssertionError(page.evaluate("""() => navigator.serviceWorker.getRegistration().then((r) => JSON.stringify({
        url: location.href, controller: !!navigator.serviceWorker.controller,
        active: r && r.active && r.active.state, waiting: r && !!r.waiting, installing: r && !!r.installing}))"""))


def _photo(tmp_path) -> str:
    path = tmp_path / "den-hong.jpg"
    path.write_bytes(jpeg_upload("den-hong.jpg", size=(1600, 1200)).read())
    return str(path)


def _posts(page, fragment: str) -> list[str]:
    seen: list[str] = []
    page.context.on("request", lambda r: seen.append(r.url) if r.method == "POST" and fragment in r.url else None)
    return seen


def _write_report(page, lighting, tmp_path, description="Đèn đường hỏng trước số nhà 31"):
    page.select_option("#id_category", str(lighting.pk))
    page.fill("#id_description", description)
    page.evaluate("""([lat, lon]) => document.getElementById('pick-map').dispatchEvent(
        new CustomEvent('opencity:set-place', {detail: {lat: lat, lon: lon}}))""", [STORY_LAT, STORY_LON])
    page.set_input_files("#id_photos", _photo(tmp_path))
    expect(page.locator("#staged-photos [data-local-photo] img")).to_have_count(1)  # kept on the phone


def test_a_report_written_offline_is_sent_once_when_the_network_returns(login, citizen, lighting, tmp_path):
    page = login(citizen)
    page.goto("/reports/new/")
    _ready(page)
    form_posts, photo_posts = _posts(page, "/reports/new/"), _posts(page, "/reports/photos/stage/")
    page.context.set_offline(True)
    _write_report(page, lighting, tmp_path)
    page.click("#report-form button[type=submit]")
    expect(page.locator("[data-testid=outbox-note]")).to_be_visible()
    expect(page.locator(OUTBOX)).to_have_count(1)
    expect(page.locator(OUTBOX).first).to_have_attribute("data-status", "waiting")
    expect(page.locator(OUTBOX).first).to_contain_text("Đang chờ mạng")
    assert Report.objects.count() == 0

    page.context.set_offline(False)  # the online event: sent, photo first, then the form
    expect(page.locator(OUTBOX).first).to_have_attribute("data-status", "sent", timeout=20_000)
    report = Report.objects.get()
    assert report.reporter == citizen and report.photos.count() == 1 and report.description.startswith("Đèn")
    assert not StagedUpload.objects.exists()
    expect(page.locator("[data-testid=outbox-ref]")).to_have_text(report.ref)
    assert page.locator("[data-testid=outbox-ref]").get_attribute("href") == f"/reports/{report.pk}/"

    page.reload()  # a page load and another online event send nothing again
    _ready(page)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(OUTBOX).first).to_have_attribute("data-status", "sent")
    page.wait_for_timeout(500)
    assert Report.objects.count() == 1
    assert len(form_posts) == 1 and len(photo_posts) == 1, (form_posts, photo_posts)
    assert not page.js_errors


def test_an_sos_written_offline_is_sent_once(login, citizen):
    from opencity.emergency.models import RescueRequest

    page = login(citizen)
    page.goto("/sos/")
    _ready(page)
    posts = _posts(page, "/sos/")
    page.context.set_offline(True)
    page.click("#sos-show-map")
    page.wait_for_selector("#sos-map.leaflet-container")
    page.evaluate("""([lat, lon]) => document.getElementById('sos-map').dispatchEvent(
        new CustomEvent('opencity:set-place', {detail: {lat: lat, lon: lon}}))""", [STORY_LAT, STORY_LON])
    page.click("[data-testid=sos-more] summary")
    page.fill("#id_people", "3")
    page.fill("#id_note", "Nước ngập tới mái nhà")
    page.click("[data-testid=sos-send]")
    expect(page.locator(OUTBOX).first).to_have_attribute("data-status", "waiting")
    assert RescueRequest.objects.count() == 0

    page.context.set_offline(False)
    expect(page.locator(OUTBOX).first).to_have_attribute("data-status", "sent", timeout=20_000)
    req = RescueRequest.objects.get()
    assert req.requester == citizen and req.people == 3
    expect(page.locator("[data-testid=outbox-ref]")).to_have_text(req.ref)
    page.reload()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert RescueRequest.objects.count() == 1 and len(posts) == 1, posts


def test_a_refused_report_is_kept_with_the_servers_message(login, citizen, lighting, tmp_path):
    page = login(citizen)
    page.goto("/reports/new/")
    _ready(page)
    page.context.set_offline(True)
    _write_report(page, lighting, tmp_path, description="")  # the description is required
    page.click("#report-form button[type=submit]")
    expect(page.locator(OUTBOX).first).to_have_attribute("data-status", "waiting")

    page.context.set_offline(False)
    item = page.locator(OUTBOX).first
    expect(item).to_have_attribute("data-status", "failed", timeout=20_000)
    expect(item).to_contain_text("Chưa gửi được")
    page.reload()  # kept: not dropped, not sent again
    expect(page.locator(OUTBOX).first).to_have_attribute("data-status", "failed")
    assert Report.objects.count() == 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(OUTBOX).first.get_by_role("button", name="Xoá").click()
    expect(page.locator(OUTBOX)).to_have_count(0)


def test_a_page_not_kept_shows_the_offline_page_and_the_form_still_opens(login, citizen):
    page = login(citizen)
    page.goto("/reports/new/")
    _ready(page)
    page.goto("/")
    page.context.set_offline(True)
    page.goto("/statistics/")
    expect(page.get_by_test_id("offline-page")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Bạn đang ngoại tuyến…")
    page.goto("/reports/new/")  # kept for this person: it opens, with a fresh one-time token
    expect(page.locator("#report-form")).to_be_visible()
    assert page.locator("html").get_attribute("data-from-cache") == "1"
    assert re.fullmatch(r"[0-9a-f]{32}", page.input_value("[name=client_token]"))
