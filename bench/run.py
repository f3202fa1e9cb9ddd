"""`make bench`: OpenCity at city scale on PostgreSQL, measured as ratios to ceilings.

Steps (each printed with its time): a fresh database ``opencity_bench``; migrate; the reference
data and N generated reports (``python -m bench.gen_load``); VACUUM ANALYZE; the server started as
production starts it (``scripts/run.sh``: granian WSGI, bounded threads, plus the huey worker) on
a free loopback port; then every scenario under load from wrk (a separate process, 127.0.0.1
only, bounded in time), each beside its two ceilings measured in the same run: the server's
trivial ``/healthz`` and the scenario's own SQL replayed by pgbench at the same concurrency.
Then the jobs (timed in-process), the page weight (Playwright + Chromium), Lighthouse, and the
cold start. Writes ``bench/results/latest.json`` and the table in ``bench/README.md``.

Run: ``make bench`` (or ``.venv/bin/python bench/run.py --help``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"  # scratch: request lists, bodies, pgbench scripts and logs
VAR = BENCH / ".var"  # the server's var dir (huey queue, media, secret): not the developer's
TOOLS = BENCH / ".tools"  # npm lighthouse
PY = str(ROOT / ".venv" / "bin" / "python")
DB = os.environ.get("BENCH_DB", "opencity_bench")  # another name keeps a second bench database
LIGHTHOUSE_VERSION = "12.8.2"
LIGHTHOUSE_RUNS = 3  # per page; the median is judged
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
BENCH_PHONE = "0799999999"
BENCH_PASSWORD = "bench-password-2025"

ENV = {
    **os.environ,
    "OPENCITY_DB_ENGINE": "postgres",
    "OPENCITY_DB_NAME": DB,
    "OPENCITY_VAR_DIR": str(VAR),
    "OPENCITY_DEBUG": "False",
    "OPENCITY_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "PYTHONPATH": str(ROOT / "src"),
    "PYTHONUNBUFFERED": "1",
    # the cache every server process shares, as in production (lib/cache.py); flushed per run
    "OPENCITY_CACHE_URL": "redis://127.0.0.1:6379/3",
    # the submit scenario sends thousands of reports from one account and one address: with the
    # limits on (accounts/throttle.py) it would measure 429s (docs/security.md, load tests only)
    "OPENCITY_THROTTLE_ENABLED": "False",
}
# Throughput (and the submit budget, which says so) is measured at --connections (32), with
# the server saturated: every request there waits behind the others. The other latency budgets
# are read at half that capacity, as a server is run: LATENCY_CONNECTIONS connections pausing
# between requests so that together they offer half the requests/s measured at 32.
LATENCY_CONNECTIONS = 8
LATENCY_LOAD = 0.5


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def run(cmd: list[str], *, env=None, timeout=None, capture=False, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env or ENV, timeout=timeout, check=check, text=True,
                          capture_output=capture)


def psql(sql: str, db: str = "postgres") -> str:
    out = run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-XAtqc", sql], capture=True)
    return out.stdout.strip()


# --- machine -------------------------------------------------------------------------------


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "postgresql": psql("SHOW server_version"),
        "python": platform.python_version(),
        "load_average_at_start": list(os.getloadavg()),
        "speed": speed(),
    }


def speed() -> dict:
    """How fast this machine is today, to compare runs on different machines (the same VM type
    has measured 2-3x apart): a fixed pure-Python loop, and a fixed query on PostgreSQL, each
    the best of five."""
    import timeit

    python_ms = min(timeit.repeat("sum(i * i for i in range(100_000))", number=10, repeat=5)) * 100
    sql = "SELECT count(*) FROM generate_series(1, 1000000)"
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-XAtq"],
                         input="\\timing on\n" + "".join(f"{sql};\n" for _ in range(5)),
                         capture_output=True, text=True, check=False).stdout
    times = [float(t) for t in re.findall(r"Time: ([\d.]+) ms", out)]
    return {"python_loop_ms": round(python_ms, 2), "pg_series_ms": min(times) if times else None}


# --- tools ---------------------------------------------------------------------------------


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    say("installing wrk (Debian package)")
    run(["apt-get", "update", "-qq"])
    run(["apt-get", "install", "-y", "-qq", "wrk"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- data ----------------------------------------------------------------------------------


def load(reports: int) -> dict:
    figures: dict = {"reports": reports}
    say(f"fresh database {DB}")
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    t = time.monotonic()
    run([PY, "manage.py", "migrate", "--noinput", "-v0"])
    figures["migrate_s"] = round(time.monotonic() - t, 1)
    say(f"gen_load --reports {reports:,}")
    t = time.monotonic()
    out = run([PY, "-m", "bench.gen_load", "--reports", str(reports), "--seed", "7"], capture=True)
    print(out.stdout, end="", flush=True)
    figures["gen_load_s"] = round(time.monotonic() - t, 1)
    m = re.search(r"in ([\d.]+) s on postgresql: ([\d,]+) reports/s \(rows streamed in ([\d.]+) s, "
                  r"indexes rebuilt in ([\d.]+) s(?:, KPI roll-ups in ([\d.]+) s)?", out.stdout)
    if m:
        figures.update(load_s=float(m.group(1)), reports_per_s=int(m.group(2).replace(",", "")),
                       stream_s=float(m.group(3)), indexes_s=float(m.group(4)),
                       stream_reports_per_s=round(reports / float(m.group(3))),
                       rollups_s=float(m.group(5)) if m.group(5) else None)
    m = re.search(r"([\d,]+) timeline events, ([\d,]+) follows", out.stdout)
    if m:
        figures.update(events=int(m.group(1).replace(",", "")), follows=int(m.group(2).replace(",", "")))
    t = time.monotonic()
    psql("VACUUM ANALYZE", db=DB)
    figures["vacuum_analyze_s"] = round(time.monotonic() - t, 1)
    figures["database_size"] = psql(f"SELECT pg_size_pretty(pg_database_size('{DB}'))")
    return figures


# --- in-process Django: fixtures and the SQL of each scenario -------------------------------


def django_setup():
    os.environ.update({k: v for k, v in ENV.items() if k.startswith("OPENCITY_")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def fixtures() -> dict:
    """A citizen with a password (for the token and the submit page), sample ids and points."""
    from django.db.models import Count

    from opencity.accounts.models import User
    from opencity.lib.phone import normalize_phone
    from opencity.reports.models import OPEN_STATUSES, Category, Report, Status

    user = User.objects.filter(phone=normalize_phone(BENCH_PHONE)).first()
    if user is None:
        user = User.objects.create_user(BENCH_PHONE, BENCH_PASSWORD, full_name="Bench Citizen")
    visible = Report.objects.filter(is_public=True).exclude(status__in=[Status.MERGED, Status.REJECTED])
    total = Report.objects.order_by("-pk").values_list("pk", flat=True).first()
    ids = list(visible.filter(pk__in=[(total * k) // 997 for k in range(1, 997)]).values_list("pk", flat=True))
    points = list(Report.objects.filter(status__in=OPEN_STATUSES).order_by("pk")
                  .values_list("lat", "lon", "category_id")[::97][:200])
    busiest = (Report.objects.values("category").annotate(n=Count("pk")).order_by("-n")
               .values_list("category", flat=True).first())
    free = (Category.objects.filter(is_active=True).exclude(questions__required=True)
            .order_by("order").values_list("pk", flat=True).first())
    submit_at = Report.objects.filter(category_id=free).order_by("pk").values_list("lat", "lon").first()
    from django.conf import settings
    from django.test import Client

    browser = Client()
    browser.force_login(user)  # a session in the database, as signing in makes
    return {"user": user.pk, "report_ids": ids, "points": points, "category": busiest,
            "submit_category": free, "submit_point": submit_at,
            "session_cookie": settings.SESSION_COOKIE_NAME, "session": browser.cookies[settings.SESSION_COOKIE_NAME].value}


def captured_sql(method: str, path: str, *, user_id: int | None = None, data=None, headers=None) -> list[str]:
    """The SQL one request runs, in order (Django's test client, same settings and database)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(HTTP_HOST="127.0.0.1", **(headers or {}))
    # the SQL a request runs when nothing is cached (the clusters, the city's numbers)
    with (override_settings(OPENCITY_KPI_CACHE_SECONDS=0, OPENCITY_MAP_CLUSTER_CACHE_SECONDS=0),
          CaptureQueriesContext(connection) as ctx):
        response = client.post(path, data) if method == "POST" else client.get(path)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.content[:300]!r}")
    return [q["sql"] for q in ctx.captured_queries]


