"""Issue #13, finding 5 — no per-account limits on costly actions — replayed for report submits
(web form, API, Open311) and rescue requests (SOS). Sign-in/SMS and push-subscription limits are
replayed in their own modules.

Before the fix every refused request below was accepted: 40 reports in 8 s through the API
became 40 reports, and one citizen filed 15 rescue requests for 500 people each.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from opencity.accounts import throttle
from opencity.accounts.models import ThrottleBlock
from opencity.accounts.services import api_token_issue
from opencity.conftest import PASSWORD, STORY_LAT, STORY_LON
from opencity.emergency.models import RescueRequest, Status
from opencity.lib.models import AuditLog
from opencity.open311.services import api_key_issue
from opencity.reports.models import Report
from opencity.reports.tests.factories import jpeg_upload

pytestmark = pytest.mark.django_db

TEL_LINKS = ('href="tel:112"', 'href="tel:114"', 'href="tel:115"', 'href="tel:19001075"')


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch):
    """The limits count in fixed windows of wall-clock time. Hold their clock one minute into
    a day (when every window of 10 minutes, an hour or a day starts), so that no test here runs
    across the end of a window by chance."""
    start = (time.time() // 86400) * 86400 + 60
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: start))


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user)}"}


def _api_submit(client, lighting, key: str, **extra):
    data = {
        "category": lighting.pk,
        "description": "Đèn đường bị hỏng trước số nhà 31/32",
        "lat": STORY_LAT,
        "lon": STORY_LON,
    }
    return client.post("/api/v1/reports", data, HTTP_IDEMPOTENCY_KEY=key, **extra)


def _retry_after(response) -> int:
    value = int(response["Retry-After"])
    assert value >= 1
    return value


def _web_form(lighting, token: str, **extra) -> dict:
    data = {
        "category": lighting.pk,
        "description": "Điện đường bị hỏng trước số nhà 31/32",
        "lat": str(STORY_LAT),
        "lon": str(STORY_LON),
        "address": "Kiệt 32 Lê Văn Hưu",
        "is_public": "on",
        "client_token": token,
        "photos": jpeg_upload(),
    }
    data.update(extra)
    return data


def _verified(user) -> Client:
    """A staff member's session with a verified second factor (staff roles and /admin/ need it)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# --- "One account sent 40 reports in 8 s through the API" ------------------------------------


def test_forty_reports_through_the_api_only_ten_are_made_and_retries_still_replay(
    client, citizen, lighting
):
    auth = _bearer(citizen)
    answers = [_api_submit(client, lighting, f"burst-{i:02d}", **auth) for i in range(40)]

    assert [r.status_code for r in answers] == [201] * 10 + [429] * 30
    refused = answers[10]
    body = refused.json()
    assert body["error"]["code"] == "rate_limited" and set(body) == {"error"}
    assert "1900 1075" in body["error"]["message"]  # where to go with something urgent
    assert 1 <= _retry_after(refused) <= 600
    assert Report.objects.filter(reporter=citizen).count() == 10  # nothing made by the refused

    # A retry of a report already made is free: it replays (201, the same report), even now.
    again = _api_submit(client, lighting, "burst-03", **auth)
    assert again.status_code == 201 and again.json()["id"] == answers[3].json()["id"]
    assert Report.objects.count() == 10
    # A refused one retried is still refused: it would create a report.
    assert _api_submit(client, lighting, "burst-11", **auth).status_code == 429

    block = ThrottleBlock.objects.get(limit="report.submit.account")
    assert block.key == f"user:{citizen.pk}" and block.in_force


def test_another_account_on_another_network_is_not_held_back(client, citizen, citizen2, lighting):
    auth = _bearer(citizen)
    for i in range(11):
        _api_submit(client, lighting, f"a-{i}", **auth)
    other = _api_submit(client, lighting, "b-0", REMOTE_ADDR="203.0.113.7", **_bearer(citizen2))
    assert other.status_code == 201


