"""The IOC console in a browser: an overdue report escalates and shows up in the overdue list;
a ward official sees only the ward's numbers; a headline card opens exactly the reports it
counts; the live feed shows a report submitted in another browser context."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from shapely.geometry import shape

from opencity.reports import services
from opencity.reports.models import Report
from opencity.reports.tests.factories import jpeg_upload


@pytest.fixture(autouse=True)
def _short_streams(settings):
    # EventSource reconnects by itself after a stream ends; short streams free the test
    # server's threads quickly.
    settings.OPENCITY_LIVE_STREAM_SECONDS = 4
    settings.OPENCITY_LIVE_POLL_SECONDS = 0.3


def _in_progress(make_report, operator, officer, unit, **kwargs) -> Report:
    report = make_report(**kwargs)
    services.report_route(report_id=report.pk, actor=operator, unit_id=unit.pk)
    services.report_accept(report_id=report.pk, actor=officer)
    return Report.objects.get(pk=report.pk)


def test_an_overdue_report_escalates_into_the_overdue_list(login, make_report, operator, officer, unit_head,
                                                            urban_works, lighting_rule):
    on_time = _in_progress(make_report, operator, officer, urban_works)
    late = _in_progress(make_report, operator, officer, urban_works)
    Report.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
    counts = services.deadlines_escalate()
    assert sum(counts.values()) >= 1

    page = login(unit_head, width=1366)
    # the head was told …
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text(late.ref)
    # … and the console lists it as overdue, not the one still on time
    page.goto("/ioc/")
    overdue = page.locator("#console-overdue")
    expect(overdue.locator(f"li[data-report='{late.pk}']")).to_be_visible()
    expect(overdue.locator(f"li[data-report='{on_time.pk}']")).to_have_count(0)
    card = page.locator(".kpi-cards a[data-figure=overdue]")
    expect(card).to_have_attribute("data-count", "1")
    expect(page.locator(f"tr[data-unit='{urban_works.pk}'] a[data-figure=overdue]")).to_have_text("1")
    assert not page.js_errors


def test_a_ward_official_sees_only_the_ward(login, make_report, ward_official, thuan_hoa, phu_xuan):
    inside = make_report()  # the seeds' street in Phú Xuân
    point = shape(thuan_hoa.boundary).representative_point()
    outside = make_report(lat=point.y, lon=point.x)
    assert (inside.area_id, outside.area_id) == (phu_xuan.pk, thuan_hoa.pk)

    page = login(ward_official, width=390)
    page.goto("/ioc/")
    expect(page.locator("h1")).to_have_text(re.compile("Trung tâm|console|Bảng điều hành", re.I))
    expect(page.locator("[data-scope=ward]")).to_contain_text(phu_xuan.name)
    expect(page.locator(".kpi-cards a[data-figure=received]")).to_have_attribute("data-count", "1")
    expect(page.locator("select[name=area]")).to_have_count(0)
    page.locator(".kpi-cards a[data-figure=received]").click()
    page.wait_for_url(re.compile(r"/ioc/list/"))
    expect(page.locator("ul.report-list li .meta")).to_have_count(1)
    expect(page.locator("ul.report-list")).to_contain_text(inside.ref)
    expect(page.locator("ul.report-list")).not_to_contain_text(outside.ref)
    # asking for the other ward by hand is refused
    response = page.goto(f"/ioc/?area={thuan_hoa.pk}")
    assert response.status == 403
    assert not page.js_errors


def test_a_headline_card_lists_exactly_the_counted_reports(login, make_report, operator, officer, leader,
                                                            urban_works, lighting_rule):
    done = [_in_progress(make_report, operator, officer, urban_works) for _i in range(2)]
    for r in done:
        services.report_resolve(report_id=r.pk, actor=officer, result="Đã thay bóng đèn mới")
    _in_progress(make_report, operator, officer, urban_works)  # still open
    make_report(is_public=False)  # private: counted on the console (staff), not on /statistics/

    page = login(leader, width=1366)
    page.goto("/ioc/")
    expect(page.locator("[data-chart=trend][data-ready='1']")).to_have_count(1)
    expect(page.locator("[data-console-map][data-ready='1']")).to_have_count(1)
    for figure, count in (("received", 4), ("processed", 2)):
        page.goto("/ioc/")
        card = page.locator(f".kpi-cards a[data-figure={figure}]")
        expect(card).to_have_attribute("data-count", str(count))
        card.click()
        page.wait_for_url(re.compile(r"/ioc/list/"))
        expect(page.locator("ul.report-list li .meta")).to_have_count(count)
    assert not page.js_errors


def test_the_live_feed_shows_a_report_submitted_elsewhere(login, citizen, operator, lighting, tmp_path):
    console = login(operator, width=1366)
    console.goto("/ioc/")
    expect(console.locator("body.live-on")).to_have_count(1, timeout=10_000)  # the stream is open
    before = console.locator(".kpi-cards a[data-figure=received]").get_attribute("data-count")

    # a citizen, in another browser context, submits a report through the page
    phone = login(citizen, width=390)
    phone.goto("/reports/new/")
    phone.select_option("#id_category", label="Chiếu sáng công cộng")
    phone.fill("#id_description", "Đèn đường tắt cả dãy trước số nhà 12 Lê Lợi")
    photo = tmp_path / "den.jpg"
    photo.write_bytes(jpeg_upload("den.jpg", size=(320, 240), color=(20, 20, 40)).read())
    phone.set_input_files("#id_photos", str(photo))
    phone.fill("#id_address", "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc")
    phone.click("#find-address")
    expect(phone.locator("#place-status")).to_contain_text("Phường Phú Xuân")
    phone.click("#report-form button[type=submit]")
    phone.wait_for_url(re.compile(r"/reports/\d+/$"))
    report = Report.objects.order_by("-pk").first()

    feed = console.locator("#live-feed")
    expect(feed.locator("li").first).to_contain_text(report.ref, timeout=15_000)
    # the headline follows without a reload
    expect(console.locator(".kpi-cards a[data-figure=received]")).to_have_attribute(
        "data-count", str(int(before) + 1), timeout=15_000)
    assert citizen.full_name not in feed.inner_text()
    assert not console.js_errors
