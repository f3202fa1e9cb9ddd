"""The public statistics page in a browser: a visitor opens /statistics/ on a phone, sees each
unit's figures, and a unit's figure opens the list of exactly the reports it counts.

The reports are played through the services, so the KPI roll-ups are kept current by the
workflow's events as in production (each transaction commits here)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from opencity.reports import services


def _played(make_report, operator, officer, *, resolve=False, rating=None, reporter=None, **kwargs):
    report = make_report(**({"reporter": reporter} if reporter else {}), **kwargs)
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    if resolve:
        services.report_resolve(report_id=report.pk, actor=officer, result="Đã thay bóng đèn mới")
    if rating:
        services.report_rate(report_id=report.pk, actor=report.reporter, rating=rating)
    return report


def test_a_units_figure_lists_exactly_the_counted_reports(new_page, make_report, operator, officer,
                                                          lighting_rule, urban_works):
    rated = _played(make_report, operator, officer, resolve=True, rating=5)
    resolved = _played(make_report, operator, officer, resolve=True)
    _played(make_report, operator, officer)  # still in progress
    _played(make_report, operator, officer, resolve=True, is_public=False)  # private: not counted

    page = new_page(width=390)
    page.goto("/statistics/")
    expect(page.locator("h1")).to_be_visible()
    row = page.locator(f"tr[data-unit='{urban_works.pk}']")
    expect(row).to_be_visible()
    received = row.locator("a[data-figure=received]")
    expect(received).to_have_text("3")
    processed = row.locator("a[data-figure=processed]")
    assert processed.get_attribute("data-count") == "2"
    expect(processed).to_have_text(re.compile(r"66[,.]7%"))
    assert not page.js_errors

    processed.click()
    page.wait_for_url(re.compile(r"/reports/\?.*status=done"))
    cards = page.locator("ul.report-list li .meta")
    expect(cards).to_have_count(2)
    listed = set(cards.all_inner_texts())
    assert any(rated.ref in text for text in listed) and any(resolved.ref in text for text in listed)

    # the headline card for satisfaction opens the one report rated 4 or 5
    page.goto("/statistics/")
    page.locator(".kpi-cards a[data-figure=satisfied]").click()
    expect(page.locator("ul.report-list li .meta")).to_have_count(1)
    expect(page.locator("ul.report-list li .meta")).to_contain_text(rated.ref)


def test_the_statistics_page_sorts_and_filters_at_desktop_width(new_page, make_report, operator, officer,
                                                               lighting_rule, urban_works):
    _played(make_report, operator, officer, resolve=True, rating=4)
    page = new_page(width=1366, height=900)
    page.goto("/statistics/")
    expect(page.locator("nav.topnav a[href='/statistics/']")).to_be_visible()
    page.locator("th a", has_text=re.compile("Đơn vị|Unit")).click()
    page.wait_for_url(re.compile(r"sort=name"))
    expect(page.locator("th[aria-sort=ascending]")).to_have_count(1)
    page.select_option("select[name=period]", index=1)  # the current month
    page.locator(".stats-filters button").click()
    page.wait_for_url(re.compile(r"period=\d{4}-\d{2}"))
    expect(page.locator(f"tr[data-unit='{urban_works.pk}'] a[data-figure=received]")).to_have_text("1")
    assert not page.js_errors
