"""The report form on a phone (issue 14, citizens 3 and 4): every error in one round with the
photo kept, each photo uploaded once, an oversized photo refused before upload, and a typed
street address that places an approximate pin until the person confirms or drags it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.geo.tests.nominatim_fixture import nominatim_fixture  # noqa: F401 — the "nominatim" fixture
from opencity.lib.models import StagedUpload
from opencity.reports.models import LocationPrecision, Report
from opencity.reports.tests.factories import jpeg_upload

STREET = "32 Lê Văn Hưu"


def _photo(tmp_path, name="den-hong.jpg", padding=0):
    path = tmp_path / name
    path.write_bytes(jpeg_upload(name, size=(640, 480)).read() + b"\0" * padding)
    return str(path)


def _watch_uploads(page):
    """Every POST: (url, size of its body as the page sent it, file names in it)."""
    seen = []

    def record(request):
        if request.method == "POST":
            body = request.post_data_buffer or b""
            names = [n.decode() for n in re.findall(rb'filename="([^"]*)"', body)]
            seen.append((request.url, len(body), names))

    page.on("request", record)
    return seen


@pytest.mark.parametrize("width", [390, 1366])
def test_errors_come_in_one_round_and_the_photo_is_kept(login, citizen, lighting, tmp_path, width):
    page = login(citizen, width=width)
    uploads = _watch_uploads(page)
    page.goto("/reports/new/")
    page.set_input_files("#id_photos", _photo(tmp_path))
    expect(page.locator("#staged-photos .staged-photo")).to_have_count(1)  # uploaded, with progress, once
    page.click("#report-form button[type=submit]")
    # Category, description and place: all said at once, and the photo is still there.
    for field in ("#id_category", "#id_description", "#id_address"):
        expect(page.locator(f".field.has-error:has({field}) .errorlist")).to_be_visible()
    expect(page.locator("#staged-photos .staged-photo img")).to_be_visible()
    assert page.locator("#staged-photos img").evaluate("img => img.naturalWidth") > 0
    assert Report.objects.count() == 0

    page.select_option("#id_category", str(lighting.pk))
    page.fill("#id_description", "Đèn đường hỏng trước số nhà 31")
    page.evaluate("""([lat, lon]) => document.getElementById('pick-map').dispatchEvent(
        new CustomEvent('opencity:set-place', {detail: {lat: lat, lon: lon}}))""", [STORY_LAT, STORY_LON])
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    report = Report.objects.get()
    assert report.photos.count() == 1 and report.location_precision == LocationPrecision.EXACT
    assert not StagedUpload.objects.exists()
    # The photo travelled once: to the staging endpoint, never with the form.
    assert len([u for u in uploads if "/reports/photos/stage/" in u[0]]) == 1, uploads
    for url, size, names in uploads:
        if "/reports/new/" in url:  # the form names the staged photo; its file field is empty
            assert size < 16_000 and all(n == "" for n in names), (url, size, names)
    assert not page.js_errors


def test_an_oversized_photo_is_refused_in_the_browser(login, citizen, tmp_path):
    page = login(citizen)
    uploads = _watch_uploads(page)
    page.goto("/reports/new/")
    page.set_input_files("#id_photos", _photo(tmp_path, "IMG_23MB.jpg", padding=23 * 1024 * 1024))
    expect(page.locator("#photo-errors")).to_contain_text("IMG_23MB.jpg")
    expect(page.locator("#photo-errors")).to_contain_text("10 MB")
    expect(page.locator("#staged-photos .staged-photo")).to_have_count(0)
    assert not [u for u in uploads if "/photos/stage/" in u[0]]
    assert not StagedUpload.objects.exists()
    # and a file that is no photo, by its type
    text = tmp_path / "giay-to.pdf"
    text.write_bytes(b"%PDF-1.4")
    page.set_input_files("#id_photos", str(text))
    expect(page.locator("#photo-errors")).to_contain_text("giay-to.pdf")


@pytest.mark.parametrize("width", [390, 1366])
def test_a_typed_street_address_places_an_approximate_pin_until_confirmed(login, citizen, lighting, nominatim,
                                                                          phu_xuan, tmp_path, width):
    nominatim.add(STREET, STORY_LAT, STORY_LON, "32, Lê Văn Hưu, Phường Phú Xuân, Huế")
    page = login(citizen, width=width)
    page.goto("/reports/new/")
    page.fill("#id_address", STREET)
    page.click("#find-address")
    confirm = page.locator("[data-testid=pin-approximate]")
    expect(confirm).to_be_visible()
    expect(page.locator("#pick-map .pin-pick.pin-approx")).to_have_count(1)
    expect(page.locator("#id_location_precision")).to_have_value("address")
    assert float(page.input_value("#id_lat")) == pytest.approx(STORY_LAT)

    # Sent unconfirmed (with an error elsewhere): still approximate on the form that comes back.
    page.set_input_files("#id_photos", _photo(tmp_path))
    expect(page.locator("#staged-photos .staged-photo")).to_have_count(1)
    page.click("#report-form button[type=submit]")
    expect(page.locator(".field.has-error:has(#id_category)")).to_be_visible()
    expect(confirm).to_be_visible()
    expect(page.locator("#pick-map .pin-approx")).to_have_count(1)

    page.get_by_role("button", name="Ghim đã đúng chỗ").click()
    expect(confirm).to_be_hidden()
    expect(page.locator("#pick-map .pin-approx")).to_have_count(0)
    expect(page.locator("#id_location_precision")).to_have_value("exact")
    page.select_option("#id_category", str(lighting.pk))
    page.fill("#id_description", "Đèn đường hỏng trước số nhà 31")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    report = Report.objects.get()
    assert report.location_precision == LocationPrecision.EXACT and report.area == phu_xuan


def test_an_unconfirmed_address_pin_is_stored_and_shown_as_approximate(login, citizen, lighting, nominatim,
                                                                       tmp_path):
    nominatim.add(STREET, STORY_LAT, STORY_LON, "32, Lê Văn Hưu, Phường Phú Xuân, Huế")
    page = login(citizen)
    page.goto("/reports/new/")
    page.select_option("#id_category", str(lighting.pk))
    page.fill("#id_description", "Đèn đường hỏng trước số nhà 31")
    page.set_input_files("#id_photos", _photo(tmp_path))
    expect(page.locator("#staged-photos .staged-photo")).to_have_count(1)
    page.fill("#id_address", STREET)
    page.press("#id_address", "Enter")  # Enter looks the address up, it does not send the form
    expect(page.locator("[data-testid=pin-approximate]")).to_be_visible()
    assert Report.objects.count() == 0
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    assert Report.objects.get().location_precision == LocationPrecision.ADDRESS
    expect(page.locator("[data-testid=place-precision]")).to_contain_text("Vị trí gần đúng")


def test_a_ward_only_report_is_not_a_pin_on_its_page(new_page, make_report, phu_xuan):
    report = make_report(lat=None, lon=None, address="phường Thuận Lộc")
    page = new_page()
    page.goto(f"/reports/{report.pk}/")
    expect(page.locator("[data-testid=place-precision]")).to_contain_text(f"Vị trí gần đúng: {phu_xuan.name}")
    page.wait_for_selector("#point-map.leaflet-container")
    expect(page.locator("#point-map .leaflet-marker-icon")).to_have_count(0)
