"""Citizen page flows: duplicates offered while reporting, bad input, the public list and map,
my reports, language, the installable app."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from opencity.reports import services
from opencity.reports.models import Report, Status
from opencity.reports.tests.factories import jpeg_upload


def test_a_similar_open_report_nearby_is_offered_and_followed_instead(login, make_report, citizen2, lighting):
    existing = make_report()
    page = login(citizen2)
    page.goto("/reports/new/")
    page.select_option("#id_category", str(lighting.pk))
    # Put the pin where the existing report is (as the device location would).
    page.evaluate("""([lat, lon]) => document.getElementById('pick-map').dispatchEvent(
        new CustomEvent('opencity:set-place', {detail: {lat: lat, lon: lon}}))""", [existing.lat + 0.0001, existing.lon])
    nearby = page.locator("#nearby .nearby")
    expect(nearby).to_contain_text(existing.ref)
    nearby.locator("button").first.click()
    page.wait_for_url(f"**/reports/{existing.pk}/")
    existing.refresh_from_db()
    assert existing.me_too_count == 1
    assert Report.objects.count() == 1
    expect(page.locator("[data-testid=me-too-count]")).to_have_text("1")


def test_bad_input_gets_clear_messages_and_saves_nothing(login, citizen, lighting, tmp_path):
    page = login(citizen)
    page.goto("/reports/new/")
    page.click("#report-form button[type=submit]")
    expect(page.locator(".errorlist").first).to_be_visible()
    assert Report.objects.count() == 0

    not_image = tmp_path / "giay-to.jpg"
    not_image.write_text("đây không phải là ảnh")
    page.select_option("#id_category", str(lighting.pk))
    page.fill("#id_description", "Đèn hỏng")
    page.set_input_files("#id_photos", str(not_image))
    page.fill("#id_address", "số 1 đường Không Tồn Tại, Hà Nội")
    page.click("#report-form button[type=submit]")
    expect(page.locator(".has-error .errorlist").first).to_be_visible()
    assert Report.objects.count() == 0
    # What was typed is still there.
    expect(page.locator("#id_description")).to_have_value("Đèn hỏng")


def test_public_list_map_and_filters(new_page, make_report, operator, officer, lighting_rule, thuan_hoa):
    a = make_report()
    b = make_report(description="Đèn đường tối om ở Lê Lợi", lat=thuan_hoa.lat, lon=thuan_hoa.lon, address="")
    services.report_route(report_id=b.pk, actor=operator)
    make_report(description="Phản ánh riêng tư", is_public=False)

    page = new_page(width=1366)
    page.goto("/reports/")
    expect(page.locator(".report-card")).to_have_count(2)  # the private one is not listed
    page.select_option("select[name=area]", str(thuan_hoa.pk))
    expect(page.locator(".report-card")).to_have_count(1)
    expect(page.locator(".report-card")).to_contain_text("Lê Lợi")

    page.goto("/reports/map/")
    expect(page.locator("[data-map-count]")).to_have_text("2")
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_attached()  # ward boundaries
    assert not page.js_errors, page.js_errors
    points = json.loads(page.request.get("/reports/points.geojson").text())
    assert {f["properties"]["id"] for f in points["features"]} == {a.pk, b.pk}
    for feature in points["features"]:
        assert set(feature["properties"]) <= {"id", "status", "category", "category_en", "icon", "created",
                                              "approx"}


def test_my_reports_notifications_and_english(login, make_report, citizen, operator, lighting_rule):
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    page = login(citizen)
    page.goto("/reports/mine/")
    expect(page.locator(".report-card")).to_contain_text(report.ref)
    expect(page.locator(".bell .count")).to_have_text("1")
    page.goto("/notifications/")
    expect(page.locator(".report-list")).to_contain_text(report.ref)
    # reading the inbox marks nothing read (a GET changes nothing); its button does
    page.reload()
    expect(page.locator(".bell .count")).to_have_text("1")
    page.click("[data-testid=mark-read]")
    expect(page.locator(".bell .count")).to_have_count(0)
    expect(page.locator("[data-testid=mark-read]")).to_have_count(0)
    page.click(".lang button")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Notifications")


def test_the_app_is_installable(new_page):
    page = new_page()
    page.goto("/")
    manifest = page.request.get("/manifest.webmanifest")
    assert manifest.ok and json.loads(manifest.text())["display"] == "standalone"
    assert page.request.get("/sw.js").ok
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    assert not page.js_errors


def test_result_photos_stay_hidden_until_published(new_page, make_report, operator, officer, lighting_rule):
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    assert report.status != Status.RESOLVED
    page = new_page()
    page.goto(f"/reports/{report.pk}/")
    expect(page.locator("#result")).to_have_count(0)
    services.report_resolve(report_id=report.pk, actor=officer, result="Đã thay bóng", photos=[jpeg_upload()])
    page.reload()
    expect(page.locator("#result img")).to_have_count(1)
