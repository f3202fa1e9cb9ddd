"""Finding a report by its code, as callers quote it (issue #14, citizens 7), and the IOC list's
pages keeping their filter (operators 2), in a browser: a visitor on a phone types a code into
the public list's search and lands on the report; an operator at a desk finds a report by code
in triage, and page 2 of the overdue reports still lists overdue reports."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.reports.models import Report, Status


def test_a_visitor_types_a_code_in_the_public_list_and_lands_on_the_report(new_page, make_report):
    wanted = make_report(address="Kiệt 32 Lê Văn Hưu")
    make_report(description="Cây xanh ngã đổ chắn ngang đường Lê Lợi")
    page = new_page(width=390)
    page.goto("/reports/")
    search = page.locator("form.filters input[name=q]")
    expect(search).to_be_visible()
    search.fill(f"pa {wanted.pk}")  # lower case, a space, no leading zeros: as it is said
    # Enter is both a "change" of the field and a "submit" of the form: one search must reach the
    # end, or two redirects race and the first navigation is aborted (a CI failure once). Counted
    # as the page's htmx sees them: the network also shows the request htmx aborted, passed on
    # by the service worker (a second CI failure, with the worker controlling the first page).
    page.evaluate("""() => {
        sessionStorage.setItem("redirects", "0");
        document.body.addEventListener("htmx:beforeOnLoad", (e) => {
            if (e.detail.xhr.getResponseHeader("HX-Redirect")) {
                sessionStorage.setItem("redirects", String(Number(sessionStorage.getItem("redirects")) + 1));
            }
        });
    }""")
    search.press("Enter")
    page.wait_for_url(re.compile(rf"/reports/{wanted.pk}/$"))
    assert page.evaluate("sessionStorage.getItem('redirects')") == "1"
    expect(page.locator("main")).to_contain_text(wanted.ref)
    # the look-up box: the same code found; a private report is "not found", like a missing code
    private = make_report(is_public=False)
    page.goto("/reports/lookup/")
    box = page.get_by_role("searchbox", name="Tra cứu phản ánh của bạn")
    box.fill(private.ref)
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator(".lookup-error")).to_contain_text(f"Không có phản ánh nào mang mã {private.ref}")
    page.get_by_role("searchbox", name="Tra cứu phản ánh của bạn").fill(wanted.ref.lower())
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_url(re.compile(rf"/reports/{wanted.pk}/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.js_errors


def test_an_operator_finds_a_report_by_code_and_pages_through_overdue_reports(login, make_report, operator,
                                                                            lighting, phu_xuan, urban_works):
    wanted = make_report()
    make_report(description="Cây xanh ngã đổ chắn ngang đường Lê Lợi")
    past = timezone.now() - dt.timedelta(days=3)
    Report.objects.bulk_create(
        Report(category=lighting, area=phu_xuan, unit=urban_works, description=f"Đèn hỏng số {i}", lat=STORY_LAT,
               lon=STORY_LON, status=Status.ASSIGNED, assigned_at=past - dt.timedelta(days=2), due_at=past)
        for i in range(25)
    )
    Report.objects.bulk_create(  # open, on time: not overdue
        Report(category=lighting, area=phu_xuan, unit=urban_works, description=f"Đèn mờ số {i}", lat=STORY_LAT,
               lon=STORY_LON, status=Status.IN_PROGRESS, due_at=timezone.now() + dt.timedelta(days=3))
        for i in range(10)
    )
    page = login(operator, width=1366)

    page.goto("/ioc/triage/")
    page.locator("form.filters input[name=q]").fill(wanted.ref.lower().replace("pa", "PA "))
    page.locator("form.filters button[type=submit]").click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(wanted.ref)
    expect(rows.first.locator("time.waited")).to_contain_text("chờ")

    page.goto("/ioc/")
    page.locator(".kpi-cards a[data-figure=overdue]").click()
    page.wait_for_url(re.compile(r"/ioc/list/\?.*overdue=1"))
    expect(page.locator("#results")).to_contain_text("25 phản ánh")
    page.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "overdue=1" in page.url
    expect(page.locator("#results")).to_contain_text("25 phản ánh")
    expect(page.locator("#results .report-card")).to_have_count(5)
    expect(page.locator("#results")).not_to_contain_text("Đèn mờ")
    assert not page.js_errors
