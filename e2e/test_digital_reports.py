"""Digital reports in a browser: a city leader generates the city's report for this month on a
phone, downloads the XLSX, and the workbook opens with the number of reports received; a ward
official sees only the home ward. Background jobs run at once here (huey immediate), after the
request's commit, as the worker would run them."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from opencity.ioc.digital.xlsx import SUMMARY_HEADER_ROW
from opencity.reports import kpi, services


def test_a_leader_generates_and_downloads_the_citys_report(login, leader, make_report, operator, officer,
                                                           lighting_rule, tmp_path):
    reports = [make_report() for _i in range(3)]
    for report in reports[:2]:
        services.report_route(report_id=report.pk, actor=operator)
        services.report_accept(report_id=report.pk, actor=officer)
    services.report_resolve(report_id=reports[0].pk, actor=officer, result="Đã thay bóng đèn mới")
    month = kpi.Period.of("month", timezone.localdate())
    received = kpi.figures(kpi.Scope(period=month)).received
    assert received == 3

    page = login(leader, width=390)
    page.goto("/ioc/reports/")
    expect(page.locator("h1")).to_be_visible()
    page.select_option("#id_month", month.key)
    page.select_option("#id_level", "city")
    expect(page.locator("#id_area")).to_be_hidden()  # the ward menu is for a ward's report only
    page.check("input[name=format][value=xlsx]")
    page.click("[data-testid=generate]")
    page.wait_for_url("**/ioc/reports/#report-*")
    row = page.locator("li.digital-row").first
    expect(row).to_have_attribute("data-status", "ready")
    expect(row).to_contain_text(f"{month.start:%m/%Y}")

    with page.expect_download() as info:
        row.locator("[data-testid=download]").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert "Huế" in download.suggested_filename
    path = tmp_path / "report.xlsx"
    download.save_as(path)
    ws = load_workbook(BytesIO(path.read_bytes())).worksheets[0]
    figures = {r[4]: r[1] for r in ws.iter_rows(min_row=SUMMARY_HEADER_ROW + 1, values_only=True) if r[4]}
    assert figures["received"] == received == 3
    assert figures["processed"] == 1 and abs(figures["processing_rate"] - 1 / 3) < 1e-9
    assert not page.js_errors


def test_a_ward_official_sees_only_the_home_ward(login, ward_official, phu_xuan):
    page = login(ward_official, width=1366)
    page.goto("/ioc/reports/")
    expect(page.locator("#id_level option")).to_have_count(1)
    expect(page.locator("#id_area")).to_be_visible()
    expect(page.locator("#id_area option")).to_have_count(1)
    expect(page.locator("#id_area option:checked")).to_have_text(phu_xuan.name)
    page.click("[data-testid=subscribe]")
    expect(page.locator(".digital-sub-list li")).to_have_count(1)
    expect(page.locator(".digital-sub-list li")).to_contain_text(phu_xuan.name)
    assert not page.js_errors
