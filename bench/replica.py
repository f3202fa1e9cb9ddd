"""`make bench-replica`: the console and statistics pages with and without the read replica.

Steps (each printed with its time), all on throwaway clusters — never a copy of the shared
127.0.0.1:5432 cluster:

1. a primary cluster from ``initdb`` on a free port (``src/opencity/tests/pgcluster.py``);
   ``migrate``; ``python -m bench.gen_load --reports 200000`` into it; ``VACUUM ANALYZE``;
2. a streaming replica of it from ``pg_basebackup -R`` on another port, started, caught up
   (its ``pg_last_wal_replay_lsn()`` past the primary's ``pg_current_wal_lsn()``);
3. a console user (a leader, second factor passed) and their session cookie;
4. twice, the server as ``scripts/run.sh`` starts it (granian WSGI, 2 workers × 8 threads):
   once on the primary alone, once with ``OPENCITY_DB_REPLICA_HOST``/``_PORT``; each time wrk
   on ``/statistics/`` (this year's figures), the console's headline cards (``/ioc/cards/``)
   and its map (``/ioc/map.json``), 16 connections, ``--seconds`` each, and the rows each
   cluster read meanwhile (``pg_stat_database``): where the reads went.

The figures' cache is off (``OPENCITY_KPI_CACHE_SECONDS=0``): every request reads the
database, which is what a replica takes over; with the cache on (30 s) most requests read no
database at all. Both clusters share this machine's cores, so the replica shows where the reads
go, not extra capacity. Writes ``bench/results/replica.json``. Run:
``.venv/bin/python bench/replica.py [--reports N] [--seconds S]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.run import ensure_wrk, free_port, machine, say, stop_server, wrk  # noqa: E402
from opencity.tests import pgcluster  # noqa: E402

BENCH = ROOT / "bench"
WORK = BENCH / ".work" / "replica"
PY = str(ROOT / ".venv" / "bin" / "python")
DB = "opencity_bench"
CONNECTIONS = 16


def env_for(primary: pgcluster.Cluster, replica: pgcluster.Cluster | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCITY_")}
    env.update({
        "OPENCITY_DB_ENGINE": "postgres", "OPENCITY_DB_HOST": "127.0.0.1", "OPENCITY_DB_PORT": str(primary.port),
        "OPENCITY_DB_NAME": DB, "OPENCITY_DB_USER": "postgres",
        "OPENCITY_VAR_DIR": str(WORK / "var"), "OPENCITY_DEBUG": "False",
        "OPENCITY_ALLOWED_HOSTS": "127.0.0.1,localhost", "OPENCITY_SMS_ALLOW_CONSOLE": "True",
        "OPENCITY_KPI_CACHE_SECONDS": "0", "OPENCITY_KPI_STAFF_CACHE_SECONDS": "0",
        "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1",
    })
    if replica is not None:
        env.update({"OPENCITY_DB_REPLICA_HOST": "127.0.0.1", "OPENCITY_DB_REPLICA_PORT": str(replica.port)})
    return env


def load(primary: pgcluster.Cluster, reports: int, figures: dict) -> None:
    """The data, before the replica is made (as a production replica copies a loaded primary)."""
    env = env_for(primary)
    primary.sql(f"CREATE DATABASE {DB}")
    t = time.monotonic()
    say("migrate")
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    figures["migrate_s"] = round(time.monotonic() - t, 1)
    say(f"gen_load --reports {reports:,}")
    t = time.monotonic()
    subprocess.run([PY, "-m", "bench.gen_load", "--reports", str(reports), "--seed", "7"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    figures["gen_load_s"] = round(time.monotonic() - t, 1)
    primary.sql("VACUUM ANALYZE", DB)
    figures["database_size"] = primary.sql(f"SELECT pg_size_pretty(pg_database_size('{DB}'))")


SESSION_SCRIPT = """
import django, json
django.setup()
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from opencity.accounts.models import Role, User
user = User.objects.create_user("0799999998", "bench-password-2025", full_name="Bench Leader", role=Role.LEADER)
device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
client = Client()
client.force_login(user)
session = client.session
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.save()
print(json.dumps({"cookie": f"sessionid={client.cookies['sessionid'].value}"}))
"""


def console_session(primary: pgcluster.Cluster) -> str:
    """A leader's session cookie (the console is for signed-in staff past the second factor)."""
    out = subprocess.run([PY, "-c", SESSION_SCRIPT], cwd=ROOT, env={**env_for(primary),
                         "DJANGO_SETTINGS_MODULE": "opencity.settings"}, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["cookie"]


class Server:
    """granian as ``scripts/run.sh`` starts it (no huey worker: nothing here is queued)."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "w")  # noqa: SIM115 — closed in stop()
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "2", "--blocking-threads", "8", "--working-dir", "src", "opencity.wsgi:application"],
            cwd=ROOT, env={**env, "OPENCITY_WARM_ADDRESSES": "True"}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        warm = 0
        while warm < 10:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    warm = warm + 1 if json.loads(r.read()).get("warm") else 0
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                warm = 0
                time.sleep(0.3)

    def get(self, path: str, cookie: str) -> int:
        req = urllib.request.Request(self.base + path, headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def stop(self) -> None:
        stop_server(self.proc, self.log)


def rows_read(cluster: pgcluster.Cluster) -> int:
    """Rows this cluster has returned from ``DB`` since its start (its own statistics)."""
    return int(cluster.sql(f"SELECT tup_returned + tup_fetched FROM pg_stat_database WHERE datname = '{DB}'"))


def measure(label: str, env: dict, cookie: str, pages: dict[str, str], seconds: int,
            primary: pgcluster.Cluster, replica: pgcluster.Cluster) -> dict:
    say(f"server: {label}")
    server = Server(env, WORK / f"server-{label}.log")
    result: dict = {}
    try:
        server.wait()
        for name, path in pages.items():
            status = server.get(path, cookie)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            before = rows_read(primary), rows_read(replica)
            result[name] = wrk(server.base, f"{label}-{name}", [path], seconds=seconds, connections=CONNECTIONS,
                               headers={"Cookie": cookie}, timeout_s=10)
            after = rows_read(primary), rows_read(replica)
            result[name]["rows_read_primary"] = after[0] - before[0]
            result[name]["rows_read_replica"] = after[1] - before[1]
            say(f"  {name}: {result[name]}")
    finally:
        server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=int(os.environ.get("BENCH_REPORTS", 200_000)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 10)))
    args = parser.parse_args()
    reason = pgcluster.why_unavailable()
    if reason:
        raise SystemExit(f"bench-replica: {reason}")
    ensure_wrk()
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    figures: dict = {"reports": args.reports, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                     "machine": machine(), "seconds": args.seconds, "connections": CONNECTIONS,
                     "server": "granian --interface wsgi, 2 workers × 8 threads (scripts/run.sh)",
                     "kpi_cache": "off (every request reads the database)"}
    year = dt.date.today().year
    pages = {"statistics": f"/statistics/?period={year}", "console_cards": "/ioc/cards/",
             "console_map": "/ioc/map.json"}
    figures["pages"] = pages
    say("throwaway primary (initdb), loaded, then its replica (pg_basebackup -R)")
    settings = {"shared_buffers": "256MB", "max_connections": "100"}
    with pgcluster.primary_and_replica(settings=settings,
                                       before_replica=lambda p: load(p, args.reports, figures)) as (primary, replica):
        t = time.monotonic()
        replica.wait_replayed(primary.sql("SELECT pg_current_wal_lsn()"))
        figures["replica_catch_up_s"] = round(time.monotonic() - t, 1)
        cookie = console_session(primary)
        replica.wait_replayed(primary.sql("SELECT pg_current_wal_lsn()"))
        figures["primary_only"] = measure("primary", env_for(primary), cookie, pages, args.seconds, primary, replica)
        figures["with_replica"] = measure("replica", env_for(primary, replica), cookie, pages, args.seconds,
                                          primary, replica)
    figures["total_s"] = round(time.monotonic() - started, 1)
    out = BENCH / "results" / "replica.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    say(f"wrote {out.relative_to(ROOT)} in {figures['total_s']} s")
    for name in pages:
        a, b = figures["primary_only"][name], figures["with_replica"][name]
        print(f"{name:14} primary only: {a['requests_per_s']:>7} req/s p50 {a['p50_ms']} ms p99 {a['p99_ms']} ms"
              f" | with replica: {b['requests_per_s']:>7} req/s p50 {b['p50_ms']} ms p99 {b['p99_ms']} ms"
              f" (rows read on the primary {b['rows_read_primary']:,}, on the replica {b['rows_read_replica']:,})")


if __name__ == "__main__":
    main()
