"""The privacy centre in the browser: a citizen takes a copy of their data (the JSON holds their
report), then deletes their account; afterwards the public page of the report and the API show
no trace of them, and the old password no longer signs in."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from opencity.conftest import PASSWORD


def test_a_citizen_exports_then_deletes_their_account(login, new_page, make_report, citizen):
    report = make_report(reporter_name="Nguyễn Văn An", reporter_phone="+84905000001")
    page = login(citizen)
    page.click("details.usermenu summary")
    page.click("[data-testid=menu-privacy]")
    page.wait_for_url("**/privacy/")
    expect(page.locator("[data-testid=section-reports]")).to_contain_text(report.ref)
    page.click("[data-testid=export-create]")
    expect(page.locator("[data-testid=export-json]").first).to_be_visible()
    with page.expect_download() as got:
        page.click("[data-testid=export-json] >> nth=0")
    data = json.loads(open(got.value.path(), encoding="utf-8").read())
    assert [r["ref"] for r in data["sections"]["reports"]["rows"]] == [report.ref]
    assert data["sections"]["account"]["rows"][0]["full_name"] == "Nguyễn Văn An"

    page.goto("/privacy/delete/")
    expect(page.locator("[data-testid=public-interest-note]")).to_contain_text("91/2025/QH15")
    page.fill("#id_password", PASSWORD)
    page.check("#id_confirm")
    page.click("[data-testid=delete-confirm]")
    expect(page.locator(".msg-success")).to_be_visible()
    assert page.js_errors == []

    visitor = new_page(width=1366)
    visitor.goto(f"/reports/{report.pk}/")
    body = visitor.locator("main").inner_text()
    assert "Điện đường bị hỏng" in body
    for trace in ("Nguyễn Văn An", "0905 000 001", "0905000001", citizen.citizen_id):
        assert trace not in visitor.content()
    api = visitor.request.get(f"/api/v1/reports/{report.pk}")
    assert api.ok
    for trace in ("Nguyễn Văn An", "0905000001", "+84905000001", citizen.citizen_id):
        assert trace not in api.text()

    again = new_page()
    again.goto("/accounts/login/")
    again.fill("#id_phone", "0905000001")
    again.fill("#id_password", PASSWORD)
    again.click("button[type=submit]")
    expect(again.locator(".msg-error, .errorlist").first).to_be_visible()
    assert "/accounts/login/" in again.url
