"""The national eID connector in the browser, against a test identity platform (docs/identity.md).

The platform is this project's own OpenID Connect provider, run as a SEPARATE server with its own
database (the national platform is not our database): a subprocess on a free port of 127.0.0.1
(the live server is on ``localhost``, so the two keep separate cookies), migrated and seeded with
a person holding a national ID number at level 2 and a registered client whose redirect URI is
the live server's callback. Starting it (migrate, seed, serve) takes about 25 s on this machine,
once per test session.

A signed-in citizen clicks "Xác thực bằng VNeID", signs in at the platform, allows the ID number
to be shared, and comes back verified at level 2; signs out; signs in again with "Đăng nhập bằng
VNeID" into the same account. OpenCity's own provider then says ``acr`` "2" for them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID, CLIENT_SECRET = "opencity-eid-test", "eid-test-secret-0123456789abcdef"
PERSON_PHONE, PERSON_PASSWORD = "0912345678", "Vneid-Test-2026!"
NATIONAL_ID = "046095001234"

SEED = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from oauth2_provider.models import Application
from opencity.accounts.identity import user_set_national_id, user_set_verification
from opencity.accounts.models import ServiceClient, User
from opencity.roles import Role
person = User.objects.create_user({phone!r}, {password!r}, full_name="Nguyễn Văn An", role=Role.CITIZEN)
user_set_national_id(user=person, number={national_id!r})
user_set_verification(user=person, level=2, source="vneid")
app = Application.objects.create(
    name="OpenCity (test)", client_id={client_id!r}, client_secret={secret!r}, redirect_uris={redirect!r},
    client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    algorithm=Application.RS256_ALGORITHM)
ServiceClient.objects.create(application=app, first_party=True, purpose="Xác thực danh tính công dân",
                             allowed_scopes="openid profile verification national_id")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def identity_platform(live_server, tmp_path_factory):
    """A second OpenCity, on its own SQLite database, standing for the national platform."""
    var = tmp_path_factory.mktemp("eid-idp")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENCITY_DB_", "OPENCITY_TEST_DB", "OPENCITY_EID_", "DJANGO_"))}
    env.update(OPENCITY_VAR_DIR=str(var), OPENCITY_DEBUG="True", OPENCITY_LOG_LEVEL="ERROR",
               OPENCITY_ALLOWED_HOSTS="127.0.0.1", PYTHONUNBUFFERED="1")
    started = time.monotonic()
    seed = SEED.format(phone=PERSON_PHONE, password=PERSON_PASSWORD, national_id=NATIONAL_ID,
                       client_id=CLIENT_ID, secret=CLIENT_SECRET,
                       redirect=f"{live_server.url}/accounts/eid/callback/")
    subprocess.run([sys.executable, "manage.py", "shell", "-c", seed], cwd=ROOT, env=env, check=True,
                   timeout=180, capture_output=True)
    port = _free_port()
    log = open(var / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}/o"
    try:
        for _ in range(120):
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None:
                pytest.fail(f"the test identity platform stopped: {(var / 'server.log').read_text()[-2000:]}")
            time.sleep(0.25)
        else:
            pytest.fail("the test identity platform did not start")
        print(f"\ntest identity platform ready in {time.monotonic() - started:.1f} s")
        yield issuer
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def eid_settings(settings, identity_platform):
    from opencity.accounts import eid

    eid._discovery_cache.clear()
    settings.OPENCITY_EID_ENABLED = True
    settings.OPENCITY_EID_ADAPTER = "opencity.accounts.eid.OidcAdapter"
    settings.OPENCITY_EID_ISSUER = identity_platform
    settings.OPENCITY_EID_CLIENT_ID = CLIENT_ID
    settings.OPENCITY_EID_CLIENT_SECRET = CLIENT_SECRET
    settings.OPENCITY_EID_SCOPES = "openid profile verification national_id"
    settings.OPENCITY_EID_NAME = "VNeID"
    return identity_platform


def _sign_in_at_the_platform(page, issuer: str) -> None:
    page.wait_for_url(f"{issuer[:-2]}/accounts/login/**")
    page.fill("#id_phone", PERSON_PHONE)
    page.fill("#id_password", PERSON_PASSWORD)
    page.click("button[type=submit]")
    # The platform asks before it gives the ID number away.
    expect(page.locator("[data-testid=consent-scope-national_id]")).to_be_visible()
    page.click("[data-testid=consent-allow]")


def test_a_citizen_verifies_with_vneid_then_signs_in_with_it(login, live_server, citizen, eid_settings):
    from opencity.accounts.identity import national_id_of
    from opencity.accounts.oidc_claims import claim_values
    from opencity.accounts.tests.oidc_helpers import make_client

    issuer = eid_settings
    page = login(citizen)
    page.goto("/accounts/profile/")
    panel = page.locator("[data-testid=eid-panel]")
    expect(panel.locator("[data-testid=eid-level]")).to_have_text("Chưa xác thực")
    panel.get_by_role("button", name="Xác thực bằng VNeID").click()

    _sign_in_at_the_platform(page, issuer)

    page.wait_for_url(f"{live_server.url}/accounts/profile/**")
    expect(page.locator(".msg-success")).to_contain_text("xác thực bằng VNeID (mức 2)")
    expect(panel.locator("[data-testid=eid-level]")).to_contain_text("Mức 2: định danh điện tử quốc gia")
    expect(panel.locator("[data-testid=eid-source]")).to_contain_text("VNeID")
    citizen.refresh_from_db()
    assert citizen.verification_level == 2 and national_id_of(citizen) == NATIONAL_ID

    # Sign out, then in again with the eID: the platform still knows the browser and the consent,
    # so it sends the person straight back, into the same account.
    page.locator(".usermenu summary").click()
    page.locator(".usermenu").get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    page.goto("/accounts/login/?next=/accounts/profile/")
    page.get_by_role("button", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url(f"{live_server.url}/accounts/profile/**")
    expect(page.locator("[data-testid=account-number]")).to_have_text(citizen.citizen_id)
    assert page.js_errors == []

    # Our own provider now vouches for level 2 to the city's services.
    app = make_client("Cổng dịch vụ công", "https://dichvucong.example.vn/cb")
    assert claim_values(citizen, app, ["openid", "verification"])["acr"] == "2"
