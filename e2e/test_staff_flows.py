"""IOC and unit page flows beyond the main story: merge, reject, moderation, return, questions
to the reporter, extensions, results that need the head's approval, disputes."""

from __future__ import annotations

from playwright.sync_api import expect

from opencity.lib.models import AuditLog
from opencity.reports import services
from opencity.reports.models import Report, Status


def test_operator_merges_a_duplicate_and_rejects_spam(login, make_report, citizen2, operator, lighting_rule):
    original = make_report()
    duplicate = make_report(reporter=citizen2, description="Đèn đường trước nhà 31 không sáng")
    spam = make_report(reporter=citizen2, description="Quảng cáo bán hàng, liên hệ 0909 999 999")

    ioc = login(operator, width=1366)
    ioc.goto("/ioc/triage/")
    expect(ioc.locator("table.list tbody tr")).to_have_count(3)
    ioc.click(f"text={duplicate.ref}")
    ioc.click("summary:has(.icon-link)")
    ioc.check(f"input[name=into][value='{original.pk}']")
    ioc.click("form[action$='/merge/'] button")
    expect(ioc.locator(".msg-success")).to_be_visible()
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == original
    assert original.follows.filter(user=citizen2).exists()

    ioc.goto(f"/staff/reports/{spam.pk}/")
    ioc.click("summary:has(.icon-ban)")
    ioc.select_option("#reject-reason", "spam")
    ioc.fill("#reject-note", "Nội dung quảng cáo, không phải phản ánh")
    ioc.click("form[action$='/reject/'] button")
    expect(ioc.locator(".msg-success")).to_be_visible()
    spam.refresh_from_db()
    assert spam.status == Status.REJECTED and spam.reject_reason == "spam"
    # The triage queue now holds only the original.
    ioc.goto("/ioc/triage/")
    expect(ioc.locator("table.list tbody tr")).to_have_count(1)
    # Acting again on the merged report is refused with a clear message, not an error page.
    ioc.goto(f"/staff/reports/{duplicate.pk}/")
    expect(ioc.locator("form[action$='/route/']")).to_have_count(0)


def test_moderation_hides_a_face_and_redacts_text_but_keeps_the_original(login, new_page, make_report, operator):
    from opencity.reports.tests.factories import jpeg_upload

    report = make_report(description="Xe biển số 75A-123.45 đỗ trên vỉa hè", photos=[jpeg_upload(size=(320, 240))])
    ioc = login(operator, width=1366)
    ioc.goto(f"/staff/reports/{report.pk}/")
    ioc.click("summary:has(.icon-shield)")
    ioc.fill("#mod-text", "Xe biển số *** đỗ trên vỉa hè")
    ioc.click("form[action$='/moderate_text/'] button")
    expect(ioc.locator(".msg-success")).to_be_visible()
    ioc.click("summary:has(.icon-shield)")
    ioc.click("form[action$='/moderate_photo/'] button[value=blur]")
    expect(ioc.locator(".msg-success")).to_be_visible()
    report.refresh_from_db()
    photo = report.photos.get()
    assert photo.original and photo.is_moderated
    assert AuditLog.objects.filter(action="report.moderate_text").exists()

    visitor = new_page()
    visitor.goto(f"/reports/{report.pk}/")
    expect(visitor.get_by_text("Xe biển số *** đỗ trên vỉa hè")).to_be_visible()
    assert "75A-123.45" not in visitor.content()
    assert visitor.request.get(f"/photos/{photo.pk}/original.jpg").status == 404


def test_unit_returns_a_report_and_asks_the_reporter(login, make_report, operator, officer, citizen, lighting_rule):
    first = make_report()
    second = make_report(description="Đèn chiếu sáng công viên bị vỡ")
    services.report_route(report_id=first.pk, actor=operator)
    services.report_route(report_id=second.pk, actor=operator)

    unit = login(officer, width=1366)
    unit.goto(f"/staff/reports/{first.pk}/")
    unit.click("summary:has(.icon-undo-2)")
    unit.fill("#ret-reason", "Cột đèn thuộc khu đô thị mới, do chủ đầu tư quản lý")
    unit.click("form[action$='/return/'] button")
    first.refresh_from_db()
    assert first.status == Status.NEW and first.unit is None

    unit.goto(f"/staff/reports/{second.pk}/")
    unit.click(".action-accept button")
    unit.click("summary:has(.icon-circle-help)")
    unit.fill("#ask-q", "Xin cho biết số cột đèn (ghi trên thân cột)?")
    unit.click("form[action$='/ask_info/'] button")
    expect(unit.locator(".msg-success")).to_be_visible()

    reporter = login(citizen)
    reporter.goto("/notifications/")
    expect(reporter.get_by_text(second.ref).first).to_be_visible()
    reporter.goto(f"/reports/{second.pk}/")
    reporter.fill("#answer-text", "Cột số 17")
    reporter.click("form[action$='/answer/'] button")
    expect(reporter.locator(".msg-success")).to_be_visible()
    second.refresh_from_db()
    assert not second.awaiting_citizen
    unit.goto(f"/staff/reports/{second.pk}/")
    expect(unit.locator(".timeline")).to_contain_text("Cột số 17")


