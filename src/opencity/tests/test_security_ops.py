"""Issue #13, operations part: the reproductions of the fault drill and the smaller findings,
replayed (crash safety 1, 4, 6; findings 8 (deployment settings) and 9).

Each test says what failed before its fix.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from opencity.reports.tests.helpers import at, clock  # noqa: F401 — fixture

# --- Crash safety 1: the escalation job stopped for good after a worker crash -----------------


@pytest.mark.django_db
def test_escalation_resumes_after_a_worker_died_holding_its_lock(
    make_report, lighting_rule, operator, officer, unit_head, leader, clock  # noqa: F811
):
    """The worker was killed while it ran the escalation job: its lock stayed, and every later
    run was refused (still after 630 s). Now the lock is a lease that expires."""
    from opencity.lib import locks
    from opencity.reports import services, tasks

    clock.set(at(2026, 3, 2, 8))
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)

    clock.set(at(2026, 3, 9, 10))
    locks.acquire("reports-deadlines-escalate")  # the killed worker's run: never released
    with pytest.raises(locks.LeaseHeld):
        tasks.escalate_deadlines.call_local()  # the next run, while the lease is still young

    clock.set(at(2026, 3, 9, 10, 5))  # the next run, five minutes later: past the 120 s lease
    assert tasks.escalate_deadlines.call_local() == {"overdue": 1, "ioc": 1}
    assert not locks.is_held("reports-deadlines-escalate")  # released after the run


@pytest.mark.django_db
def test_a_live_escalation_run_still_excludes_a_second_one(clock):  # noqa: F811
    from opencity.lib import locks
    from opencity.reports import tasks

    clock.set(at(2026, 3, 9, 10))
    with locks.lease("reports-deadlines-escalate"):
        clock.set(at(2026, 3, 9, 10, 1))
        with pytest.raises(locks.LeaseHeld):
            tasks.escalate_deadlines.call_local()
    assert tasks.escalate_deadlines.call_local() == {}


# --- Crash safety 4: database connection loss gave HTML 500s --------------------------------

API, PAGE, OPEN311 = "/api/v1/reports", "/reports/", "/open311/v2/services.xml"


def _assert_all_unavailable(client):
    """Every channel answers 503 with Retry-After, each in its own error format."""
    api = client.get(API)
    assert api.status_code == 503 and api["Retry-After"] == "10"
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["error"]["code"] == "unavailable"
    page = client.get(PAGE)
    assert page.status_code == 503 and page["Retry-After"] == "10"
    assert page["Content-Type"].startswith("text/html") and "Tạm thời gián đoạn" in page.content.decode()
    feed = client.get(OPEN311)
    assert feed.status_code == 503 and feed["Retry-After"] == "10"
    assert b"<errors>" in feed.content and b"<code>503</code>" in feed.content


def _assert_all_served(client):
    assert client.get(API).status_code == 200
    assert client.get(PAGE).status_code == 200
    assert client.get(OPEN311).status_code == 200


def _terminate(connection) -> None:
    """Kill ``connection``'s server process from another connection, as the drill did."""
    from django.db import connections

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_terminated_database_connection_answers_503_then_recovers(client):
    from django.db import close_old_connections, connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL: SQLite has no server to terminate (see the next test)")
    _assert_all_served(client)
    _terminate(connection)  # during a request's work: it fails on the dead connection
    _assert_all_unavailable(client)
    # What the server does at the end and start of every request (Django's test client skips it):
    # the broken connection is dropped, the next request opens a new one.
    close_old_connections()
    _assert_all_served(client)
    # Terminated between requests: CONN_HEALTH_CHECKS finds it dead before use, nobody sees it.
    _terminate(connection)
    close_old_connections()
    _assert_all_served(client)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_unreadable_database_answers_503_then_recovers(client, tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite: a database file that cannot be opened (PostgreSQL: the test above)")
    _assert_all_served(client)
    name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(tmp_path)  # a directory: "unable to open database file"
    try:
        _assert_all_unavailable(client)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
    _assert_all_served(client)


def test_an_api_bug_is_a_500_in_the_error_shape_never_an_html_page(rf):
    from opencity.errors import server_error

    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        api = server_error(rf.get("/api/v1/reports"))
        feed = server_error(rf.get("/open311/v2/requests.json"))
    assert api.status_code == 500 and json.loads(api.content)["error"]["code"] == "server_error"
    assert feed.status_code == 500 and json.loads(feed.content)[0]["code"] == 500


def test_a_database_fault_outside_a_view_is_still_a_503(rf):
    """A connection lost in a middleware (the session saved after the view) reaches
    handler500: still 503 with Retry-After, in the path's format."""
    from django.db import OperationalError

    from opencity.errors import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        api = server_error(rf.get("/api/v1/reports"))
        page = server_error(rf.get("/reports/"))
    assert api.status_code == page.status_code == 503
    assert api["Retry-After"] == page["Retry-After"] == "10"
    assert json.loads(api.content)["error"]["code"] == "unavailable"


# --- Crash safety 6: a warning could be published twice ---------------------------------------


def _token(page) -> str:
    """The one-time token the page rendered into its form (the first, if several)."""
    found = re.search(r'name="client_token" value="([^"]+)"', page.content.decode())
    assert found, "the form carries no one-time token"
    return found.group(1)


def _warning(*areas, **extra) -> dict:
    now = timezone.now()
    when = lambda moment: timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")  # noqa: E731
    data = {
        "event": "flood", "severity": "Severe", "urgency": "Expected", "certainty": "Likely",
        "response_type": "Evacuate", "category": "", "status": "Actual",
        "headline_vi": "Cảnh báo lũ trên sông Hương",
        "description_vi": "Mực nước sông Hương dự báo lên trên báo động 3.",
        "effective": when(now), "onset": "", "expires": when(now + dt.timedelta(hours=12)),
        "areas": [a.pk for a in areas],
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_a_warning_sent_twice_is_published_once(client, operator, phu_xuan, thuan_hoa):
    """The composer's form sent twice (a double tap, a retry on a slow network) published two
    identical warnings to the same wards."""
    from opencity.alerts.models import Alert, Message

    client.force_login(operator)
    data = _warning(phu_xuan, thuan_hoa, client_token=_token(client.get(reverse("alerts:compose"))))
    first = client.post(reverse("alerts:compose"), data)
    again = client.post(reverse("alerts:compose"), data)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]  # the first warning is the answer
    assert Alert.objects.count() == 1 and Message.objects.count() == 1

    alert = Alert.objects.get()
    page = client.get(reverse("alerts:update", args=[alert.pk]))
    update = _warning(phu_xuan, headline_vi="Lũ đã lên", based_on=alert.latest_id, client_token=_token(page))
    first = client.post(reverse("alerts:update", args=[alert.pk]), update)
    again = client.post(reverse("alerts:update", args=[alert.pk]), update)  # was a 409: stale
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert list(alert.messages.values_list("msg_type", flat=True)) == ["Alert", "Update"]

    page = client.get(reverse("alerts:staff", args=[alert.pk]))
    alert.refresh_from_db()
    cancel = {"note": "Nước đã rút", "based_on": alert.latest_id, "client_token": _token(page)}
    first = client.post(reverse("alerts:cancel", args=[alert.pk]), cancel)
    again = client.post(reverse("alerts:cancel", args=[alert.pk]), cancel)  # was a 409: cancelled
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert list(alert.messages.values_list("msg_type", flat=True)) == ["Alert", "Update", "Cancel"]


@pytest.mark.django_db
def test_a_warning_token_of_someone_else_is_a_conflict_not_their_warning(client, operator, phu_xuan):
    from opencity.accounts.models import Role, User
    from opencity.alerts.models import Alert
    from opencity.lib.formtoken import new_token

    colleague = User.objects.create_user("0905000019", "matkhau-an-toan-2025", full_name="Ca Đêm", role=Role.OPERATOR)
    token = new_token()
    client.force_login(operator)
    client.post(reverse("alerts:compose"), _warning(phu_xuan, client_token=token))
    client.force_login(colleague)
    response = client.post(reverse("alerts:compose"), _warning(phu_xuan, client_token=token))
    assert response.status_code == 409 and Alert.objects.count() == 1


@pytest.fixture
def team(db):
    from opencity.emergency.models import RescueTeam

    return RescueTeam.objects.create(name="Đội cứu hộ Phú Vang")


@pytest.fixture
def rescuer(db, team):
    from opencity.accounts.models import Role, User

    user = User.objects.create_user("0905000050", "matkhau-an-toan-2025", full_name="Hồ Cứu Hộ", role=Role.CITIZEN)
    team.members.add(user)
    return user


@pytest.fixture
def sos(db, citizen):
    from opencity.conftest import STORY_LAT, STORY_LON
    from opencity.emergency.services import rescue_request_create

    return rescue_request_create(actor=citizen, lat=STORY_LAT, lon=STORY_LON, people=3, needs=["evacuation"],
                                 client_token="sos-replay-0001")[0]


def _twice(client, url: str, data: dict):
    first, again = client.post(url, data), client.post(url, data)
    assert first.status_code == again.status_code == 302, (first.status_code, again.status_code)
    assert again["Location"] == first["Location"]


@pytest.mark.django_db
def test_every_rescue_step_sent_twice_is_taken_once(client, operator, rescuer, team, citizen, sos):
    """Dispatch actions (acknowledge, the team call-out, cancel) and the team's steps: the
    second send answered 409 (the version had moved) or, without a version, acted twice."""
    from opencity.emergency.models import RescueEvent

    def token(page_name, *args):
        return _token(client.get(reverse(page_name, args=args)))

    client.force_login(operator)
    version = lambda: type(sos).objects.get(pk=sos.pk).version  # noqa: E731
    _twice(client, reverse("emergency:acknowledge", args=[sos.pk]),
           {"version": version(), "client_token": token("emergency:board")})
    _twice(client, reverse("emergency:assign", args=[sos.pk]),
           {"version": version(), "team": team.pk, "client_token": token("emergency:board")})
    client.force_login(rescuer)
    for action in ("dispatch", "arrive"):
        _twice(client, reverse("emergency:step", args=[sos.pk]),
               {"version": version(), "action": action, "client_token": token("emergency:team")})
    assert list(RescueEvent.objects.filter(request=sos).values_list("action", flat=True)) == [
        "file", "acknowledge", "assign", "dispatch", "arrive"]

    from opencity.emergency.services import rescue_request_create

    other = rescue_request_create(actor=citizen, lat=sos.lat, lon=sos.lon, people=1, needs=["medical"],
                                  client_token="sos-replay-0002")[0]
    client.force_login(citizen)
    _twice(client, reverse("emergency:cancel", args=[other.pk]),
           {"version": other.version, "reason": "Đã an toàn", "client_token": token("emergency:status", other.pk)})
    assert RescueEvent.objects.filter(request=other, action="cancel").count() == 1


@pytest.mark.django_db
def test_a_dispatch_token_reused_on_another_request_is_a_conflict(client, operator, citizen, sos):
    from opencity.emergency.services import rescue_request_create
    from opencity.lib.formtoken import new_token

    other = rescue_request_create(actor=citizen, lat=sos.lat, lon=sos.lon, people=1, needs=["medical"],
                                  client_token="sos-replay-0003")[0]
    token = new_token()
    client.force_login(operator)
    client.post(reverse("emergency:acknowledge", args=[sos.pk]), {"client_token": token})
    response = client.post(reverse("emergency:acknowledge", args=[other.pk]), {"client_token": token})
    assert response.status_code == 409
    assert type(other).objects.get(pk=other.pk).status == "new"


# --- Finding 8: HSTS and the HTTPS redirect could not be set from the environment -------------

PRODUCTION = {
    "OPENCITY_SECURE_COOKIES": "True",
    "OPENCITY_SSL_REDIRECT": "True",
    "OPENCITY_HSTS_SECONDS": "31536000",
    "OPENCITY_HSTS_INCLUDE_SUBDOMAINS": "True",
    "OPENCITY_HSTS_PRELOAD": "True",
    "OPENCITY_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
    "OPENCITY_ALLOWED_HOSTS": "opencity.hue.gov.vn",
    # text messages through a gateway: the console backend is refused in production
    "OPENCITY_SMS_BACKEND": "opencity.notifications.sms.GatewayBackend",
    "OPENCITY_SMS_GATEWAY_URL": "https://sms.example.vn/api/send",
    "OPENCITY_SMS_SENDER": "TP.HUE",
}


def _manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process with only these OPENCITY_* settings (and a var dir of
    its own), as production starts it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCITY_", "DJANGO_"))}
    clean.update(OPENCITY_VAR_DIR=str(tmp_path), OPENCITY_SECRET_KEY=secrets.token_urlsafe(48), **env)
    return subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
                          env=clean, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    not_collected = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert not_collected.returncode != 0 and "opencity.W001" in not_collected.stdout + not_collected.stderr
    assert _manage(tmp_path, "collectstatic", "--noinput", "-v0", **PRODUCTION).returncode == 0
    done = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
    # and the check is not vacuous: the defaults (a developer's machine) are not production
    lax = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert lax.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in lax.stderr + lax.stdout


def test_a_malformed_proxy_header_setting_stops_the_start(tmp_path):
    done = _manage(tmp_path, "check", OPENCITY_PROXY_SSL_HEADER="https")
    assert done.returncode != 0 and "OPENCITY_PROXY_SSL_HEADER" in done.stderr


@pytest.mark.django_db
def test_https_redirect_and_hsts_follow_the_settings(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/reports/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # a load balancer's probe over HTTP
    secure = client.get("/reports/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200 and secure["Strict-Transport-Security"] == "max-age=31536000"


# --- Finding 9: an anonymous request could stall the server ------------------------------------


@pytest.mark.django_db
def test_the_api_schema_is_built_once_per_process_and_language(client, monkeypatch):
    """/api/openapi.json was generated on every request (0.4–0.55 s of a core each)."""
    import ninja.main

    from opencity.api import api

    built = []
    real = ninja.main.get_schema
    monkeypatch.setattr(ninja.main, "get_schema", lambda **kw: built.append(kw) or real(**kw))
    monkeypatch.setattr(api, "_schemas", {})
    bodies = [client.get("/api/openapi.json").content for _ in range(3)]
    assert len(built) == 1 and bodies[0] == bodies[1] == bodies[2]
    assert "/api/v1/reports" in json.loads(bodies[0])["paths"]
    client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE="en")
    client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE="en")
    assert len(built) == 2


@pytest.mark.django_db
def test_open_data_exports_run_at_most_n_at_once(client, settings, make_report):
    """An export streams every public report (12–16 s of a core at 100,000): the next one
    beyond the limit is told to come back instead of taking another thread."""
    from opencity.lib import concurrency

    settings.OPENCITY_EXPORTS_AT_ONCE = 1
    concurrency.reset()
    make_report()
    try:
        running = client.get("/open-data/reports.csv")  # streaming: holds its slot until read
        assert running.status_code == 200
        for path in ("/open-data/reports.csv", "/open-data/reports.geojson"):
            refused = client.get(path)
            assert refused.status_code == 503 and refused["Retry-After"] == "60"
            assert json.loads(refused.content)["error"]["code"] == "busy"
        assert client.get("/reports/").status_code == 200  # the rest of the site answers
        assert b"PA" in b"".join(running.streaming_content)
        running.close()
        again = client.get("/open-data/reports.geojson")
        assert again.status_code == 200
        again.close()  # a client that goes away before the first byte frees its slot too
        third = client.get("/open-data/reports.csv")
        assert third.status_code == 200
        third.close()
    finally:
        concurrency.reset()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_warning_sent_twice_at_the_same_moment_is_published_once(operator, phu_xuan):
    """The double tap's two requests arrive together (two server threads): one warning."""
    import threading

    from django.db import connection

    from opencity.alerts import services
    from opencity.alerts.models import Alert
    from opencity.lib.formtoken import new_token

    token, start, results = new_token(), threading.Barrier(2), []
    now = timezone.now()

    def send():
        try:
            start.wait()
            message = services.alert_publish(
                actor=operator, event="flood", severity="Severe", urgency="Expected",
                certainty="Likely", response_type="Evacuate", headline_vi="Lũ", description_vi="Lũ lên",
                effective=now, expires=now + dt.timedelta(hours=6), area_ids=[phu_xuan.pk],
                client_token=token)
            results.append(message.alert_id)
        except Exception as exc:  # noqa: BLE001 — the assertion below shows it
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1], results
    assert Alert.objects.count() == 1
