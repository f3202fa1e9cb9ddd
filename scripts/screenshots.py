"""Take the documentation screenshots (docs/screenshots/) from a running server with the demo
pack: `make run` in one terminal, then `.venv/bin/python scripts/screenshots.py`.

Pages at 390 px (phone) and 1366 px (desktop), in Vietnamese, with Debian's Chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "hue-demo-2025"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CITIZEN, OPERATOR, OFFICER, LEADER = "0901000001", "0901000002", "0901000003", "0901000007"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        # a resolved public report with a result photo
        probe = browser.new_page()
        probe.goto(f"{BASE}/reports/?status=closed")
        report_url = probe.locator(".report-card").first.get_attribute("href")
        probe.close()
        shots = [
            ("home", "/", None, False),
            ("submit", "/reports/new/", CITIZEN, True),
            ("map", "/reports/map/", None, False),
            ("list", "/reports/", None, False),
            ("report", report_url, None, True),
            ("triage", "/ioc/triage/", OPERATOR, False),
            ("inbox", "/unit/inbox/", OFFICER, False),
            ("statistics", "/statistics/", None, True),
            ("console", "/ioc/", LEADER, True),
        ]
        for width in (390, 1366):
            for name, path, phone, full in shots:
                context = browser.new_context(viewport={"width": width, "height": 844 if width < 800 else 860},
                                              locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
                page = context.new_page()
                if phone:
                    page.goto(f"{BASE}/accounts/login/")
                    page.fill("#id_phone", phone)
                    page.fill("#id_password", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                page.goto(BASE + path)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(800)
                if full:  # the sticky tab bar would be drawn mid-page in a full-page capture
                    page.add_style_tag(content=".tabbar { position: static; }")
                page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=full)
                print(f"{name}-{width}.png")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
