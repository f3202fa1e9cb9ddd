"""The seeds' story, end to end through the pages people use.

A citizen reports "Điện đường bị hỏng trước số nhà 31/32" at Kiệt 32 Lê Văn Hưu, phường Thuận
Lộc (today Phường Phú Xuân) with a photo; the IOC routes it to the urban-works company; the
company accepts it and publishes the result with a photo; a visitor sees the result but not
the reporter; the citizen rates it 5; the report is closed and its timeline shows every step.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from opencity.reports.models import CategoryQuestion, Report, Status
from opencity.reports.tests.factories import jpeg_upload

DESCRIPTION = "Điện đường bị hỏng trước số nhà 31/32. Mong cơ quan chức năng xử lý"
ADDRESS = "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc"
RESULT = ("Vấn đề quý ông, bà phản ánh, Công ty cổ phần môi trường và công trình đô thị xin thông báo "
          "kết quả như sau: Điện đường bị hỏng tại kiệt 32 Lê Văn Hưu (nay là đường Ngự Hà) phường "
          "Thuận Lộc đã được thay thế sửa chữa")


def _photo_file(tmp_path, name, color):
    path = tmp_path / name
    path.write_bytes(jpeg_upload(name, size=(640, 480), color=color, gps=(16.4745, 107.5755)).read())
    return str(path)


def test_street_light_story(login, new_page, citizen, operator, officer, lighting, lighting_rule,
                            urban_works, tmp_path):
    CategoryQuestion.objects.create(
        category=lighting, code="tinh-trang", label_vi="Tình trạng đèn", label_en="Light condition",
        kind="single", required=True,
        choices=[{"key": "off", "vi": "Tắt hẳn", "en": "Completely off"},
                 {"key": "flicker", "vi": "Chập chờn", "en": "Flickering"}],
    )

    # 1. The citizen submits the report, with a photo, on a phone.
    page = login(citizen)
    page.goto("/reports/new/")
    page.select_option("#id_category", label="Chiếu sáng công cộng")
    expect(page.get_by_text("Tình trạng đèn")).to_be_visible()
    page.get_by_label("Tắt hẳn").check()
    page.fill("#id_description", DESCRIPTION)
    page.set_input_files("#id_photos", _photo_file(tmp_path, "den-hong.jpg", (30, 30, 60)))
    # The photo's GPS position suggests the place (the pin is set from it).
    expect(page.locator("#place-status")).to_contain_text("Phường Phú Xuân")
    page.fill("#id_address", ADDRESS)
    page.click("#find-address")
    expect(page.locator("#place-status")).to_contain_text("Phường Phú Xuân")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    expect(page.locator(".msg-success")).to_be_visible()
    report = Report.objects.get()
    assert report.area.name == "Phường Phú Xuân"
    assert report.status == Status.NEW
    assert report.photos.count() == 1
    expect(page.get_by_text(DESCRIPTION)).to_be_visible()

    # 2. The IOC operator verifies it and routes it to the urban-works company (proposed).
    ioc = login(operator, width=1366)
    ioc.goto("/ioc/triage/")
    ioc.click(f"text={report.ref}")
    expect(ioc.locator("#route-unit")).to_have_value(str(urban_works.pk))
    ioc.click(".action-route button")
    expect(ioc.locator(".msg-success")).to_be_visible()
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED and report.unit == urban_works

    # 3. The company's officer accepts it and publishes the result with a photo.
    unit = login(officer, width=1366)
    unit.goto("/unit/inbox/")
    unit.click(f"text={report.ref}")
    unit.click(".action-accept button")
    expect(unit.locator(".msg-success")).to_be_visible()
    unit.fill("#resolve-result", RESULT)
    unit.set_input_files("#resolve-photos", _photo_file(tmp_path, "da-sua.jpg", (250, 220, 120)))
    unit.click(".action-resolve button")
    expect(unit.locator(".msg-success")).to_be_visible()
    report.refresh_from_db()
    assert report.status == Status.RESOLVED

    # 4. A visitor (not logged in) sees the result and its photo, but not who sent it.
    visitor = new_page(width=1366)
    visitor.goto(f"/reports/{report.pk}/")
    expect(visitor.locator("#result")).to_contain_text("đã được thay thế sửa chữa")
    result_img = visitor.locator("#result .photos img")
    expect(result_img).to_have_count(1)
    assert visitor.evaluate("(img) => img.complete && img.naturalWidth > 0", result_img.element_handle())
    html = visitor.content()
    for secret in (citizen.full_name, citizen.phone, "0905 000 001", "0905000001"):
        assert secret not in html
    expect(visitor.locator("[data-testid=reporter]")).to_have_count(0)

    # 5. The citizen rates it 5: the report is closed and the timeline shows every step.
    page.goto(f"/reports/{report.pk}/")
    page.click("label[for=star5]")
    page.click("#rate button")
    expect(page.locator(".msg-success")).to_be_visible()
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.rating == 5
    timeline = page.locator(".timeline")
    for step in ("Đã gửi phản ánh", "Đã xác minh và chuyển đơn vị xử lý", "Đơn vị đã tiếp nhận",
                 "Đã xử lý", "Người phản ánh đã đánh giá"):
        expect(timeline).to_contain_text(step)
    expect(page.locator(".badge.st-closed").first).to_be_visible()
    assert [e.action for e in report.events.order_by("created_at", "id")] == [
        "submit", "route", "accept", "resolve", "rate"
    ]
    for p in (page, ioc, unit, visitor):
        assert not p.js_errors, p.js_errors