def pgbench_script(queries: list[str], *, write: bool, subst: dict[str, str] | None = None) -> str:
    lines = []
    for sql in queries:
        if re.match(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)", sql):
            continue
        for literal, variable in (subst or {}).items():
            sql = re.sub(rf"(?<![\w.]){re.escape(literal)}(?![\w.])", variable, sql)
        lines.append(" ".join(sql.split()) + ";")
    if write and not any(line.upper().startswith("BEGIN") for line in lines):
        lines = ["BEGIN;", *lines, "COMMIT;"]  # Django's own BEGIN/COMMIT are captured as they are
    return "\n".join(lines) + "\n"


def without_rollup_refresh(script: str) -> str:
    """The submit script minus the KPI roll-up refresh that runs after the commit (its own
    transaction, from ``SELECT pg_…advisory_xact_lock`` to its COMMIT): what submitting costs
    without it."""
    lines = script.splitlines()
    out, skip = [], False
    for line in lines:
        if "advisory_xact_lock" in line:
            skip = True
            if out and out[-1].upper().startswith("BEGIN"):
                out.pop()
            continue
        if skip:
            if line.upper().startswith("COMMIT"):
                skip = False
            continue
        out.append(line)
    return "\n".join(out) + "\n"


# --- load ----------------------------------------------------------------------------------


def wrk(base: str, name: str, paths: list[str], *, seconds: int, connections: int, body: bytes | None = None,
        content_type: str = "-", auth: str = "-", pause_ms: float | None = None,
        headers: dict[str, str] | None = None, timeout_s: int = 5) -> dict:
    WORK.mkdir(exist_ok=True)
    paths_file = WORK / f"{name}.paths"
    paths_file.write_text("\n".join(paths) + "\n")
    body_arg = "-"
    if body is not None:
        body_file = WORK / f"{name}.body"
        body_file.write_bytes(body)
        body_arg = str(body_file)
    threads = min(2, connections)
    out = run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", f"{timeout_s}s",
               "-s", str(BENCH / "wrk.lua"), base, "--", str(paths_file), body_arg, content_type, auth,
               str(round(pause_ms)) if pause_ms else "-",
               "|".join(f"{k}: {v}" for k, v in (headers or {}).items()) or "-"],
              capture=True, timeout=seconds + 60)
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    raw = json.loads(line)
    errors = sum(raw["errors"].values())
    duration = raw["duration_us"] / 1e6
    return {
        "requests_per_s": round(raw["requests"] / duration, 1),
        "requests": raw["requests"],
        "p50_ms": round(raw["latency_us"]["p50"] / 1000, 2),
        "p90_ms": round(raw["latency_us"]["p90"] / 1000, 2),
        "p99_ms": round(raw["latency_us"]["p99"] / 1000, 2),
        "errors": errors,
        "error_kinds": {k: v for k, v in raw["errors"].items() if v},
        "bytes_per_request": round(raw["bytes"] / max(raw["requests"], 1)),
    }


def pgbench(name: str, scripts: list[str], *, seconds: int, clients: int) -> dict:
    """The scenario's SQL straight to PostgreSQL (simple protocol, as Django sends it)."""
    WORK.mkdir(exist_ok=True)
    args = []
    for i, text in enumerate(scripts):
        f = WORK / f"{name}.{i}.sql"
        f.write_text(text)
        args += ["-f", str(f)]
    logs = WORK / "pgbench-logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    out = run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-M", "simple", "-c", str(clients),
               "-j", "2", "-T", str(seconds), "--log", f"--log-prefix={logs / 'tx'}", *args, DB],
              capture=True, timeout=seconds + 120, check=False)
    if out.returncode != 0 and "tps" not in out.stdout:
        return {"error": (out.stderr or out.stdout)[-600:]}
    latencies = []
    for f in logs.iterdir():
        for line in f.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2].isdigit():
                latencies.append(int(parts[2]))
    latencies.sort()
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] / 1000, 2) if latencies else None

    return {"tps": float(tps.group(1)) if tps else None, "p50_ms": pct(0.5), "p99_ms": pct(0.99),
            "transactions": len(latencies), "failed": int(failed.group(1)) if failed else 0}


# --- the server -----------------------------------------------------------------------------


class Server:
    """The web server as ``scripts/run.sh`` starts it — granian, WSGI, ``--workers`` ×
    ``--blocking-threads``, ``OPENCITY_WARM_ADDRESSES`` — in its own process group, but without
    the huey worker: its periodic jobs (the deadline escalation every 5 minutes over the whole
    backlog) would run in the middle of the measurements; the escalation job is timed on its own.
    Tasks that requests enqueue stay in the queue (enqueueing is part of what is measured)."""

    def __init__(self, workers: int, threads: int):
        import redis

        redis.Redis.from_url(ENV["OPENCITY_CACHE_URL"]).flushdb()  # no figures from an earlier run
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**ENV, "OPENCITY_WARM_ADDRESSES": "True"}
        # the static files as production serves them: hashed, with their gzip and Brotli copies
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
        self.log = open(WORK / "server.log", "w")  # noqa: SIM115 — closed in stop()
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--blocking-threads", str(threads), "--working-dir", "src",
             "opencity.wsgi:application"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float = 180) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped: see {WORK / 'server.log'}")
            try:
                # every process answers warm 20 times in a row: the address tables are loaded
                # (they take a core for ~20 s; measuring meanwhile measured the loading)
                warm = 0
                while warm < 20:
                    with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                        if r.status != 200 or not json.loads(r.read()).get("warm"):
                            break
                    warm += 1
                if warm == 20:
                    return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError("the server did not answer in time")

    def stop(self) -> None:
        stop_server(self.proc, self.log)