def test_one_network_is_held_back_across_accounts(client, lighting, settings):
    """The client limit: many accounts from one address (here 30 reports in 10 minutes)."""
    from opencity.accounts.models import Role, User

    users = [
        User.objects.create_user(
            f"09060000{i:02d}", PASSWORD, full_name=f"Người {i}", role=Role.CITIZEN
        )
        for i in range(4)
    ]
    codes = [
        _api_submit(client, lighting, f"n-{i}", **_bearer(users[i // 10])).status_code
        for i in range(31)
    ]
    assert codes == [201] * 30 + [429]
    assert ThrottleBlock.objects.get().limit == "report.submit.client"


# --- the web form and Open311, the same -------------------------------------------------------


def test_the_web_form_refuses_the_eleventh_report_and_keeps_what_was_typed(
    client, citizen, lighting
):
    client.force_login(citizen)
    first = [
        client.post(reverse("reports:new"), _web_form(lighting, f"form-{i:02d}")) for i in range(10)
    ]
    assert [r.status_code for r in first] == [302] * 10

    refused = client.post(
        reverse("reports:new"), _web_form(lighting, "form-10", description="Cây đổ chắn đường")
    )
    assert refused.status_code == 429 and 1 <= _retry_after(refused) <= 600
    assert refused.context["form"].non_field_errors()
    assert "Cây đổ chắn đường" in refused.content.decode()  # the form is kept, not lost
    assert Report.objects.count() == 10

    # A double tap on a form already sent still lands on its report.
    retry = client.post(reverse("reports:new"), _web_form(lighting, "form-04"))
    assert retry.status_code == 302 and retry["Location"] == first[4]["Location"]


def test_open311_posts_are_limited_per_client_in_the_open311_error_format(client, lighting):
    key, raw = api_key_issue(name="Đối tác", application="311 App", rate_limit_per_minute=1000)
    data = {
        "api_key": raw,
        "service_code": "chieu-sang",
        "lat": str(STORY_LAT),
        "long": str(STORY_LON),
        "description": "Đèn đường trước số nhà 31 bị tắt ba đêm nay.",
    }
    codes = [client.post("/open311/v2/requests.json", data).status_code for _ in range(30)]
    assert codes == [200] * 30

    refused = client.post("/open311/v2/requests.json", data)
    assert refused.status_code == 429 and 1 <= _retry_after(refused) <= 600
    [error] = refused.json()
    assert error["code"] == 429 and error["description"]
    assert Report.objects.count() == 30
    # another client with the same key is not held back
    assert (
        client.post("/open311/v2/requests.json", data, REMOTE_ADDR="198.51.100.9").status_code
        == 200
    )


# --- who is not limited ----------------------------------------------------------------------


def test_hotline_operators_filing_for_callers_are_not_limited(hotline, lighting):
    client = _verified(hotline)
    url = reverse("reports:new") + "?for=caller"
    codes = [
        client.post(
            url,
            _web_form(
                lighting,
                f"call-{i:02d}",
                photos="",
                reporter_name="Bà Lan",
                reporter_phone="0905123456",
            ),
        ).status_code
        for i in range(15)
    ]
    assert codes == [302] * 15
    assert Report.objects.filter(channel="hotline").count() == 15
    assert not ThrottleBlock.objects.exists()


def test_hotline_operators_file_rescue_requests_for_callers_without_limit(hotline):
    client = _verified(hotline)
    url = reverse("emergency:new_for_caller") + "?for=caller"
    for i in range(5):
        r = client.post(
            url,
            {
                "for": "caller",
                "lat": STORY_LAT,
                "lon": STORY_LON,
                "people": "200",
                "needs": ["evacuation"],
                "client_token": f"hotline-sos-{i:03d}",
                "caller_name": "Trưởng thôn",
                "caller_phone": "0905123456",
            },
        )
        assert r.status_code == 302  # a village of 200 is filed by an operator, not refused
    assert RescueRequest.objects.filter(filed_by=hotline).count() == 5


def test_staff_filing_reports_in_a_burst_are_not_limited(operator, lighting):
    """An IOC operator logs a storm's damage as themselves: 12 reports in a row."""
    client = _verified(operator)
    codes = [
        client.post(reverse("reports:new"), _web_form(lighting, f"ioc-{i:02d}")).status_code
        for i in range(12)
    ]
    assert codes == [302] * 12
    assert Report.objects.filter(reporter=operator).count() == 12


# --- staff see the block and lift it ---------------------------------------------------------


def test_an_administrator_sees_the_block_lifts_it_and_the_citizen_submits_again(
    client, citizen, admin_user, lighting
):
    auth = _bearer(citizen)
    for i in range(11):
        _api_submit(client, lighting, f"lift-{i}", **auth)
    assert _api_submit(client, lighting, "lift-11", **auth).status_code == 429

    admin = _verified(admin_user)
    listing = admin.get("/admin/accounts/throttleblock/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "report.submit.account" in page and f"user:{citizen.pk}" in page
    block = ThrottleBlock.objects.get()
    lifted = admin.post(
        "/admin/accounts/throttleblock/", {"action": "lift_blocks", "_selected_action": [block.pk]}
    )
    assert lifted.status_code == 302
    block.refresh_from_db()
    assert block.lifted_by == admin_user and not block.in_force
    assert AuditLog.objects.filter(action="throttle.lift", actor=admin_user).exists()

    assert _api_submit(client, lighting, "lift-12", **auth).status_code == 201


# --- "One citizen filed 15 rescue requests for 500 people each" -------------------------------


def _sos(client, token: str, **extra):
    data = {
        "lat": STORY_LAT,
        "lon": STORY_LON,
        "people": "500",
        "needs": ["trapped"],
        "note": "Nước ngập tới mái",
        "client_token": token,
    }
    data.update(extra)
    return client.post(reverse("emergency:new"), data)


def test_fifteen_rescue_requests_for_500_people_each(client, citizen):
    client.force_login(citizen)

    # 500 people from one phone: refused at the form, with where a large group should call.
    big = _sos(client, "sos-token-000")
    assert big.status_code == 400
    [message] = big.context["form"].errors["people"]
    assert "50" in message and "112" in message and "1900 1075" in message
    assert not RescueRequest.objects.exists()

    # A plausible request goes through.
    first = _sos(client, "sos-token-001", people="5")
    assert first.status_code == 302

    # The same person asks again: not refused in silence. The open request is shown, with
    # "this is a different emergency" and the numbers to call; nothing is sent yet.
    asked = _sos(client, "sos-token-002", people="5")
    assert asked.status_code == 409
    page = asked.content.decode()
    assert f'href="/sos/{RescueRequest.objects.get().pk}/"' in page
    assert 'name="another" value="1"' in page and all(link in page for link in TEL_LINKS)
    assert RescueRequest.objects.count() == 1

    # "This is a different emergency": a second (and third) open request is possible.
    for token in ("sos-token-002", "sos-token-003"):
        assert _sos(client, token, people="5", another="1").status_code == 302
    assert RescueRequest.objects.filter(requester=citizen, status=Status.NEW).count() == 3

    # The fourth within the hour is refused, with the numbers to call now.
    refused = [_sos(client, f"sos-token-{i:03d}", people="5", another="1") for i in range(4, 15)]
    assert {r.status_code for r in refused} == {429}
    page = refused[0].content.decode()
    assert all(link in page for link in TEL_LINKS)
    assert "112" in page and 1 <= _retry_after(refused[0]) <= 3600
    assert RescueRequest.objects.count() == 3
    assert ThrottleBlock.objects.filter(
        limit="sos.submit.account", key=f"user:{citizen.pk}"
    ).exists()

    # A retry of a request already sent still lands on it, and the SOS page says "call" at once.
    retry = _sos(client, "sos-token-001", people="5")
    assert retry.status_code == 302 and retry["Location"] == first["Location"]
    again = client.get(reverse("emergency:new"))
    assert again.status_code == 429 and all(link in again.content.decode() for link in TEL_LINKS)


def test_the_sos_page_shows_an_open_request_and_offers_a_different_emergency(client, citizen):
    client.force_login(citizen)
    _sos(client, "sos-open-0001", people="2")
    req = RescueRequest.objects.get()
    page = client.get(reverse("emergency:new")).content.decode()
    assert 'data-testid="sos-open"' in page and f'href="/sos/{req.pk}/"' in page
    assert 'data-testid="sos-another"' in page and 'name="another" value="1"' in page
    assert all(link in page for link in TEL_LINKS)

    # Once it is closed or cancelled, the form is the plain one again.
    client.post(
        reverse("emergency:cancel", args=[req.pk]),
        {"reason": "An toàn rồi", "version": req.version},
    )
    page = client.get(reverse("emergency:new")).content.decode()
    assert 'data-testid="sos-open"' not in page and 'name="another"' not in page


def test_the_sos_limit_page_speaks_vietnamese(client, citizen, settings):
    settings.OPENCITY_LIMITS = "sos.submit.account=1/3600"
    client.force_login(citizen)
    assert _sos(client, "sos-vi-000001", people="3").status_code == 302
    data = {
        "lat": STORY_LAT,
        "lon": STORY_LON,
        "people": "3",
        "needs": ["trapped"],
        "another": "1",
        "client_token": "sos-vi-000002",
    }
    refused = client.post(reverse("emergency:new"), data, HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 429
    assert re.search(r"phút|giờ", refused.content.decode())
    assert "Cấp cứu" in refused.content.decode()  # 115, labelled in Vietnamese
