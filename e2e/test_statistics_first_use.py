"""Issue 14 in a browser: on /statistics/ a citizen reads each unit's full public name, a
figure opens a list whose heading says whose reports it shows and which figure, and numbers are
written one way (Vietnamese "66,7%"; English "66.7%"). At phone and desktop widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from opencity.reports import services

HEPCO = "Công ty Cổ phần Môi trường và Công trình đô thị Huế"


def _played(make_report, operator, officer, *, resolve=False):
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    if resolve:
        services.report_resolve(report_id=report.pk, actor=officer, result="Đã thay bóng đèn mới")
    return report


@pytest.mark.parametrize("width", [390, 1366])
def test_a_figure_opens_the_units_reports_under_a_heading_that_names_the_unit(
    new_page, make_report, operator, officer, lighting_rule, urban_works, width
):
    _played(make_report, operator, officer, resolve=True)
    _played(make_report, operator, officer, resolve=True)
    _played(make_report, operator, officer)

    page = new_page(width=width, height=900)
    page.goto("/statistics/")
    row = page.locator(f"tr[data-unit='{urban_works.pk}']")
    expect(row.locator("th")).to_contain_text(HEPCO)
    expect(row.locator("a[data-figure=processed]")).to_have_text("66,7%")  # Vietnamese decimal comma
    # the full name is readable: not cut off, and the page does not scroll sideways
    name_box = row.locator("th").bounding_box()
    assert name_box and name_box["width"] > 80
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    row.locator("a[data-figure=processed]").click()
    page.wait_for_url(re.compile(r"/statistics/reports/\?.*status=done"))
    heading = page.get_by_test_id("drill-heading")
    expect(heading).to_have_text(f"Phản ánh của {HEPCO} — đã xử lý")
    expect(page.locator("ul.report-list li .meta")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not page.js_errors


def test_numbers_in_english(new_page, make_report, operator, officer, lighting_rule, urban_works):
    _played(make_report, operator, officer, resolve=True)
    _played(make_report, operator, officer, resolve=True)
    _played(make_report, operator, officer)
    page = new_page(width=1366, height=900, locale="en-US")
    page.goto("/statistics/")
    row = page.locator(f"tr[data-unit='{urban_works.pk}']")
    expect(row.locator("a[data-figure=processed]")).to_have_text("66.7%")
    # the browser's helper (static/opencity/format.js) writes numbers as the server does
    page.add_script_tag(url="/static/opencity/format.js")
    assert page.evaluate("[OpenCity.format.number(1802), OpenCity.format.percent(12.5)]") == ["1,802", "12.5%"]


def test_the_browser_helper_writes_vietnamese_numbers(new_page, db):
    page = new_page(width=390)
    page.goto("/statistics/")
    page.add_script_tag(url="/static/opencity/format.js")
    assert page.evaluate("[OpenCity.format.number(1802), OpenCity.format.percent(12.5), OpenCity.format.number(null)]") == [
        "1.802", "12,5%", "—"]