def test_extension_and_result_approval_by_the_unit_head(login, make_report, operator, officer, unit_head,
                                                        urban_works, lighting_rule):
    urban_works.requires_result_approval = True
    urban_works.save()
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    due_before = Report.objects.get(pk=report.pk).due_at

    unit = login(officer, width=1366)
    unit.goto(f"/staff/reports/{report.pk}/")
    unit.click("summary:has(.icon-timer)")
    unit.fill("#ext-hours", "8")
    unit.fill("#ext-reason", "Chờ vật tư bóng đèn LED")
    unit.click("form[action$='/request_extension/'] button")
    expect(unit.locator(".msg-success")).to_be_visible()

    head = login(unit_head, width=1366)
    head.goto(f"/staff/reports/{report.pk}/")
    head.click("form[action$='/decide_extension/'] button[value='1']")
    expect(head.locator(".msg-success")).to_be_visible()
    report.refresh_from_db()
    assert report.due_at > due_before

    unit.goto(f"/staff/reports/{report.pk}/")
    unit.fill("#resolve-result", "Đã thay bóng LED mới")
    unit.click(".action-resolve button")
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS and report.result_pending

    head.goto(f"/staff/reports/{report.pk}/")
    head.click("form[action$='/decide_result/'] button[value='1']")
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and not report.result_pending


def test_a_dispute_reopens_the_report_when_the_ioc_agrees(login, make_report, operator, officer, citizen, lighting_rule):
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    services.report_resolve(report_id=report.pk, actor=officer, result="Đã sửa")

    reporter = login(citizen)
    reporter.goto(f"/reports/{report.pk}/")
    reporter.click("details.card summary")
    reporter.fill("#dispute-reason", "Đèn vẫn chưa sáng vào buổi tối")
    reporter.click("form[action$='/dispute/'] button")
    expect(reporter.locator(".msg-success")).to_be_visible()

    ioc = login(operator, width=1366)
    ioc.goto(f"/staff/reports/{report.pk}/")
    ioc.fill("#dd-note", "Đề nghị đơn vị kiểm tra lại")
    ioc.click("form[action$='/decide_dispute/'] button[value='1']")
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS and report.resolved_at is None


def test_an_officer_cannot_open_another_units_report(login, make_report, operator, other_officer, lighting_rule):
    report = make_report(is_public=False)
    services.report_route(report_id=report.pk, actor=operator)
    page = login(other_officer, width=1366)
    response = page.goto(f"/staff/reports/{report.pk}/")
    assert response.status == 404
    response = page.request.post(f"/staff/reports/{report.pk}/accept/")
    assert response.status in (403, 404)
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED


def test_the_hotline_files_a_report_for_a_caller(login, new_page, hotline, lighting, lighting_rule):
    page = login(hotline, width=1366)
    page.click("a[href$='?for=caller']")
    page.select_option("#id_category", str(lighting.pk))
    page.fill("#id_description", "Người dân gọi 1900 1075: đèn đường ở kiệt 32 Lê Văn Hưu không sáng")
    page.fill("#id_address", "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc")
    page.fill("#id_reporter_name", "Bà Nguyễn Thị Lan")
    page.fill("#id_reporter_phone", "0234 3812 345")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/reports/*/")
    report = Report.objects.get()
    assert report.channel == "hotline" and report.reporter is None
    assert report.reporter_phone == "+842343812345" and report.area.name == "Phường Phú Xuân"
    expect(page.locator("[data-testid=reporter]")).to_contain_text("Bà Nguyễn Thị Lan")
    visitor = new_page()
    visitor.goto(f"/reports/{report.pk}/")
    html = visitor.content()
    assert "Nguyễn Thị Lan" not in html and "3812" not in html
