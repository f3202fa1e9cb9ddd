"""Issue #14, citizens 5 and 8: a forgotten password, a password change, and "send the code
again" at sign-up, on a phone (390 px) and at a desk (1366 px). The SMS codes are read from the
test SMS outbox (the console backend), as a person reads them on their phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from opencity.accounts import services
from opencity.accounts.models import User
from opencity.conftest import PASSWORD
from opencity.notifications.sms import ConsoleBackend

NEW = "mat-khau-moi-2026"


def last_code(phone: str) -> str:
    message = [m for m in ConsoleBackend.outbox if m.to == phone][-1]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.mark.parametrize("width", [390, 1366])
def test_a_citizen_who_forgot_the_password_sets_a_new_one_by_sms(new_page, citizen, width):
    ConsoleBackend.outbox.clear()
    page = new_page(width=width)
    page.goto("/accounts/login/")
    page.get_by_test_id("forgot-password").click()
    page.wait_for_url("**/accounts/password/reset/**")
    page.fill("#id_phone", "0905 000 001")
    page.get_by_test_id("reset-send").click()
    expect(page.get_by_test_id("code-sent-to")).to_contain_text("0905 000 001")
    expect(page.get_by_test_id("code-sent-to")).not_to_contain_text("+84")
    expect(page.get_by_test_id("resend-code")).to_be_disabled()  # counting down
    expect(page.locator("[data-seconds]")).not_to_have_text("0")

    page.fill("#id_code", last_code(citizen.phone))
    page.fill("#id_password", NEW)
    page.fill("#id_password2", NEW)
    page.get_by_test_id("reset-submit").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    expect(page.locator(".msg-success")).to_be_visible()
    page.goto("/accounts/profile/")
    expect(page.get_by_test_id("profile-details")).to_contain_text("0905 000 001")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW)
    assert page.js_errors == []


def test_a_signed_in_citizen_changes_the_password_on_the_security_page(login, new_page, citizen):
    ConsoleBackend.outbox.clear()
    page = login(citizen)
    other = login(citizen)  # another phone of the same person
    page.goto("/accounts/security/")
    page.get_by_test_id("password-start").click()
    expect(page.get_by_test_id("code-sent-to")).to_contain_text("0905 000 001")
    page.fill("#id_current_password", PASSWORD)
    page.fill("#id_code", last_code(citizen.phone))
    page.fill("#id_password", NEW)
    page.fill("#id_password2", NEW)
    page.get_by_test_id("password-save").click()
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.get_by_test_id("password")).to_be_visible()  # still signed in here
    other.goto("/accounts/security/")
    other.wait_for_url("**/accounts/login/**")  # signed out there

    fresh = new_page()
    fresh.goto("/accounts/login/")
    fresh.fill("#id_phone", "0905 000 001")
    fresh.fill("#id_password", NEW)
    fresh.click("button[type=submit]")
    fresh.wait_for_url(lambda url: "/accounts/login" not in url)
    assert page.js_errors == []


def test_sign_up_can_send_the_code_again_after_the_countdown(new_page, monkeypatch):
    monkeypatch.setattr(services, "RESEND_SECONDS", 2)
    ConsoleBackend.outbox.clear()
    page = new_page()
    page.goto("/accounts/signup/")
    page.fill("#id_phone", "0912 345 678")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("code-sent-to")).to_contain_text("0912 345 678")
    resend = page.get_by_test_id("resend-code")
    expect(resend).to_be_disabled()
    expect(resend).to_be_enabled(timeout=10_000)  # when the wait is over
    page.fill("#id_full_name", "Lê Thị Mai")
    resend.click()
    expect(page.get_by_role("status").filter(has_text=re.compile("mã mới|new code"))).to_be_visible()
    assert len([m for m in ConsoleBackend.outbox if m.to == "+84912345678"]) == 2
    expect(page.locator("#id_full_name")).to_have_value("Lê Thị Mai")  # what was typed stays

    page.fill("#id_code", last_code("+84912345678"))
    page.fill("#id_password", "mot-mat-khau-dai")
    page.get_by_role("button", name=re.compile("Tạo tài khoản|Create my account")).click()
    expect(page.locator(".msg-success")).to_be_visible()
    assert User.objects.get(phone="+84912345678").full_name == "Lê Thị Mai"
    assert page.js_errors == []
