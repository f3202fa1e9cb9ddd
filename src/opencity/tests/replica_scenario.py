"""What ``test_replica.py`` runs in a process of its own, against a throwaway primary and its
streaming replica (``pgcluster``): Django's connections come from the environment
(``OPENCITY_DB_*`` and ``OPENCITY_DB_REPLICA_*``), as in production, so pytest-django's test
databases and the shared cluster are never involved. Prints what it saw as one JSON line; the
test asserts on it.

    python src/opencity/tests/replica_scenario.py replica|fallback
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")

STORY_LAT, STORY_LON = 16.4745, 107.5755


def _cast():
    from opencity.accounts.models import Role, User
    from opencity.geo.models import Area
    from opencity.orgs.models import Unit
    from opencity.reports.models import Category, RoutingRule

    citizen = User.objects.create_user("0905000001", "matkhau-an-toan-2025", full_name="Nguyễn Văn An",
                                       role=Role.CITIZEN)
    leader = User.objects.create_user("0905000030", "matkhau-an-toan-2025", full_name="Lãnh Đạo",
                                      role=Role.LEADER)
    unit = Unit.objects.create(code="hepco", name="Công ty Môi trường và Công trình đô thị Huế", short_name="HEPCO",
                               kind="enterprise", level="city", area=Area.objects.get(code="46"))
    lighting = Category.objects.create(code="chieu-sang", name_vi="Chiếu sáng công cộng", name_en="Street lighting",
                                       deadline_hours=16)
    RoutingRule.objects.create(category=lighting, area=None, unit=unit)
    return citizen, leader, lighting


def _submit(citizen, lighting):
    """A report through the service, then the worker's share (the figures' recount: the outbox)."""
    from opencity.notifications import outbox
    from opencity.reports.services import report_submit

    report = report_submit(reporter=citizen, category=lighting, description="Điện đường bị hỏng trước số nhà 31/32",
                           lat=STORY_LAT, lon=STORY_LON, address="Kiệt 32 Lê Văn Hưu")
    outbox.drain()
    return report


def _sql(alias: str, query: str, *params):
    from django.db import connections

    with connections[alias].cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


def _wait_replayed() -> None:
    """Until the replica has replayed the primary's WAL as of now (no sleep that asserts time)."""
    import time

    lsn = _sql("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + 60
    while not _sql("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the replica did not replay {lsn}")
        time.sleep(0.02)


class _Statements:
    """Every statement a connection runs while installed (``execute_wrapper``)."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


def _received(client) -> int:
    response = client.get("/statistics/")
    assert response.status_code == 200, response.status_code
    return response.context["city"].received


def replica() -> dict:
    from django.db import connections, router
    from django.test import Client

    from opencity.conftest import _pass_second_factor
    from opencity.lib import dbrouter
    from opencity.reports.models import Report

    seen: dict = {}
    citizen, leader, lighting = _cast()
    _submit(citizen, lighting)
    _wait_replayed()
    on_primary, on_replica = _Statements(), _Statements()
    client = Client()
    with connections["default"].execute_wrapper(on_primary), connections["replica"].execute_wrapper(on_replica):
        seen["received_after_replay"] = _received(client)
        seen["replica_reports_reads"] = sum("reports_report" in s for s in on_replica.sql)
        seen["primary_reports_reads"] = sum("reports_report" in s for s in on_primary.sql)

        # the replica stops replaying: what it serves stays behind, what must be current does not
        _sql("replica", "SELECT pg_wal_replay_pause()::text")
        second = _submit(citizen, lighting)
        seen["received_while_paused"] = _received(client)
        seen["received_on_primary"] = Report.objects.count()
        reporter = Client()
        reporter.force_login(citizen)  # a session the replica has not seen
        seen["own_report_page"] = reporter.get(f"/reports/{second.pk}/").status_code
        console = Client()
        console.force_login(leader)
        _pass_second_factor(console, leader)
        seen["console_page"] = console.get("/ioc/").status_code
        seen["console_map"] = console.get("/ioc/map.json").status_code
        seen["open_data_rows"] = len(b"".join(client.get("/open-data/reports.csv").streaming_content).splitlines()) - 1
        _sql("replica", "SELECT pg_wal_replay_resume()::text")
        _wait_replayed()
        seen["received_after_resume"] = _received(client)

        with dbrouter.replica_reads():
            seen["write_alias_in_replica_context"] = router.db_for_write(Report)
    seen["replica_statements"] = len(on_replica.sql)
    seen["replica_non_select"] = [s for s in on_replica.sql if not s.lstrip().upper().startswith(("SELECT", "SET"))
                                  and "pg_wal_replay" not in s]
    try:
        with connections["replica"].cursor() as cursor:
            cursor.execute("UPDATE reports_report SET description = 'x'")
        seen["write_on_replica"] = "accepted"
    except Exception as exc:  # noqa: BLE001 — what the replica says is the result
        seen["write_on_replica"] = f"{type(exc).__name__}: {exc}"

    # the replica goes away: the same pages come from the primary (no 500)
    from opencity.tests.pgcluster import Cluster

    Cluster(Path(os.environ["REPLICA_DATA"]), int(os.environ["OPENCITY_DB_REPLICA_PORT"]), Path("/dev/null")).stop()
    seen["received_replica_stopped"] = _received(Client())
    seen["console_replica_stopped"] = console.get("/ioc/").status_code
    return seen


def fallback() -> dict:
    """The replica's address answers nothing (a closed port)."""
    from django.test import Client

    from opencity.conftest import _pass_second_factor
    from opencity.lib import dbrouter

    citizen, leader, lighting = _cast()
    _submit(citizen, lighting)
    seen = {"received": _received(Client())}
    seen["replica_marked_down"] = dbrouter._replica_down()
    dbrouter.reset()
    console = Client()
    console.force_login(leader)
    _pass_second_factor(console, leader)
    seen["console_page"] = console.get("/ioc/").status_code
    seen["open_data_status"] = Client().get("/open-data/reports.geojson").status_code
    return seen


def main() -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.OPENCITY_KPI_CACHE_SECONDS = 0  # every request counts afresh: no cached figure hides the lag
    settings.OPENCITY_KPI_STAFF_CACHE_SECONDS = 0
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's response.context; e-mail kept in memory
    seen = {"replica": replica, "fallback": fallback}[sys.argv[1]]()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
