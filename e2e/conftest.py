"""Browser tests: Playwright (Python) driving Debian's Chromium against Django's live server.

Every test here is marked ``e2e``. The browser never reaches the internet: map tiles are off
by default and Chromium runs with background networking disabled.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from opencity.conftest import *  # noqa: F403 — the shared cast of users, units, categories
from opencity.conftest import _huey_immediate, _media_root  # noqa: F401 — autouse, not in *

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make
# are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("OPENCITY_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-results"


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session", autouse=True)
def _plain_static_names():
    """The live server (pytest-django's, with Django's StaticFilesHandler) serves static files
    from the source tree by their plain names, while pages name the collected, hashed files once
    ``collectstatic`` has run (lib/staticfiles.py; production's WSGI app serves those): here the
    pages name the plain files. The hashed, compressed serving is tested in
    lib/tests/test_compression.py."""
    from django.conf import settings
    from django.test import override_settings

    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=plain):
        yield


@pytest.fixture(autouse=True)
def _areas(transactional_db):
    """The city's wards, which every page needs. A browser test's database is flushed after
    it, and serialized rollback does not restore reliably once Playwright's event loop runs in
    this thread, so load them (idempotently) when they are missing."""
    from opencity.geo.models import Area
    from opencity.geo.services import areas_load_city

    if not Area.objects.exists():
        areas_load_city()


@pytest.fixture(scope="session", autouse=True)
def _warm_addresses():
    """Load the address converter once (it takes seconds), not inside a page's timeout."""
    from opencity.geo.selectors import _converter

    _converter().auto_convert_address("Kiệt 32 Lê Văn Hưu, phường Thuận Lộc, Thành phố Huế")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (make test does it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """Open a fresh browser context (its own cookies) at the given width."""
    contexts = []

    def make(width: int = 390, height: int = 844, locale: str = "vi-VN"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                      base_url=live_server.url, timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        return page

    yield make
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    for i, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for j, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}-{j}.png"), full_page=True)
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def authenticator_code(device) -> str:
    """The code a staff member's authenticator app shows now, as they would type it.

    A device accepts each time step once (django-otp's ``last_t``) and one step either side of
    now: a second sign-in in the same 30 seconds types the next step's code, a third waits."""
    import time

    from django_otp.oath import TOTP

    while True:
        device.refresh_from_db()
        clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = clock.t()
        wanted = max(now, device.last_t + 1)
        if wanted <= now + 1:
            clock.drift += wanted - now
            return f"{clock.token():0{device.digits}d}"
        time.sleep(max(0.5, device.step - (time.time() - device.t0) % device.step))


@pytest.fixture
def login(new_page):
    """A page logged in as ``user`` through the real login form. Staff, who must sign in with
    two factors, have an authenticator app (a confirmed TOTP device) and type its code on the
    code page, as a person does."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencity.accounts.signin import has_staff_access
    from opencity.conftest import PASSWORD

    def do(user, width: int = 390):
        staff = has_staff_access(user)
        if staff and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        page = new_page(width=width)
        page.goto("/accounts/login/")
        page.fill("#id_phone", user.phone)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        if staff:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            page.wait_for_url("**/accounts/login/otp/**")
            page.fill("#id_token", authenticator_code(device))
            page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        return page

    return do
