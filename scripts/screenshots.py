"""Take the documentation screenshots (docs/screenshots/) from a running server with the demo
pack: `make run` in one terminal, then `.venv/bin/python manage.py demo_warning` (a flood warning
in force, as the first screen shows it) and `.venv/bin/python scripts/screenshots.py`.

Pages at 390 px (phone) and 1366 px (desktop), in Vietnamese, with Debian's Chromium.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "hue-demo-2025"
KEYS = Path(__file__).resolve().parent.parent / "var" / "screenshots-totp.json"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CITIZEN, OPERATOR, OFFICER, LEADER = "0901000001", "0901000002", "0901000003", "0901000007"


def _code(secret: str) -> str:
    """The current code of an authenticator app holding ``secret`` (base32), as a phone computes it."""
    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret)):06d}"


def sign_in(page, phone: str) -> None:
    """Sign in as a person does. Staff roles must use two-factor sign-in: at their first sign-in
    the demo's staff enrol an authenticator (the key is kept in var/ for the next run), later they
    type its current code."""
    page.goto(f"{BASE}/accounts/login/")
    page.fill("#id_phone", phone)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    keys = json.loads(KEYS.read_text()) if KEYS.exists() else {}
    if "/accounts/security/" in page.url:  # first staff sign-in: enrol
        page.click("button[value=start]")
        page.wait_for_load_state()
        keys[phone] = page.get_by_test_id("totp-secret").inner_text().strip()
        KEYS.write_text(json.dumps(keys))
        page.fill("#id_token", _code(keys[phone]))
        page.click("form:has(input[value=confirm]) button")
        page.wait_for_load_state()
    elif "/accounts/login/otp/" in page.url:
        if phone not in keys:
            sys.exit(f"{phone} has an authenticator this script did not enrol; remove it in /admin/")
        for _attempt in range(2):  # a code is accepted once: after a recent sign-in, the next one
            page.fill("#id_token", _code(keys[phone]))
            page.click("button[type=submit]")
            page.wait_for_load_state()
            if "/accounts/login/otp/" not in page.url:
                break
            time.sleep(30 - time.time() % 30 + 1)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        # a resolved public report with a result photo
        probe = browser.new_page()
        probe.goto(f"{BASE}/reports/?status=closed")
        report_url = probe.locator(".report-card").first.get_attribute("href")
        probe.close()
        # a press item turned into a report whose result is the city's response (demo/press.py)
        probe = browser.new_page()
        sign_in(probe, OPERATOR)
        probe.goto(f"{BASE}/press/?status=reported")
        press_url = probe.locator("[data-testid=press-list] h2 a").first.get_attribute("href")
        probe.close()
        shots = [
            ("home", "/", None, False),
            ("home-citizen", "/", CITIZEN, False),
            ("sos", "/sos/", None, False),
            ("sos-citizen", "/sos/", CITIZEN, False),
            ("warnings", "/warnings/", None, False),
            ("submit", "/reports/new/", CITIZEN, True),
            ("map", "/reports/map/", None, False),
            ("list", "/reports/", None, False),
            ("report", report_url, None, True),
            ("triage", "/ioc/triage/", OPERATOR, False),
            ("inbox", "/unit/inbox/", OFFICER, False),
            ("statistics", "/statistics/", None, True),
            ("console", "/ioc/", LEADER, True),
            ("dispatch", "/ioc/dispatch/", OPERATOR, False),
            ("press-list", "/press/", OPERATOR, True),
            ("press-item", press_url, OPERATOR, True),
            ("press-responses", "/press-responses/", None, True),
        ]
        for width in (390, 1366):
            for name, path, phone, full in shots:
                context = browser.new_context(viewport={"width": width, "height": 844 if width < 800 else 860},
                                              locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
                page = context.new_page()
                if phone:
                    sign_in(page, phone)
                page.goto(BASE + path)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(800)
                if full:  # the fixed tab bar would be drawn mid-page in a full-page capture
                    page.add_style_tag(content=".tabbar { position: static; } body { padding-bottom: 0; }")
                page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=full)
                print(f"{name}-{width}.png")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
