"""The read replica (issue 20, ``lib/dbrouter.py``) against a real PostgreSQL streaming replica.

A throwaway primary (``initdb`` on a free port, ``wal_level=replica``) gets the test database's
schema and reference data (``pg_dump`` of pytest-django's test database: a migration from
scratch takes a minute), then a replica of it from ``pg_basebackup -R``; both are stopped and
removed after, also on failure (``pgcluster.primary_and_replica``). The scenario runs in a
process of its own whose Django connections point at them (``replica_scenario.py``); the
shared cluster is never copied.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from opencity.tests import pgcluster

SCENARIO = Path(__file__).with_name("replica_scenario.py")

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica is PostgreSQL's"),
    pytest.mark.skipif(pgcluster.why_unavailable() is not None, reason=str(pgcluster.why_unavailable())),
    pytest.mark.django_db,  # so that pytest-django creates the test database the primary copies
]


@pytest.fixture(scope="module")
def clusters(django_db_setup, django_db_blocker, tmp_path_factory):
    """A primary holding a copy of the (migrated, empty) test database, and its replica."""
    source = connection.settings_dict
    dump = tmp_path_factory.mktemp("replica") / "schema.sql"

    def load(primary: pgcluster.Cluster) -> None:
        with open(dump, "w") as out:
            subprocess.run([str(pgcluster.bin_dir() / "pg_dump"), "-h", source["HOST"] or "127.0.0.1",
                            "-p", str(source["PORT"] or 5432), "-U", source["USER"] or "postgres",
                            "--no-owner", "--no-privileges", source["NAME"]],
                           stdout=out, check=True, timeout=120, env={**os.environ, "PGPASSWORD": source["PASSWORD"] or ""})
        primary.sql("CREATE DATABASE opencity")
        subprocess.run([str(pgcluster.bin_dir() / "psql"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                        "-d", "opencity", "-Xq", "-v", "ON_ERROR_STOP=1", "-f", str(dump)],
                       check=True, timeout=120, capture_output=True)

    with django_db_blocker.unblock(), pgcluster.primary_and_replica(before_replica=load) as pair:
        yield pair


def _scenario(name: str, primary: pgcluster.Cluster, replica_port: int, tmp_path: Path, **env) -> dict:
    database = _fresh_database(primary, f"scenario_{name}")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OPENCITY_")}
    environ.update({
        "OPENCITY_DB_ENGINE": "postgres", "OPENCITY_DB_HOST": "127.0.0.1", "OPENCITY_DB_PORT": str(primary.port),
        "OPENCITY_DB_NAME": database, "OPENCITY_DB_USER": "postgres",
        "OPENCITY_DB_REPLICA_HOST": "127.0.0.1", "OPENCITY_DB_REPLICA_PORT": str(replica_port),
        "OPENCITY_VAR_DIR": str(tmp_path), "OPENCITY_MEDIA_ROOT": str(tmp_path / "media"), **env,
    })
    done = subprocess.run([sys.executable, str(SCENARIO), name], env=environ, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fresh_database(primary: pgcluster.Cluster, name: str) -> str:
    """Each scenario in a database of its own, copied from the loaded one (the replica gets it
    through the WAL like everything else)."""
    primary.sql(f"CREATE DATABASE {name} TEMPLATE opencity")
    return name


@pytest.fixture(scope="module")
def replica_seen(clusters, tmp_path_factory):
    """The replica scenario, once (it ends by stopping the replica)."""
    primary, replica = clusters
    return _scenario("replica", primary, replica.port, tmp_path_factory.mktemp("var"), REPLICA_DATA=str(replica.data))


def test_a_report_submitted_on_the_primary_appears_on_the_replica_backed_statistics(replica_seen):
    seen = replica_seen
    assert seen["received_after_replay"] == 1
    assert seen["replica_reports_reads"] > 0  # the figures were read from the replica…
    assert seen["primary_reports_reads"] == 0  # …and not from the primary
    # replay paused: the statistics stay behind while the primary holds the second report
    assert seen["received_while_paused"] == 1
    assert seen["received_on_primary"] == 2
    assert seen["open_data_rows"] == 1  # the export streams from the replica too
    # what must be current comes from the primary: a session and a report the replica lacks
    assert seen["own_report_page"] == 200
    assert seen["console_page"] == 200  # signed in: the session is read from the primary
    assert seen["console_map"] == 200
    assert seen["received_after_resume"] == 2  # once replayed, the replica shows it


def test_the_router_never_writes_to_the_replica_which_refuses_writes(replica_seen):
    seen = replica_seen
    assert seen["replica_statements"] > 0
    assert seen["replica_non_select"] == []
    assert seen["write_alias_in_replica_context"] == "default"
    assert "read-only transaction" in seen["write_on_replica"]


def test_a_replica_that_stops_leaves_the_pages_to_the_primary(replica_seen):
    assert replica_seen["received_replica_stopped"] == 2
    assert replica_seen["console_replica_stopped"] == 200


def test_an_unreachable_replica_falls_back_to_the_primary(clusters, replica_seen, tmp_path):
    primary, _replica = clusters
    seen = _scenario("fallback", primary, pgcluster.free_port(), tmp_path)

    assert seen["received"] == 1
    assert seen["replica_marked_down"] is True
    assert seen["console_page"] == 200
    assert seen["open_data_status"] == 200