def stop_server(proc: subprocess.Popen, log) -> None:
    """Stop a server started in a session of its own (its workers too), then close its log."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    log.close()


def http(method: str, url: str, *, data: bytes | None = None, headers=None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "----opencitybench7"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


# --- scenarios -------------------------------------------------------------------------------

# Issue 20's budgets, each a ratio to a ceiling measured in the same run (the machine's speed
# varies 2-3x between sessions): share = scenario req/s / /healthz req/s at 32 connections (the
# median of REPEAT alternating runs); floor = /healthz's p99 at the scenario's half-load pace;
# SQL = the scenario's own statements replayed by pgbench (SQL / HTTP = how many times more).
BUDGETS = {
    "submit": "≥ 10% of /healthz req/s; 0 errors; p99 at half load ≤ 5× its latency floor",
    "map_default": "p99 < 50 ms at half load; ≤ 3× the raw SQL; zoomed out: server-side clusters, never thousands of points",
    "map_filtered": "p99 < 50 ms at half load; ≤ 3× the raw SQL",
    "map_street": "≤ 3× its raw SQL; p99 at half load ≤ 5× its latency floor",
    "nearby": "≥ 25% of /healthz req/s",
    "report_page": "visitor: ≥ 25% of /healthz req/s (never stale after a transition: reports/tests/test_page_cache.py)",
    "report_page_user": "signed in: ≥ 8% of /healthz req/s",
    "report_api": "≥ 20% of /healthz req/s",
    "static_file": "app.css (Brotli): ≥ 3× /healthz req/s, served pre-compressed",
    "ioc_headline": "≤ 3× its raw SQL (judged at 10 M reports: make bench-10m)",
    "unit_ranking": "≤ 3× its raw SQL (judged at 10 M reports: make bench-10m)",
    "escalation": "< 30 s, memory bounded",
    "fan_out": "every one of 1.3 M accounts can see it (inbox) and its push is queued in < 60 s, memory bounded",
    "page_weight": "≤ 200 KB compressed per page on first load (tiles, photos aside); Lighthouse mobile ≥ 90 (median of 3 runs)",
    "startup": "recorded, no budget",
}
# Least share of /healthz's requests/s (static_file: at least 3 times as many).
SHARE_BUDGETS = {"submit": 0.10, "nearby": 0.25, "report_page": 0.25, "report_page_user": 0.08,
                 "report_api": 0.20, "static_file": 3.0}
# p99 at half load, in ms (the maps zoomed out, kept from the first round).
P99_BUDGETS = {"map_default": 50, "map_filtered": 50}
# p99 at half load at most this many times /healthz's p99 at the same pace.
FLOOR_BUDGETS = {"submit": 5, "map_street": 5}
SQL_BUDGETS = {"map_default": 3, "map_filtered": 3, "map_street": 3, "ioc_headline": 3, "unit_ranking": 3}
REPEAT = int(os.environ.get("BENCH_REPEAT", 3))


def judge(name: str, s: dict) -> tuple[bool | None, list[str]]:
    why = []
    errors = (s.get("errors") or 0) + (s.get("latency", {}).get("errors") or 0)
    if errors:
        why.append(f"{errors} errors")
    share = s.get("share_of_healthz") or 0
    if name in SHARE_BUDGETS and share < SHARE_BUDGETS[name]:
        least = SHARE_BUDGETS[name]
        why.append(f"{share:.1%} of /healthz < {least:.0%}" if least < 1 else f"{share:.2f}× /healthz < {least:g}×")
    latency = s.get("latency") or {}
    p99 = latency.get("p99_ms") or 0
    if name in P99_BUDGETS and p99 >= P99_BUDGETS[name]:
        why.append(f"p99 {p99} ms ≥ {P99_BUDGETS[name]} ms at half load")
    if name in FLOOR_BUDGETS:
        floor = (latency.get("healthz") or {}).get("p99_ms") or 0
        if floor and p99 > FLOOR_BUDGETS[name] * floor:
            why.append(f"p99 {p99} ms at half load > {FLOOR_BUDGETS[name]}× its floor ({floor} ms)")
    ratio = s.get("sql_ratio")
    if name in SQL_BUDGETS and ratio is not None and ratio > SQL_BUDGETS[name]:
        why.append(f"{ratio:.1f}× the raw SQL > {SQL_BUDGETS[name]}×")
    if name.startswith("map") and s.get("mode") == "points" and s.get("features", 0) > 1000:
        why.append(f"{s['features']} points, no server-side clusters")
    return not why, why


def scenarios(base: str, fx: dict, token: str, seconds: int, connections: int, only: set[str] | None = None) -> dict:
    from opencity.lib.worktime import TZ
    from opencity.reports.kpi import Period

    today = dt.datetime.now(TZ).date()
    year = str(today.year - 1)  # a whole year
    quarter = Period.of("quarter", today).previous().key
    ids = fx["report_ids"]
    sample = ids[len(ids) // 2]
    lat, lon, cat = fx["points"][0]
    body, ctype = multipart({"category": str(fx["submit_category"]), "lat": str(fx["submit_point"][0]),
                             "lon": str(fx["submit_point"][1]),
                             "description": "Đèn đường hỏng, đoạn này tối om (bench)."})
    nearby_paths = [f"/reports/nearby/?lat={a}&lon={b}&category={c}" for a, b, c in fx["points"]]
    city = map_view(*settings_center(), 12)  # what the map page asks first (a 1366 × 700 screen)
    street = map_view(lat, lon, 17)  # zoomed in on a busy open report's street
    filtered = f"{city}&category={fx['category']}&status=open"
    plan = {
        # name: (paths, SQL capture path, substitutions for pgbench, write?)
        "map_default": ([city], city, None),
        "map_filtered": ([filtered], filtered, None),
        "map_street": ([street], street, None),
        "nearby": (nearby_paths, nearby_paths[0], None),
        "report_page": ([f"/reports/{i}/" for i in ids], f"/reports/{sample}/", {str(sample): ":id"}),
        "report_api": ([f"/api/v1/reports/{i}" for i in ids], f"/api/v1/reports/{sample}", {str(sample): ":id"}),
        "ioc_headline": ([f"/statistics/?period={year}"], f"/statistics/?period={year}", None),
        "unit_ranking": ([f"/statistics/?period={quarter}&sort=-on_time"],
                         f"/statistics/?period={quarter}&sort=-on_time", None),
    }
    results = {}
    for name, (paths, capture, subst) in plan.items():
        if only and name not in only:
            continue
        results[name] = one(base, name, paths, capture, subst, ids, seconds, connections)
    if not only or "report_page_user" in only:
        # The same pages for a signed-in citizen (the session cookie a browser sends): never the
        # visitors' kept copy, the page rendered for them.
        cookie = {"Cookie": f"{fx['session_cookie']}={fx['session']}"}
        queries = captured_sql("GET", f"/reports/{sample}/", user_id=fx["user"])
        scripts = [pgbench_script(queries, write=False, subst={str(sample): str(i)}) for i in ids[:: max(1, len(ids) // 50)]]
        results["report_page_user"] = measure(base, "report_page_user", [f"/reports/{i}/" for i in ids], scripts,
                                              len(queries), seconds, connections, headers=cookie)
    if not only or "static_file" in only:
        # The stylesheet every page links, under its hashed name, as a browser asks for it.
        manifest = json.loads((VAR / "static" / "staticfiles.json").read_text())  # collected by Server()
        stylesheet = "/static/" + manifest["paths"]["opencity/app.css"]
        results["static_file"] = measure(base, "static_file", [stylesheet], [], 0, seconds, connections,
                                         headers={"Accept-Encoding": "gzip, deflate, br"})
    if only and "submit" not in only:
        return results
    # Submitting last: it adds rows the other scenarios would read.
    auth = f"Bearer {token}"
    queries = captured_sql("POST", "/api/v1/reports", data={
        "category": fx["submit_category"], "lat": fx["submit_point"][0], "lon": fx["submit_point"][1],
        "description": "Đèn đường hỏng (bench, SQL capture)."}, headers={"HTTP_AUTHORIZATION": auth})
    results["submit"] = measure(base, "submit", ["/api/v1/reports"], [pgbench_script(queries, write=True)],
                                len(queries), seconds, connections, body=body, content_type=ctype, auth=auth)
    return results


def settings_center() -> tuple[float, float]:
    from django.conf import settings

    return tuple(settings.OPENCITY_MAP_CENTER)


def map_view(lat: float, lon: float, zoom: int, width: int = 1366, height: int = 700) -> str:
    """The points URL the map asks for a screen of ``width`` × ``height`` px at ``zoom``."""
    import math

    deg_per_px = 360 / (256 * 2 ** zoom)
    half_w = width / 2 * deg_per_px
    half_h = height / 2 * deg_per_px * math.cos(math.radians(lat))
    bbox = ",".join(f"{x:.5f}" for x in (lat - half_h, lon - half_w, lat + half_h, lon + half_w))
    return f"/reports/points.geojson?bbox={bbox}&zoom={zoom}"


def one(base, name, paths, capture, subst, ids, seconds, connections) -> dict:
    queries = captured_sql("GET", capture)
    scripts = [pgbench_script(queries, write=False, subst=subst)]
    if subst:  # the same spread of ids as the HTTP side: one script per sampled id
        choices = ids[:: max(1, len(ids) // 50)]
        scripts = [pgbench_script(queries, write=False, subst={k: str(i) for k in subst}) for i in choices]
    result = measure(base, name, paths, scripts, len(queries), seconds, connections)
    if name.startswith("map"):
        status, content = http("GET", base + paths[0])
        data = json.loads(content)
        result["features"] = len(data["features"])
        result["mode"] = data.get("mode", "points")
        result["reports_in_view"] = data.get("count")
        result["response_kb"] = round(len(content) / 1024, 1)
    return result


def prewarm() -> dict:
    """Read the database's tables and indexes into the OS page cache (pg_prewarm, mode
    ``read``), as they are on a server that has been running: a VM whose host reclaimed the
    page cache between the load and the measurements would otherwise measure its disk."""
    size_mb = int(psql(f"SELECT pg_database_size('{DB}') / 1048576"))
    if size_mb > 12_000:  # 10 M reports: more than the page cache would keep
        say(f"not prewarmed: {size_mb:,} MB")
        return {"skipped_mb": size_mb}
    t = time.monotonic()
    try:
        psql("CREATE EXTENSION IF NOT EXISTS pg_prewarm", db=DB)
        blocks = psql("SELECT coalesce(sum(pg_prewarm(c.oid::regclass, 'read')), 0) FROM pg_class c "
                      "JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't', 'm')", db=DB)
    except subprocess.CalledProcessError as exc:  # no contrib package: measure as it is
        say(f"pg_prewarm not available: {exc}")
        return {"error": str(exc)}
    seconds = round(time.monotonic() - t, 1)
    say(f"prewarmed {int(blocks) * 8 // 1024:,} MB into the page cache in {seconds} s")
    return {"mb": int(blocks) * 8 // 1024, "seconds": seconds}


def settle(timeout: float = 90) -> float:
    """Wait until no query of the last run is still running in the bench database (a timed-out
    request leaves its query behind), so that runs do not overlap. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        busy = psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{DB}' AND state = 'active' "
                    "AND pid <> pg_backend_pid()")
        if busy == "0":
            break
        time.sleep(1)
    time.sleep(1)
    return round(time.monotonic() - started, 1)


