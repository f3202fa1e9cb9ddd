"""The browsers signed in to an account (issue 18, docs/security.md#sessions): a citizen sees
their two browsers, this one marked, and signs the other out, then everywhere else."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from opencity.accounts.models import ApiToken
from opencity.accounts.services import api_token_issue


def test_a_citizen_signs_out_their_other_browser_then_everywhere_else(login, citizen):
    phone, laptop = login(citizen, width=390), login(citizen, width=1366)
    phone.goto("/accounts/security/#sessions")
    rows = phone.get_by_test_id("session-row")
    expect(rows).to_have_count(2)
    expect(rows.first.get_by_test_id("session-current")).to_have_text("Trình duyệt này")
    expect(rows.first).to_contain_text("Chrome trên Linux")
    expect(rows.first).to_contain_text("vừa hoạt động")
    rows.nth(1).get_by_test_id("session-end").click()
    expect(phone.locator(".msg-success, [role=status]").first).to_contain_text("Trình duyệt đó đã được đăng xuất")
    expect(rows).to_have_count(1)
    laptop.goto("/accounts/security/")
    expect(laptop).to_have_url(re.compile(r"/accounts/login/"))

    laptop = login(citizen, width=1366)  # signed in again, and an app with a token
    api_token_issue(user=citizen, name="Hue-S")
    phone.goto("/accounts/security/")
    expect(rows).to_have_count(2)
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_test_id("sessions-end-others").click()
    expect(rows).to_have_count(1)
    assert not ApiToken.objects.filter(user=citizen).filter(ApiToken.usable_q()).exists()
    laptop.goto("/accounts/security/")
    expect(laptop).to_have_url(re.compile(r"/accounts/login/"))
    assert not phone.js_errors
