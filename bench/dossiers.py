"""`make bench-dossiers` — one-stop dossiers at Huế's scale (issue 19), in one run.

Huế's one-stop system holds about 1.4 M dossiers. On a fresh PostgreSQL database
``opencity_bench_dos`` with the demo pack's reference data (wards, units):

1. **import**: ``--dossiers`` rows made by the demo's own generator (``demo/dossiers.py``: the
   same procedures, agencies, wards and on-time rate), imported through the product's import
   service (``dossiers_import``, as the CSV upload and the scheduled pull do) in chunks of
   10,000 rows; rows/s;
2. **re-import**: one chunk sent again (idempotent on MaHoSo: nothing created or changed);
3. **figures**, timed in process as the pages ask them (median and p99 of 20 runs): the city's
   five figures for a month and for the whole half year, the table per agency and per ward for a
   month, the console's "overdue now" count, the list behind a figure (its count and first page),
   and the citizen's lookup by code and phone digits.

Budgets (`BUDGETS`) are for the pages people wait on. Writes ``bench/results/dossiers.json``.
Run: ``.venv/bin/python bench/dossiers.py`` (``--dossiers 1400000`` by default). Not part of
``make test``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import ENV, PY, psql, say  # noqa: E402

DB = "opencity_bench_dos"
DOS_ENV = {**ENV, "OPENCITY_DB_NAME": DB, "OPENCITY_SMS_ALLOW_CONSOLE": "True"}
CHUNK = 10_000
RUNS = 20
RESULTS = ROOT / "bench" / "results" / "dossiers.json"
BUDGETS = {
    "import": "≥ 2,000 rows/s through the import service",
    "figures_month": "the city's figures for a month: p99 < 200 ms",
    "by_agency_month": "the table per agency for a month: p99 < 300 ms",
    "overdue_now": "the console's overdue-now count: p99 < 50 ms",
    "lookup": "the citizen's lookup: p99 < 20 ms",
}


def django() -> None:
    os.environ.update(DOS_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django as dj

    dj.setup()


def fresh_database() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=DOS_ENV, check=True)


def timed(fn, runs: int = RUNS) -> dict:
    fn()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_400_000)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()

    say(f"fresh database {DB}")
    fresh_database()
    django()
    from django.db import connection
    from django.utils import timezone

    from bench.loadgen import ensure_reference_data
    from opencity.demo.dossiers import ALIASES, _generate
    from opencity.dossiers import kpi, selectors
    from opencity.dossiers.models import Dossier
    from opencity.dossiers.services import agency_alias_set, dossiers_import
    from opencity.geo.models import Area
    from opencity.orgs.models import Unit
    from opencity.reports.kpi import Period

    say("reference data (the demo pack without reports)")
    ensure_reference_data()
    units = {u.code: u for u in Unit.objects.all()}
    wards = list(Area.objects.filter(kind="ward").order_by("code"))
    for alias, code in ALIASES:
        agency_alias_set(alias=alias, unit=units[code])
    now = timezone.now().replace(second=0, microsecond=0)
    say(f"generating {args.dossiers:,} rows with the demo's generator")
    _then, rows = _generate(now, args.dossiers, args.seed, wards, units)

    say("importing through dossiers_import")
    start = time.perf_counter()
    created = 0
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        result = dossiers_import(rows=list(enumerate(chunk, start=i + 2)))
        created += result.created
        if result.errors:
            say(f"  {len(result.errors)} rows refused, first: {result.errors[0]}")
    seconds = time.perf_counter() - start
    rate = created / seconds
    say(f"  {created:,} dossiers in {seconds:.0f} s: {rate:,.0f} rows/s")
    again = time.perf_counter()
    replay = dossiers_import(rows=list(enumerate(rows[:CHUNK], start=2)))
    replay_s = time.perf_counter() - again
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dossiers_dossier")

    from opencity.accounts.models import User
    from opencity.roles import Role

    user = User.objects.filter(role=Role.LEADER).first()
    month = Period.of("month", timezone.localtime(now).date().replace(day=1))
    half_year = kpi.Scope()
    scope = kpi.Scope(period=month)
    sample = Dossier.objects.order_by("?").first()
    last4 = "".join(ch for ch in sample.owner_phone if ch.isdigit())[-4:]
    say("timing the figures")
    results = {
        "dossiers": Dossier.objects.count(),
        "import": {"rows_per_s": round(rate), "seconds": round(seconds, 1),
                   "replay_chunk": {"rows": CHUNK, "created": replay.created, "changed": replay.changed,
                                    "seconds": round(replay_s, 2)}},
        "figures_month": timed(lambda: selectors.figures(user=user, scope=scope)),
        "figures_all": timed(lambda: selectors.figures(user=user, scope=half_year), runs=5),
        "by_agency_month": timed(lambda: selectors.figures_by(user=user, scope=scope, by="unit")),
        "by_ward_month": timed(lambda: selectors.figures_by(user=user, scope=scope, by="area")),
        "overdue_now": timed(lambda: selectors.overdue_now_count(user=user)),
        "list_overdue": timed(lambda: (selectors.drilldown(user=user, scope=half_year, figure="overdue_now").count(),
                                       list(selectors.drilldown(user=user, scope=half_year,
                                                                figure="overdue_now")[:50]))),
        "lookup": timed(lambda: selectors.dossier_lookup(code=sample.code, last4=last4)),
    }
    f = selectors.figures(user=user, scope=half_year)
    results["on_time_rate"] = round(f.on_time_rate or 0, 4)
    results["overdue_now_count"] = f.overdue_now
    checks = {
        "import": rate >= 2000,
        "figures_month": results["figures_month"]["p99_ms"] < 200,
        "by_agency_month": results["by_agency_month"]["p99_ms"] < 300,
        "overdue_now": results["overdue_now"]["p99_ms"] < 50,
        "lookup": results["lookup"]["p99_ms"] < 20,
    }
    results["budgets"] = {k: {"budget": BUDGETS[k], "pass": v} for k, v in checks.items()}
    results["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(json.dumps(results, indent=2, ensure_ascii=False))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