def measure(base, name, paths, scripts, n_queries, seconds, connections, **wrk_args) -> dict:
    waited = settle()
    if "body" not in wrk_args:
        # Warm up as a server that has been running is: each path asked once (the connections,
        # the address tables, and the pages kept for visitors — lib/pagecache.py — for the ~1,000
        # reports of the list; a page asked for the first time since a change is rendered).
        for p in paths[:1000]:
            http("GET", base + p, headers=wrk_args.get("headers"))
    load_before = round(os.getloadavg()[0], 2)
    # The throughput and its ceiling, REPEAT times in turn; the median share is judged (one pair
    # could fall on a moment a neighbour of this VM took the CPU).
    pairs = []
    for _ in range(REPEAT):
        ceiling = wrk(base, f"{name}-healthz", ["/healthz"], seconds=max(6, seconds - 4), connections=connections)
        run_ = wrk(base, name, paths, seconds=seconds, connections=connections, **wrk_args)
        settle()  # the last of the 32 connections' requests are still being served
        pairs.append((run_["requests_per_s"] / ceiling["requests_per_s"], run_, ceiling))
    pairs.sort(key=lambda pair: pair[0])
    share, result, ceiling = pairs[len(pairs) // 2]
    result = dict(result)
    result["runs"] = [{"requests_per_s": r["requests_per_s"], "healthz_per_s": c["requests_per_s"],
                       "share": round(x, 4), "errors": r["errors"]} for x, r, c in pairs]
    result["errors"] = sum(r["errors"] for _x, r, _c in pairs)
    offered = LATENCY_LOAD * result["requests_per_s"]
    pause = LATENCY_CONNECTIONS / max(offered, 0.1) * 1000  # each connection's pause, ms
    quiet = wrk(base, f"{name}-latency", paths, seconds=max(8, seconds - 2), connections=LATENCY_CONNECTIONS,
                pause_ms=pause, **wrk_args)
    # The latency floor at that pace: /healthz offered the same requests/s by the same paced
    # connections (what the server, the threads and the machine add to any request).
    floor = wrk(base, f"{name}-latency-healthz", ["/healthz"], seconds=max(8, seconds - 2),
                connections=LATENCY_CONNECTIONS, pause_ms=pause)
    result["latency"] = {"connections": LATENCY_CONNECTIONS, "load": LATENCY_LOAD, "offered_per_s": round(offered, 1),
                         "pause_ms": round(pause, 1),
                         **{k: quiet[k] for k in ("requests_per_s", "p50_ms", "p90_ms", "p99_ms", "errors")},
                         "healthz": {k: floor[k] for k in ("requests_per_s", "p50_ms", "p99_ms")}}
    result["load_average"] = [load_before, round(os.getloadavg()[0], 2)]
    result["settled_s"] = waited
    sql: dict = {}
    if scripts:
        settle()
        sql = pgbench(name, scripts, seconds=max(6, seconds - 4), clients=connections)
    if name == "submit":
        settle()
        result["sql_without_rollup_refresh"] = pgbench(f"{name}-norollup", [without_rollup_refresh(scripts[0])],
                                                       seconds=max(6, seconds - 4), clients=connections)
    result["connections"] = connections
    result["healthz"] = {k: ceiling[k] for k in ("requests_per_s", "p50_ms", "p99_ms")}
    result["share_of_healthz"] = round(share, 4)
    result["sql"] = sql
    result["queries_per_request"] = n_queries
    if sql.get("tps"):
        result["sql_ratio"] = round(sql["tps"] / max(result["requests_per_s"], 0.1), 2)
    result["pass"], result["why"] = judge(name, result)
    result["budget"] = BUDGETS[name]
    say(f"{name}: {result['requests_per_s']} req/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
        f"{result['errors']} errors | at half load ({quiet['requests_per_s']} req/s) p50 {quiet['p50_ms']} ms, "
        f"p99 {quiet['p99_ms']} ms | /healthz {ceiling['requests_per_s']} req/s | SQL {sql.get('tps')} tps "
        f"p99 {sql.get('p99_ms')} ms | {'pass' if result['pass'] else 'FAIL: ' + '; '.join(result['why'])} "
        f"| /healthz at that pace p99 {floor['p99_ms']} ms")
    return result


# --- jobs, pages, start-up ---------------------------------------------------------------------

ESCALATE = """
import json, resource, time, tracemalloc
from django.db import connection
from opencity.reports.services.deadlines import deadlines_escalate
out = []
for run, traced in ((1, False), (2, True)):
    # The first run (the whole backlog) is timed without tracemalloc, which slows Python 2-3x;
    # its memory is the process's peak RSS. The second (nothing left to send) is traced.
    if traced:
        tracemalloc.start()
    t = time.monotonic()
    sent = deadlines_escalate()
    seconds = time.monotonic() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
    tracemalloc.stop()
    out.append({"run": run, "seconds": round(seconds, 2), "traced_peak_mb": round(peak, 1) if peak else None,
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "sent": {str(k): v for k, v in sent.items()}})
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM reports_report WHERE status IN ('assigned', 'in_progress')")
    active = c.fetchone()[0]
    c.execute("SELECT count(*) FROM reports_report WHERE status IN ('new', 'assigned', 'in_progress') "
              "OR created_at > now() - interval '30 days'")
    open_or_recent = c.fetchone()[0]
print("RESULT " + json.dumps({"runs": out, "active_reports": active, "open_or_recent": open_or_recent}))
"""


def escalation(timeout: int = 900) -> dict:
    """The deadline job twice, from a clean slate (no escalation sent yet, as after the load)."""
    if not (ROOT / "src/opencity/reports/services/deadlines.py").exists():
        return {"skipped": "no reports/services/deadlines.py yet"}
    psql("TRUNCATE reports_escalation", db=DB)  # what an interrupted earlier run sent
    try:
        out = run([PY, "manage.py", "shell", "-c", ESCALATE], capture=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        sent = psql("SELECT count(*) FROM reports_escalation", db=DB)
        return {"budget": BUDGETS["escalation"], "pass": False,
                "why": [f"first run not done after {timeout} s ({sent} escalations sent by then)"],
                "runs": None, "timeout_s": timeout, "sent_by_timeout": int(sent)}
    line = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
    if not line:
        return {"error": (out.stderr or out.stdout)[-800:]}
    result = json.loads(line[0][7:])
    first = result["runs"][0]
    why = []
    if first["seconds"] >= 30:
        why.append(f"{first['seconds']} s ≥ 30 s")
    if first["max_rss_mb"] >= 512:
        why.append(f"peak RSS {first['max_rss_mb']} MB")
    result.update({"budget": BUDGETS["escalation"], "pass": not why, "why": why})
    say(f"escalation: {result['runs']} over {result['open_or_recent']:,} open-or-recent reports")
    return result


FANOUT_DB = "opencity_bench_fanout"  # its own database: the shared opencity_bench is left alone

FANOUT_CITIZENS = """
import json, time
from django.db import connection
from opencity.notifications.models import PushSubscription
from bench.loadgen import ensure_citizens, ensure_reference_data  # manage.py shell runs from the root

CITIZENS = int(__import__("os").environ["BENCH_FANOUT_CITIZENS"])
out = {"citizens": CITIZENS}
ensure_reference_data()  # the city's wards (the demo pack's reference data, no reports)
t = time.monotonic()
ids, created = ensure_citizens(CITIZENS, seed=7, log=lambda s: None)
out["citizens_created"] = created
out["citizens_s"] = round(time.monotonic() - t, 1)
# a browser subscription for one generated citizen in ten, drawn at random (so every ward has
# some); pushes go to the memory backend
import numpy as np
t = time.monotonic()
have = set(PushSubscription.objects.values_list("user_id", flat=True))
chosen = np.random.default_rng(7).choice(ids, len(ids) // 10, replace=False)
subs = [PushSubscription(user_id=int(u), endpoint=f"https://push.example/bench/{int(u)}", p256dh="x" * 87, auth="y" * 22)
        for u in chosen if int(u) not in have]
PushSubscription.objects.bulk_create(subs, batch_size=5000)
out["subscriptions"] = PushSubscription.objects.count()
out["subscriptions_s"] = round(time.monotonic() - t, 1)
# Nor are its warnings: 2,450 bulletins of past seasons (Huế's count for 2023), each to 1–5 wards,
# over two years, ended — every inbox read below checks them too.
import datetime as dt, random
from django.utils import timezone
from opencity.geo import selectors as geo
from opencity.notifications.models import Notification
from opencity.notifications.services import notify_broadcast
t = time.monotonic()
wards = [w.pk for w in geo.wards()]
r = random.Random(7)
have = Notification.objects.filter(user__isnull=True, verb="warning.past").count()
for i in range(have, 2450):
    sent = timezone.now() - dt.timedelta(days=730 * (i + 1) / 2450)
    notify_broadcast(verb="warning.past", texts={"vi": (f"Cảnh báo cũ {i}", "Đã hết hiệu lực.")},
                     area_ids=r.sample(wards, r.randint(1, 5)), created_at=sent, ends_at=sent + dt.timedelta(days=2),
                     located_after=sent - dt.timedelta(hours=72))
out["past_broadcasts"] = Notification.objects.filter(user__isnull=True, verb="warning.past").count()
out["past_broadcasts_s"] = round(time.monotonic() - t, 1)
# A city's people are not new on the day of a warning: its statistics are current (autovacuum's
# analyze, which is off on some machines, the bench's included)
with connection.cursor() as c:
    c.execute("ANALYZE accounts_user")
    c.execute("ANALYZE alerts_pushsubscription")
    c.execute("ANALYZE notifications_notification")
    c.execute("ANALYZE notifications_notification_audience_areas")
print("RESULT " + json.dumps(out))
"""

FANOUT = """
import json, random, resource, statistics, time
from django.conf import settings
from django.db import transaction
from django.utils import timezone
import datetime as dt
from opencity.accounts.models import User
from opencity.alerts import delivery, services
from opencity.geo import selectors as geo
from opencity.notifications import outbox
from opencity.notifications.models import Notification, NotificationReceipt, OutboxMessage
from opencity.notifications.push import MemoryBackend
from opencity.notifications.selectors import inbox, inbox_unread_count
from bench.loadgen import CITIZEN_PHONE_PREFIX

settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.MemoryBackend"
out = {}
wards = [w.pk for w in geo.wards()]
# people to look at: a sample of generated citizens across every ward, read as the inbox reads them
people = list(User.objects.filter(phone__startswith=CITIZEN_PHONE_PREFIX).order_by("?")
              .only("pk", "home_area_id", "last_location_area_id", "last_location_at", "date_joined",
                    "preferred_language")[:300])
out["sampled_accounts"] = len(people)
out["sampled_wards"] = len({p.home_area_id for p in people})
now = timezone.now()
content = dict(event="flood", severity="Severe", urgency="Expected", certainty="Likely", response_type="Evacuate",
               headline_vi="Cảnh báo lũ trên sông Hương (bench)", description_vi="Mực nước sông Hương dự báo lên trên báo động 3.",
               effective=now, expires=now + dt.timedelta(hours=24))


def rows():
    return (Notification.objects.count() + Notification.audience_areas.through.objects.count()
            + NotificationReceipt.objects.count() + OutboxMessage.objects.count())


runs = []
for label, target in (("3 wards", {"area_ids": wards[:3]}), ("whole city", {"whole_city": True})):
    before = rows()
    t0 = time.monotonic()
    with transaction.atomic():
        message = services.alert_publish(actor=None, **content, **target)
    visible_s = time.monotonic() - t0  # committed: in every targeted inbox from here
    # the on-commit kick only went to the queue (no worker runs here): deliver in this process
    t = time.monotonic()
    queued = delivery.message_push(message_id=message.pk)
    queue_s = time.monotonic() - t
    t = time.monotonic()
    fan = delivery.message_fan_out(message_id=message.pk)
    count_s = time.monotonic() - t
    written = rows() - before
    # every one can see it: the inbox selector for each sampled account, against the target's rule
    targeted = set(target.get("area_ids") or wards) if not target.get("whole_city") else None
    seen = missed = wrong = 0
    timings = []
    for person in people:
        t = time.monotonic()
        has = inbox(user=person).filter(pk=message.notice_id).exists()
        inbox_unread_count(user=person)
        timings.append(time.monotonic() - t)
        should = targeted is None or person.home_area_id in targeted
        seen += has and should
        missed += should and not has
        wrong += has and not should
    # the worker sends the queued batches (memory backend): measured, not part of the budget
    MemoryBackend.reset()
    t = time.monotonic()
    outbox.drain(min_priority=outbox.LIFE_SAFETY)
    send_s = time.monotonic() - t
    sent = len(MemoryBackend.outbox)
    MemoryBackend.reset()
    runs.append({"target": label, "people": fan.delivered, "visible_s": round(visible_s, 2),
                 "pushed": queued, "push_s": round(queue_s, 1), "count_s": round(count_s, 1),
                 "rows_written": written, "sample_targeted": seen + missed, "sample_sees": seen,
                 "sample_missed": missed, "sample_wrongly_sees": wrong,
                 "inbox_ms_median": round(1000 * statistics.median(timings), 1),
                 "inbox_ms_max": round(1000 * max(timings), 1), "sent": sent, "send_s": round(send_s, 1)})
out["runs"] = runs
out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print("RESULT " + json.dumps(out))
"""


def fan_out(citizens: int = 1_300_000, timeout: int = 3600) -> dict:
    """A warning to 3 wards, then to the whole city, with ``citizens`` generated citizens (home
    wards round-robin, one in ten with a browser subscription), in its own database
    (``FANOUT_DB``: created and migrated if missing; the citizens are kept between runs).
    Timed in one fresh process as the worker runs it: the publish (the warning is in every
    targeted inbox when it commits), the push queue (``alerts.delivery.message_push``: one outbox
    row per batch of devices); then a sample of accounts across the wards read through the
    inbox selector, and the queued pushes sent (memory backend, not in the budget)."""
    if not (ROOT / "src/opencity/alerts/delivery.py").exists():
        return {"skipped": "no alerts/delivery.py yet"}
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{FANOUT_DB}'"):
        psql(f"CREATE DATABASE {FANOUT_DB}")
    # its own database and cache (Redis DB 9): it may run beside a full bench without touching it
    env = {**ENV, "OPENCITY_DB_NAME": FANOUT_DB, "OPENCITY_CACHE_URL": "redis://127.0.0.1:6379/9",
           "BENCH_FANOUT_CITIZENS": str(citizens)}
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    result: dict = {"database": FANOUT_DB}
    try:
        for script in (FANOUT_CITIZENS, FANOUT):
            out = run([PY, "manage.py", "shell", "-c", script], env=env, capture=True, timeout=timeout, check=False)
            line = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
            if not line:
                return {"budget": BUDGETS["fan_out"], "pass": False, "error": (out.stderr or out.stdout)[-800:]}
            result.update(json.loads(line[0][7:]))
    except subprocess.TimeoutExpired:
        return {"budget": BUDGETS["fan_out"], "pass": False, "why": [f"not done after {timeout} s"]}
    why = []
    for r in result["runs"]:
        total = r["visible_s"] + r["push_s"]
        if total >= 60:
            why.append(f"{r['target']}: {total:.1f} s ≥ 60 s")
        if r["sample_missed"] or r["sample_wrongly_sees"] or not r["sample_sees"]:
            why.append(f"{r['target']}: {r['sample_missed']} sampled accounts in the target do not see it, "
                       f"{r['sample_wrongly_sees']} outside do")
    if result["max_rss_mb"] >= 1024:
        why.append(f"peak RSS {result['max_rss_mb']} MB")
    result.update({"budget": BUDGETS["fan_out"], "pass": not why, "why": why})
    say(f"warning fan-out: {result['runs']} (RSS {result['max_rss_mb']} MB)")
    return result


PAGE_WEIGHT = r"""
import gzip, json, sys
from playwright.sync_api import sync_playwright
base, session, pages = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
out = {}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=sys.argv[4].split())
    for name, path, signed_in in pages:
        ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
        if signed_in:
            ctx.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        page = ctx.new_page()
        seen = []
        def on_response(r, seen=seen):
            if not r.url.startswith(base):
                return  # map tiles and anything outside: aside
            try:
                body = r.body()
            except Exception:
                return
            seen.append((r.url[len(base):], r.status, r.headers.get("content-encoding", ""), len(body),
                         len(gzip.compress(body, 6)), r.request.resource_type))
        page.on("response", on_response)
        page.goto(base + path, wait_until="networkidle")
        page.wait_for_timeout(500)
        rows = [s for s in seen if not s[0].startswith("/photos/")]
        served = sum(s[3] for s in rows if not s[2]) + sum(s[3] for s in rows if s[2])
        out[name] = {"path": path, "requests": len(rows), "served_kb": round(served / 1024, 1),
                     "gzip_kb": round(sum(s[4] for s in rows) / 1024, 1),
                     "server_compressed": [s[0] for s in rows if s[2]],
                     "largest": sorted(([s[0][:60], round(s[4] / 1024, 1)] for s in rows), key=lambda x: -x[1])[:4]}
        ctx.close()
    browser.close()
print("RESULT " + json.dumps(out))
"""


def page_weight(base: str, fx: dict) -> dict:
    from django.test import Client

    from opencity.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=fx["user"]))
    session = client.cookies["sessionid"].value
    pages = [["submit", "/reports/new/", True], ["map", "/reports/map/", False],
             ["report", f"/reports/{fx['report_ids'][0]}/", False]]
    out = run([PY, "-c", PAGE_WEIGHT, base, session, json.dumps(pages), CHROME_FLAGS], capture=True,
              timeout=300, check=False)
    line = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
    if not line:
        return {"error": (out.stderr or out.stdout)[-800:]}
    result = {"pages": json.loads(line[0][7:])}
    why = [f"{k} {v['gzip_kb']} KB" for k, v in result["pages"].items() if v["gzip_kb"] > 200]
    result["lighthouse"] = lighthouse(base, pages, session)
    why += [f"Lighthouse {k} {v.get('performance')}" for k, v in result["lighthouse"].items()
            if isinstance(v, dict) and v.get("performance") is not None and v["performance"] < 90]
    why += [f"Lighthouse {k} did not run" for k, v in result["lighthouse"].items()
            if not isinstance(v, dict) or v.get("performance") is None]
    result.update({"budget": BUDGETS["page_weight"], "pass": not why, "why": why})
    say(f"page weight: {json.dumps({k: v['gzip_kb'] for k, v in result['pages'].items()})} KB gzip; "
        f"Lighthouse {json.dumps(result['lighthouse'])[:300]}")
    return result


