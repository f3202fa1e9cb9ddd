"""The hotline, end to end: a call from the telephone exchange is offered to a free operator,
who takes it and files a field report for the caller; the report then follows the normal
lifecycle (the IOC routes it, the unit accepts and resolves it) and the call's page shows the
linked report's status. Bad input to the new endpoints gets a clear 4xx."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from opencity.hotline.exchange import sign
from opencity.hotline.models import Call, CallState
from opencity.reports.models import Report, Status
from opencity.reports.tests.factories import jpeg_upload

SECRET = "e2e-exchange-secret-5b7c1d"
CALLER = "0905 777 888"
DESCRIPTION = "Người dân gọi 1900 1075: cây đổ chắn ngang kiệt 32 Lê Văn Hưu sau mưa lớn"
RESULT = "Đã cắt dọn cây đổ, thông tuyến kiệt 32 Lê Văn Hưu."


@pytest.fixture
def exchange(settings, live_server):
    """Send a signed event to the live server, as the telephone exchange does."""
    settings.OPENCITY_HOTLINE_WEBHOOK_SECRET = SECRET

    def send(page, payload, *, key: str = SECRET, raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(payload).encode()
        ts = str(int(time.time()))
        return page.request.post(f"{live_server.url}/hotline/exchange/events", data=body, headers={
            "Content-Type": "application/json", "X-OpenCity-Timestamp": ts,
            "X-OpenCity-Signature": sign(key, ts, body)})

    return send


def _event(kind: str, **extra) -> dict:
    from django.utils import timezone

    return {"event": f"call.{kind}", "call_id": "pbx-e2e-0001", "from": CALLER.replace(" ", ""),
            "to": "19001075", "at": timezone.now().isoformat(), **extra}


def _photo(tmp_path) -> str:
    path = tmp_path / "da-don.jpg"
    path.write_bytes(jpeg_upload("da-don.jpg", size=(640, 480), color=(90, 140, 60)).read())
    return str(path)


def test_a_hotline_call_becomes_a_field_report_that_follows_the_normal_lifecycle(
        login, new_page, exchange, hotline, operator, officer, lighting, lighting_rule, urban_works, tmp_path):
    # 1. The hotline operator opens the console and says they are available.
    console = login(hotline, width=1366)
    console.click("nav.sidenav >> a[href='/hotline/']")
    console.wait_for_url("**/hotline/")
    console.click("[data-testid=go-available]")
    expect(console.locator("[data-testid=go-away]")).to_be_visible()

    # 2. The exchange reports a call; within seconds the console offers it to the operator.
    r = exchange(console, _event("started"))
    assert r.status == 200, r.text()
    call = Call.objects.get()
    assert call.offered_to == hotline and call.state == CallState.RINGING
    incoming = console.locator("[data-testid=incoming-call]")
    expect(incoming).to_be_visible(timeout=10_000)
    expect(incoming.locator("[data-testid=incoming-phone]")).to_have_text(CALLER)
    incoming.locator("[data-testid=take-call]").click()
    console.wait_for_url(f"**/hotline/calls/{call.pk}/")
    expect(console.locator("[data-testid=call-state]")).to_have_class(re.compile("hl-st-answered"))
    assert exchange(console, _event("answered", extension="101")).status == 200

    # 3. From the call, a field report for the caller: the number is filled in already.
    console.click("[data-testid=file-report]")
    console.wait_for_url(re.compile(rf"/reports/new/\?for=caller&call={call.pk}$"))
    expect(console.locator("#id_reporter_phone")).to_have_value(CALLER)
    console.select_option("#id_category", str(lighting.pk))
    console.fill("#id_description", DESCRIPTION)
    console.fill("#id_address", "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc")
    console.fill("#id_reporter_name", "Ông Lê Văn Gọi")
    console.click("#report-form button[type=submit]")
    console.wait_for_url(f"**/hotline/calls/{call.pk}/")
    report = Report.objects.get()
    assert report.channel == "hotline" and report.reporter_phone == "+84905777888"
    linked = console.locator("[data-testid=linked-report]")
    expect(linked).to_contain_text(report.ref)
    expect(linked.locator("[data-testid=linked-report-status]")).to_have_class(re.compile("st-new"))

    # 4. The operator ends the call; topic and outcome were set by the link.
    expect(console.locator("#id_outcome")).to_have_value("report_created")
    console.click("[data-testid=end-call]")
    expect(console.locator("[data-testid=call-state]")).to_have_class(re.compile("hl-st-ended"))
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.operator == hotline and call.topic == "field_report"
    assert list(call.reports.all()) == [report]

    # 5. The IOC routes it (the urban-works company is proposed), as any report.
    ioc = login(operator, width=1366)
    ioc.goto("/ioc/triage/")
    ioc.click(f"text={report.ref}")
    expect(ioc.locator("#route-unit")).to_have_value(str(urban_works.pk))
    ioc.click(".action-route button")
    expect(ioc.locator(".msg-success")).to_be_visible()

    # 6. The unit accepts it and publishes the result.
    unit = login(officer, width=1366)
    unit.goto("/unit/inbox/")
    unit.click(f"text={report.ref}")
    unit.click(".action-accept button")
    expect(unit.locator(".msg-success")).to_be_visible()
    unit.fill("#resolve-result", RESULT)
    unit.set_input_files("#resolve-photos", _photo(tmp_path))
    unit.click(".action-resolve button")
    expect(unit.locator(".msg-success")).to_be_visible()
    report.refresh_from_db()
    assert report.status == Status.RESOLVED

    # 7. The call's page shows the linked report as resolved.
    console.reload()
    status = console.locator("[data-testid=linked-report-status]")
    expect(status).to_have_class(re.compile("st-resolved"))
    expect(status).to_have_text("Đã xử lý")

    # The caller's number is never public: not on the report's public page.
    visitor = new_page()
    visitor.goto(f"/reports/{report.pk}/")
    html = visitor.content()
    assert "777 888" not in html and "905777888" not in html and "Lê Văn Gọi" not in html
    for p in (console, ioc, unit, visitor):
        assert not p.js_errors, p.js_errors


def test_bad_input_to_the_new_endpoints_gets_a_clear_4xx(login, new_page, exchange, hotline, citizen, live_server):
    page = login(hotline, width=390)
    # the exchange's webhook
    assert exchange(page, _event("started"), key="wrong-secret").status == 403
    bad = exchange(page, None, raw=b"{not json")
    assert bad.status == 400 and bad.json()["error"] == "json_invalid"
    field = exchange(page, _event("started", at="hôm qua"))
    assert field.status == 400 and field.json()["field"] == "at"
    assert page.request.get(f"{live_server.url}/hotline/exchange/events").status == 405
    assert not Call.objects.exists()
    # the console's form: a number that is not Vietnamese stays on the page with the error
    page.goto("/hotline/")
    page.fill("#id_phone", "12345")
    page.select_option("#id_topic", "complaint")
    page.select_option("#id_outcome", "resolved")
    with page.expect_response(lambda r: r.url.endswith("/hotline/calls/new/")) as info:
        page.click("[data-testid=log-call]")
    assert info.value.status == 400
    expect(page.locator("[data-testid=log-form] .has-error")).to_have_count(1)
    assert not Call.objects.exists()
    page.fill("#id_phone", "0905 777 888")
    page.click("[data-testid=log-call]")
    page.wait_for_url(re.compile(r"/hotline/calls/\d+/$"))
    assert Call.objects.get().phone == "+84905777888"
    # a citizen is refused
    other = login(citizen)
    assert other.goto("/hotline/").status == 403
    assert other.goto(f"/hotline/calls/{Call.objects.get().pk}/").status == 403
    assert not page.js_errors