def lighthouse(base: str, pages, session: str) -> dict:
    cli = TOOLS / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        say(f"installing lighthouse {LIGHTHOUSE_VERSION} (npm) into bench/.tools")
        TOOLS.mkdir(exist_ok=True)
        r = run(["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error",
                 f"lighthouse@{LIGHTHOUSE_VERSION}"], capture=True, check=False, timeout=600)
        if r.returncode != 0:
            return {"error": "npm install lighthouse failed: " + r.stderr[-300:]}
    out = {}
    env = {**ENV, "CHROME_PATH": "/usr/bin/chromium"}
    for name, path, signed_in in pages:
        headers = ["--extra-headers", json.dumps({"Cookie": f"sessionid={session}"})] if signed_in else []
        runs = []
        for n in range(LIGHTHOUSE_RUNS):  # the median is judged: one run can meet a busy moment
            report = WORK / f"lighthouse-{name}-{n}.json"
            attempts = 0
            while attempts < 3:  # Chromium sometimes fails to record the trace (NO_NAVSTART): again
                attempts += 1
                report.unlink(missing_ok=True)
                r = run(["node", str(cli), base + path, "--quiet", "--output=json", f"--output-path={report}",
                         "--only-categories=performance", "--form-factor=mobile", "--throttling-method=simulate",
                         f"--chrome-flags={CHROME_FLAGS}", *headers], env=env, capture=True, check=False, timeout=240)
                if r.returncode == 0 and report.exists():
                    break
            if r.returncode != 0 or not report.exists():
                runs.append({"error": (r.stderr or r.stdout)[-300:], "attempts": attempts})
                continue
            data = json.loads(report.read_text())
            audits = data["audits"]
            score = data["categories"]["performance"]["score"]
            runs.append({"performance": round(score * 100) if score is not None else None,
                         "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
                         "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
                         "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
                         "transfer_kb": round(audits["total-byte-weight"]["numericValue"] / 1024, 1)})
        scored = sorted((x for x in runs if x.get("performance") is not None), key=lambda x: x["performance"])
        if len(scored) < len(runs) or not scored:
            out[name] = {"error": "; ".join(x.get("error", "no score") for x in runs if x.get("performance") is None),
                         "runs": [x.get("performance") for x in runs]}
            continue
        out[name] = {**scored[len(scored) // 2], "runs": [x["performance"] for x in runs]}
    return out


def startup() -> dict:
    """`make run` on a fresh installation, minus creating the venv and npm: migrate, load_demo on
    an empty SQLite database, then the server until its first 200 on /."""
    var = WORK / "startup-var"
    shutil.rmtree(var, ignore_errors=True)
    env = {**os.environ, "OPENCITY_VAR_DIR": str(var), "PYTHONPATH": str(ROOT / "src"), "OPENCITY_DB_ENGINE": "sqlite"}
    env.pop("OPENCITY_DB_NAME", None)
    steps = {}
    t0 = time.monotonic()
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    steps["migrate_s"] = round(time.monotonic() - t0, 1)
    t = time.monotonic()
    run([PY, "manage.py", "load_demo"], env=env, capture=True)
    steps["load_demo_s"] = round(time.monotonic() - t, 1)
    port = free_port()
    t = time.monotonic()
    proc = subprocess.Popen([str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "1", "--blocking-threads", "8",
                             "--working-dir", "src", "opencity.wsgi:application"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while time.monotonic() - t < 120:
            status, _ = (0, b"")
            try:
                status, _ = http("GET", f"http://127.0.0.1:{port}/")
            except (urllib.error.URLError, ConnectionError):
                pass
            if status == 200:
                break
            time.sleep(0.1)
        steps["first_200_s"] = round(time.monotonic() - t, 1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    steps["total_s"] = round(time.monotonic() - t0, 1)
    steps["budget"] = BUDGETS["startup"]
    steps["note"] = "fresh SQLite database and var dir; venv creation and npm ci not included"
    say(f"start-up (cold): {steps}")
    return steps


# --- output ----------------------------------------------------------------------------------


def _share(s: dict) -> str:
    """The median share, and the REPEAT runs' range beside it."""
    share = s["share_of_healthz"]
    text = f"{share:.2f}×" if share >= 1 else f"{share:.1%}"
    runs = s.get("runs") or []
    if len(runs) > 1:
        low, high = runs[0]["share"], runs[-1]["share"]
        text += f" ({low:.2f}–{high:.2f}×)" if share >= 1 else f" ({low:.1%}–{high:.1%})"
    return text


def _sql_text(sql: dict) -> str:
    return f"{sql.get('tps') or 0:,.0f} ({sql.get('p99_ms')})"


def table(results: dict) -> str:
    n = results.get("connections", 32)
    rows = [f"| scenario | req/s ({n} conn.) | p50 ms | p99 ms | errors | at half load: req/s, p50 / p99 ms "
            "| /healthz at that pace: p99 ms | /healthz req/s | share | raw SQL tps (p99 ms) | SQL ÷ HTTP | budget "
            "| result |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in results["scenarios"].items():
        sql = s.get("sql", {})
        quiet = s.get("latency") or {}
        sql_cells = f"{_sql_text(sql)} | {s['sql_ratio']}×" if s.get("sql_ratio") is not None else "— | —"
        rows.append(
            f"| {name} | {s['requests_per_s']:,} | {s['p50_ms']} | {s['p99_ms']} | {s['errors']} | "
            f"{quiet.get('requests_per_s', '—')}, {quiet.get('p50_ms', '—')} / {quiet.get('p99_ms', '—')} | "
            f"{(quiet.get('healthz') or {}).get('p99_ms', '—')} | {s['healthz']['requests_per_s']:,} | {_share(s)} | "
            f"{sql_cells} | {s['budget']} | "
            f"{'pass' if s['pass'] else '**fail**: ' + '; '.join(s['why'])} |")
    esc = results.get("escalation", {})
    if esc.get("runs"):
        r1, r2 = esc["runs"]
        rows.append(f"| escalation job | first run {r1['seconds']} s (RSS {r1['max_rss_mb']} MB, sent {r1['sent']}); "
                    f"second {r2['seconds']} s (traced peak {r2['traced_peak_mb']} MB) | | | | | | | | | | {esc['budget']} | "
                    f"{'pass' if esc['pass'] else '**fail**: ' + '; '.join(esc['why'])} |")
    elif esc.get("why"):
        rows.append(f"| escalation job | {esc['why'][0]} | | | | | | | | | | {esc['budget']} | **fail** |")
    fo = results.get("fan_out", {})
    if fo.get("runs"):
        text = "; ".join(f"{r['target']}: {r['people']:,} people, in their inboxes at commit ({r['visible_s']} s, "
                         f"{r['rows_written']} rows written), {r['pushed']:,} pushes queued in {r['push_s']} s "
                         f"(sent in {r['send_s']} s), sampled inboxes {r['sample_sees']}/{r['sample_targeted']} "
                         f"({r['inbox_ms_median']} ms median)"
                         for r in fo["runs"])
        rows.append(f"| warning fan-out | {fo['citizens']:,} citizens; {text}; RSS {fo['max_rss_mb']} MB | | | | | | | | | | "
                    f"{fo['budget']} | {'pass' if fo['pass'] else '**fail**: ' + '; '.join(fo['why'])} |")
    elif fo.get("why") or fo.get("error"):
        rows.append(f"| warning fan-out | {(fo.get('why') or [fo.get('error', '')[-200:]])[0]} | | | | | | | | | | "
                    f"{BUDGETS['fan_out']} | **fail** |")
    pw = results.get("page_weight", {})
    if pw.get("pages"):
        text = ", ".join(f"{k} {v['gzip_kb']} KB gzip ({v['served_kb']} KB as served)" for k, v in pw["pages"].items())
        lh = ", ".join(f"{k} {v.get('performance') if isinstance(v, dict) else 'n/a'}" for k, v in pw["lighthouse"].items())
        rows.append(f"| citizen pages | {text}; Lighthouse {lh} | | | | | | | | | | {pw['budget']} | "
                    f"{'pass' if pw['pass'] else '**fail**: ' + '; '.join(pw['why'])} |")
    st = results.get("startup", {})
    if st.get("total_s") is not None:
        rows.append(f"| start-up (cold) | {st['total_s']} s (migrate {st['migrate_s']}, load_demo {st['load_demo_s']}, "
                    f"first 200 {st['first_200_s']}) | | | | | | | | | | recorded | — |")
    return "\n".join(rows)


def _speed_text(m: dict) -> str:
    sp = m.get("speed") or {}
    if not sp:
        return ""
    return f" (speed: Python loop {sp['python_loop_ms']} ms, PostgreSQL series {sp['pg_series_ms']} ms; lower is faster)"


def write_readme(results: dict, block: str = "results") -> None:
    readme = BENCH / "README.md"
    text = readme.read_text() if readme.exists() else ""
    m = results["machine"]
    load_ = results.get("load", {})
    start, end = f"<!-- {block}:start -->", f"<!-- {block}:end -->"
    text_block = (f"{start}\n_Latest run: {m['date']} on {m['nproc']} × {m['cpu']}, {m['memory_gb']} GB, "
             f"PostgreSQL {m['postgresql']}{_speed_text(m)}; {load_.get('reports', '?'):,} reports"
             f" (gen_load {load_.get('reports_per_s', 0):,} reports/s overall, "
             f"{load_.get('stream_reports_per_s', 0):,} reports/s streamed); "
             f"server: granian WSGI, {results['server']['workers']} workers × {results['server']['threads']} "
             f"threads; load: wrk, {results['connections']} connections, {results['seconds']} s per run._\n\n"
             + table(results) + f"\n{end}")
    if start in text:
        text = re.sub(re.escape(start) + ".*" + re.escape(end), lambda _m: text_block, text, flags=re.S)
    else:
        text += "\n" + text_block + "\n"
    readme.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=int(os.environ.get("BENCH_REPORTS", 1_000_000)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 12)))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--skip-load", action="store_true", help="reuse the database of the last run")
    parser.add_argument("--skip-extras", action="store_true", help="only the HTTP scenarios")
    parser.add_argument("--only-escalation", action="store_true",
                        help="time the escalation job again on the last run's database and update the results")
    parser.add_argument("--only-fan-out", action="store_true",
                        help="time the warning fan-out again (its own database, opencity_bench_fanout) and update the results")
    parser.add_argument("--fan-out-citizens", type=int, default=1_300_000)
    parser.add_argument("--only", default="", help="comma-separated scenarios to run (default: all)")
    parser.add_argument("--results", default="latest",
                        help="results file bench/results/<name>.json and README block (default: latest)")
    args = parser.parse_args()
    if args.only_escalation or args.only_fan_out:
        latest = BENCH / "results" / "latest.json"
        results = json.loads(latest.read_text())
        if args.only_escalation:
            results["escalation"] = escalation()
        if args.only_fan_out:
            results["fan_out"] = fan_out(args.fan_out_citizens)
        latest.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        write_readme(results)
        print(table(results))
        return

    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))  # stop the server on the way out
    WORK.mkdir(parents=True, exist_ok=True)
    VAR.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    results: dict = {"machine": machine(), "seconds": args.seconds, "connections": args.connections,
                     "server": {"how": "granian --interface wsgi as scripts/run.sh starts it (without the huey worker)",
                                "workers": args.workers, "threads": args.threads}}
    previous = BENCH / "results" / f"{args.results}.json"
    if args.skip_load and previous.exists():
        results["load"] = json.loads(previous.read_text()).get("load", {})
    else:
        results["load"] = load(args.reports)
    django_setup()
    fx = fixtures()
    server = Server(args.workers, args.threads)
    try:
        results["server"]["ready_s"] = round(server.wait(), 1)
        results["server"]["prewarm"] = prewarm()
        status, content = http("POST", server.base + "/api/v1/auth/token",
                               data=json.dumps({"phone": BENCH_PHONE, "password": BENCH_PASSWORD, "name": "bench"}).encode(),
                               headers={"Content-Type": "application/json"})
        if status != 201 and status != 200:
            raise RuntimeError(f"token: {status} {content[:200]!r}")
        token = json.loads(content)["token"]
        only = {x.strip() for x in args.only.split(",") if x.strip()} or None
        results["scenarios"] = scenarios(server.base, fx, token, args.seconds, args.connections, only)
        if only and args.skip_load and previous.exists():  # re-measured some: keep the others
            kept = json.loads(previous.read_text())
            results = {**kept, "scenarios": {**kept.get("scenarios", {}), **results["scenarios"]},
                       "remeasured": {"date": results["machine"]["date"], "scenarios": sorted(only),
                                      "load_average_at_start": results["machine"]["load_average_at_start"]}}
            args.skip_extras = True
        if not args.skip_extras:
            results["page_weight"] = page_weight(server.base, fx)
    finally:
        server.stop()
    if not args.skip_extras:
        results["escalation"] = escalation()
        results["fan_out"] = fan_out(args.fan_out_citizens)
        results["startup"] = startup()
    if results["load"].get("reports", 0) < 10_000_000:
        results["not_measured"] = {
            "10M": "IOC figures and unit ranking are budgeted at 10 M reports; measured here at "
                   f"{results['load'].get('reports', 0):,} (make bench-10m measures them at 10 M)",
        }
    results["bench_seconds"] = round(time.monotonic() - started)
    (BENCH / "results").mkdir(exist_ok=True)
    previous.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    write_readme(results, block="results" if args.results == "latest" else f"results-{args.results}")
    print()
    print(table(results))
    say(f"done in {results['bench_seconds']} s; results in bench/results/{args.results}.json")


if __name__ == "__main__":
    main()
