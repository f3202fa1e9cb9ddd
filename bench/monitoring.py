"""`make bench` — monitoring (issue 17): ingest and charts at scale, as ratios measured in one run.

On a fresh PostgreSQL database ``opencity_bench_mon`` (observations partitioned by month):

1. **COPY ceiling**: the same kind of rows the ingest stores, written by ``COPY … FROM STDIN``
   into the partitioned table — the fastest the database takes them on this machine now;
2. **HTTP batch**: the production server (granian WSGI, as ``scripts/run.sh`` starts it) takes
   batches of 1,000 readings from 8 concurrent clients for ``--seconds``; sustained readings/s,
   beside the COPY ceiling; each batch answered row by row, rules judged in the same commit;
3. **rule lag**: some readings in those batches cross a level (and the next ones come back), so
   events are raised and cleared all along; the lag of each raise is from the moment its batch
   was sent to the moment the event's step was written (p50/p99);
4. **MQTT**: the ingest worker (``manage.py mqtt_ingest``) takes messages of 100 readings
   published at QoS 1 to the real broker; readings/s from the first publish to the last row
   stored;
5. **charts at 100 M**: 1,000 datastreams × a year of 5-minute readings (105 M rows, generated
   in the database with ``generate_series``, one month partition at a time), the hourly roll-ups
   rebuilt from them, then the chart API for one datastream over a month (hourly) and over the
   last 24 h (raw), timed over HTTP (median and p99 of 50 requests each).

Run: ``.venv/bin/python bench/monitoring.py`` (``--rows 100000000`` by default; ``--rows 0`` skips
step 5 and keeps the charts of the last run in the results; ``--charts-only`` times step 5 again
on the database the last run left). Writes ``bench/results/monitoring.json``. Not part of
``make test``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import ENV, PY, WORK, Server, psql, say  # noqa: E402

DB = "opencity_bench_mon"
MON_ENV = {**ENV, "OPENCITY_DB_NAME": DB, "OPENCITY_SMS_ALLOW_CONSOLE": "True"}  # no text is sent
STATIONS = 200  # ingest datastreams
CHART_STREAMS = 1000  # datastreams of the 100 M-row step
BATCH = 1000
MQTT_BATCH = 100
QUEUED = 800  # messages published ahead of the worker (below Mosquitto's default queue of 1,000)
CLIENTS = 8
BUDGETS = {
    "http_ingest": "≥ 5,000 readings/s sustained over HTTP batches (beside COPY's rate)",
    "mqtt_ingest": "≥ 5,000 readings/s sustained over MQTT (beside COPY's rate)",
    "rule_lag": "p99 < 2 s from arrival to event",
    "chart_month": "a month's chart of one datastream at 100 M rows: p99 < 100 ms",
    "chart_day": "the last 24 h of one datastream at 100 M rows: p99 < 100 ms",
}


def django():
    os.environ.update(MON_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django as dj

    dj.setup()


def fresh_database() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=MON_ENV, check=True)


def setup_streams() -> tuple[str, list[str]]:
    """A source with a key, STATIONS hydro stations with a water level each, one threshold rule
    for all of them (levels at 5.0 and 6.0 m): made with the product's own models and services."""
    from opencity.lib.credentials import credential_issue
    from opencity.monitoring.models import (
        Datastream,
        ObservedProperty,
        Rule,
        RuleKind,
        RuleLevel,
        Source,
        SourceKey,
        Station,
        StationKind,
    )

    source = Source.objects.create(code="bench", name="Bench")
    _key, raw = credential_issue(SourceKey, actor=None, source=source, name="bench")
    prop = ObservedProperty.objects.get(code="water_level")
    codes = []
    for i in range(max(STATIONS, CHART_STREAMS)):
        station = Station.objects.create(code=f"b{i:04d}", name=f"Bench {i}", kind=StationKind.HYDRO, source=source,
                                          lat=16.3 + i / 10000, lon=107.5)
        Datastream.objects.create(code=f"b{i:04d}-h", station=station, observed_property=prop)
        codes.append(f"b{i:04d}-h")
    rule = Rule.objects.create(name="Bench levels", kind=RuleKind.THRESHOLD, observed_property=prop,
                               station_kind=StationKind.HYDRO, hysteresis=0.1)
    RuleLevel.objects.create(rule=rule, code="L1", name="Level 1", value=5.0, severity="warning")
    RuleLevel.objects.create(rule=rule, code="L2", name="Level 2", value=6.0, severity="urgent")
    return raw, codes


# --- 1. COPY ceiling ---------------------------------------------------------------------------


def copy_ceiling(codes: list[str], rows: int = 300_000) -> dict:
    from django.db import connection

    from opencity.monitoring import partitions
    from opencity.monitoring.models import Datastream

    ids = list(Datastream.objects.filter(code__in=codes[:STATIONS]).values_list("pk", flat=True))
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=40)
    buf = io.StringIO()
    now = dt.datetime.now(dt.UTC).isoformat()
    for n in range(rows):
        ds = ids[n % len(ids)]
        when = start + dt.timedelta(seconds=n // len(ids))
        buf.write(f"{ds}\t{when.isoformat()}\t{1 + (n % 97) / 100}\tgood\t{now}\n")
    partitions.ensure_for([start, start + dt.timedelta(seconds=rows // len(ids))])
    data = buf.getvalue().encode()
    began = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.copy("COPY monitoring_observation (datastream_id, phenomenon_time, value, quality, received_at) "
                         "FROM STDIN") as copy:
            copy.write(data)
    seconds = time.perf_counter() - began
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}


# --- 2–3. HTTP batches and the rule lag -------------------------------------------------------------


def http_ingest(base: str, key: str, codes: list[str], seconds: float) -> dict:
    """CLIENTS threads post batches of BATCH readings for ``seconds``. Every 10th batch puts one
    datastream above level 1 and the next batch brings it back: raises all along."""
    host, port = base.replace("http://", "").split(":")
    sent_at: dict[tuple[str, str], float] = {}
    lock = threading.Lock()
    totals = {"created": 0, "duplicate": 0, "rejected": 0, "batches": 0, "errors": 0}
    stop = time.monotonic() + seconds
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=2)
    counter = iter(range(10**9))
    streams = codes[:STATIONS]

    def body(n: int) -> tuple[bytes, list[tuple[str, str]]]:
        rows, crossings = [], []
        for i in range(BATCH):
            k = n * BATCH + i
            code = streams[k % len(streams)]
            when = (start + dt.timedelta(seconds=k // len(streams))).isoformat()
            value = 1 + (k % 50) / 100
            if n % 10 == 0 and i < len(streams) // 20:
                value = 5.5  # above level 1 …
                crossings.append((code, when))
            rows.append({"datastream": code, "time": when, "value": value})
        return json.dumps({"observations": rows}).encode(), crossings

    def client():
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        while time.monotonic() < stop:
            n = next(counter)
            payload, crossings = body(n)
            t = time.time()
            with lock:
                for c in crossings:
                    sent_at[c] = t
            try:
                conn.request("POST", "/api/v1/monitoring/observations", body=payload,
                             headers={"Content-Type": "application/json", "X-Api-Key": key})
                r = conn.getresponse()
                answer = json.loads(r.read() or b"{}")
                with lock:
                    totals["batches"] += 1
                    for k in ("created", "duplicate", "rejected"):
                        totals[k] += answer.get(k, 0)
                    if r.status >= 300 and r.status != 207:
                        totals["errors"] += 1
            except (OSError, http.client.HTTPException, ValueError):
                with lock:
                    totals["errors"] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=60)

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - began
    result = {**totals, "seconds": round(elapsed, 1), "rows_per_s": round(totals["created"] / elapsed)}
    result["rule_lag"] = rule_lag(sent_at)
    return result


def rule_lag(sent_at: dict[tuple[str, str], float]) -> dict:
    from django.utils.dateparse import parse_datetime

    from opencity.monitoring.models import MonitoringEventStep

    lags = []
    for step in MonitoringEventStep.objects.filter(action__in=("raise", "escalate")).select_related(
            "event__datastream"):
        event = step.event
        key = (event.datastream.code, event.first_seen.isoformat()) if step.action == "raise" else None
        if key and key in sent_at:
            lags.append(step.created_at.timestamp() - sent_at[key])
    _ = parse_datetime
    if not lags:
        return {"events": 0}
    lags.sort()
    return {"events": len(lags), "p50_s": round(statistics.median(lags), 3),
            "p99_s": round(lags[min(len(lags) - 1, int(len(lags) * 0.99))], 3)}


# --- 4. MQTT --------------------------------------------------------------------------------------


def mqtt_ingest(codes: list[str], messages: int) -> dict:
    import paho.mqtt.client as mqtt

    from opencity.monitoring.models import Observation

    prefix = f"bench/{os.getpid()}"
    env = {**MON_ENV, "OPENCITY_MQTT_TOPIC_PREFIX": prefix}
    log = open(WORK / "mqtt_worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen([PY, "manage.py", "mqtt_ingest", "--client-id", f"bench-{os.getpid()}"], cwd=ROOT,
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    time.sleep(5)  # subscribed
    before = Observation.objects.count()
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=5)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{os.getpid()}")
    client.max_inflight_messages_set(200)
    client.connect(ENV.get("OPENCITY_MQTT_HOST", "127.0.0.1"), int(ENV.get("OPENCITY_MQTT_PORT", 1883)))
    client.loop_start()
    streams = codes[:STATIONS]
    began = time.monotonic()
    infos = []
    for n in range(messages):
        # Mosquitto keeps at most max_queued_messages (1,000 by default) for a subscriber that is
        # behind and drops the rest: publish as fast as the worker keeps up, at most QUEUED ahead
        while n % 50 == 0 and n - (Observation.objects.count() - before) // MQTT_BATCH >= QUEUED - 50:
            time.sleep(0.05)
        code = streams[n % len(streams)]
        base = start + dt.timedelta(minutes=(n // len(streams)) * MQTT_BATCH)
        payload = [{"time": (base + dt.timedelta(minutes=i)).isoformat(), "value": 1 + (i % 30) / 100}
                   for i in range(MQTT_BATCH)]
        infos.append(client.publish(f"{prefix}/{code}", json.dumps(payload), qos=1))
    for info in infos:
        info.wait_for_publish(60)
    published = time.monotonic() - began
    expected = before + messages * MQTT_BATCH
    deadline = time.monotonic() + 600
    while Observation.objects.count() < expected and time.monotonic() < deadline:
        time.sleep(0.5)
    elapsed = time.monotonic() - began
    stored = Observation.objects.count() - before
    client.loop_stop()
    worker.terminate()
    worker.wait(30)
    log.close()
    return {"messages": messages, "rows": stored, "published_s": round(published, 1), "seconds": round(elapsed, 1),
            "rows_per_s": round(stored / elapsed)}


# --- 5. charts at 100 M ---------------------------------------------------------------------------


def load_year(codes: list[str], rows: int) -> dict:
    """``rows`` readings (about) over CHART_STREAMS datastreams, 5 minutes apart, ending now —
    generated in the database one month at a time; then the hourly roll-ups rebuilt."""
    from django.db import connection

    from opencity.monitoring import partitions
    from opencity.monitoring.models import Datastream

    ids = list(Datastream.objects.filter(code__in=codes[:CHART_STREAMS]).order_by("pk").values_list("pk", flat=True))
    per_stream = rows // len(ids)
    end = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0, minute=0) - dt.timedelta(days=3)
    begin = end - dt.timedelta(minutes=5 * per_stream)
    month = partitions.month_of(begin)
    months = []
    while month <= partitions.month_of(end):
        months.append(month)
        month = partitions.next_month(month)
    partitions.ensure(months)
    began = time.perf_counter()
    for month in months:
        lo = max(begin, dt.datetime.combine(month, dt.time(), dt.UTC))
        hi = min(end, dt.datetime.combine(partitions.next_month(month), dt.time(), dt.UTC))
        if lo >= hi:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO monitoring_observation (datastream_id, phenomenon_time, value, quality, received_at) "
                "SELECT ds, t, 1.5 + sin(extract(epoch FROM t) / 86400.0 + ds) , 'good', now() "
                "FROM unnest(%s::bigint[]) AS ds, generate_series(%s::timestamptz, %s::timestamptz - interval '1 second', "
                "interval '5 minutes') AS t ON CONFLICT DO NOTHING", [ids, lo, hi])
        say(f"  {month:%Y-%m}: {time.perf_counter() - began:.0f} s")
    loaded = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE monitoring_observationhour")
        cursor.execute(
            "INSERT INTO monitoring_observationhour (datastream_id, hour, count, total, minimum, maximum) "
            "SELECT datastream_id, date_trunc('hour', phenomenon_time), count(*), sum(value), min(value), max(value) "
            "FROM monitoring_observation GROUP BY 1, 2")
        cursor.execute("VACUUM ANALYZE monitoring_observation")
        cursor.execute("VACUUM ANALYZE monitoring_observationhour")
        cursor.execute("SELECT count(*) FROM monitoring_observation")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT pg_total_relation_size('monitoring_observation') + coalesce(("
                       "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                       "WHERE inhparent = 'monitoring_observation'::regclass), 0)")
        size = cursor.fetchone()[0]
    return {"rows": total, "datastreams": len(ids), "load_s": round(loaded), "rollup_s":
            round(time.perf_counter() - began - loaded), "size_gb": round(float(size) / 1e9, 1), "end": end.isoformat()}


def time_requests(base: str, path: str, n: int = 50) -> dict:
    host, port = base.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    times, status, points = [], None, None
    for _ in range(n + 3):
        t = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t) * 1000)
        status = r.status
        try:
            points = len(json.loads(body).get("points", []))
        except ValueError:
            points = None
    times = sorted(times[3:])
    return {"status": status, "points": points, "median_ms": round(statistics.median(times), 1),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1)}


def charts(base: str, loaded: dict, codes: list[str]) -> dict:
    end = dt.datetime.fromisoformat(loaded["end"])
    code = codes[random.Random(7).randrange(CHART_STREAMS)]
    month = {"from": (end - dt.timedelta(days=30)).isoformat(), "to": end.isoformat()}
    day = {"from": (end - dt.timedelta(hours=24)).isoformat(), "to": end.isoformat()}
    from urllib.parse import urlencode

    path = f"/api/v1/monitoring/datastreams/{code}/observations?"
    return {"month": time_requests(base, path + urlencode(month)), "day": time_requests(base, path + urlencode(day))}


def existing_year() -> dict:
    """What the last run's chart step left in the database: its rows, and its end — read on the
    last datastream, which only that step writes (the ingest steps write the first STATIONS)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT datastream_id) FROM monitoring_observation")
        rows, streams = cursor.fetchone()
        cursor.execute("SELECT max(o.phenomenon_time) FROM monitoring_observation o JOIN monitoring_datastream d "
                       "ON d.id = o.datastream_id WHERE d.code = %s", [f"b{CHART_STREAMS - 1:04d}-h"])
        end = cursor.fetchone()[0] + dt.timedelta(minutes=5)
    return {"rows": rows, "datastreams": streams, "end": end.isoformat()}


def charts_again(results_name: str) -> None:
    import bench.run as run

    django()
    run.ENV.update(MON_ENV)
    out = ROOT / "bench" / "results" / f"{results_name}.json"
    results = json.loads(out.read_text()) if out.exists() else {"budgets": BUDGETS}
    year = {**results.get("year", {}), **existing_year()}
    from opencity.monitoring.models import Datastream

    codes = list(Datastream.objects.order_by("pk").values_list("code", flat=True))
    server = Server(workers=2, threads=8)
    try:
        server.wait()
        results["year"] = year
        results["charts"] = charts(server.base, year, codes)
    finally:
        server.stop()
    say(f"  {results['charts']}")
    results.setdefault("verdict", {})
    for name, key_ in (("chart_month", "month"), ("chart_day", "day")):
        c = results["charts"][key_]
        results["verdict"][name] = {**c, "rows": year["rows"],
                                    "pass": c["status"] == 200 and c["p99_ms"] < 100 and year["rows"] >= 100_000_000}
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(json.dumps(results["verdict"], indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--mqtt-messages", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=100_000_000, help="readings for the chart step (0: skip)")
    parser.add_argument("--results", default="monitoring")
    parser.add_argument("--charts-only", action="store_true",
                        help="time the charts again on the database the last run left (its results file is updated)")
    args = parser.parse_args()
    if args.charts_only:
        return charts_again(args.results)
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict = {"started": dt.datetime.now(dt.UTC).isoformat(), "budgets": BUDGETS}
    say("monitoring: fresh database")
    fresh_database()
    django()
    key, codes = setup_streams()
    say("monitoring: COPY ceiling")
    results["copy"] = copy_ceiling(codes)
    say(f"  {results['copy']}")
    import bench.run as run

    run.ENV.update(MON_ENV)
    server = Server(workers=2, threads=8)
    try:
        server.wait()
        say("monitoring: HTTP batches")
        results["http"] = http_ingest(server.base, key, codes, args.seconds)
        say(f"  {results['http']}")
        say("monitoring: MQTT")
        try:
            results["mqtt"] = mqtt_ingest(codes, args.mqtt_messages)
        except Exception as exc:  # noqa: BLE001 — the broker may be down: say so, go on
            results["mqtt"] = {"error": repr(exc)}
        say(f"  {results['mqtt']}")
        if args.rows:
            say(f"monitoring: {args.rows:,} readings for the charts")
            results["year"] = load_year(codes, args.rows)
            say(f"  {results['year']}")
            results["charts"] = charts(server.base, results["year"], codes)
            say(f"  {results['charts']}")
    finally:
        server.stop()
    copy_rate = results["copy"]["rows_per_s"]
    verdict = {}
    h = results["http"]
    verdict["http_ingest"] = {"rows_per_s": h["rows_per_s"], "share_of_copy": round(h["rows_per_s"] / copy_rate, 3),
                              "pass": h["rows_per_s"] >= 5000 and h["errors"] == 0}
    m = results.get("mqtt", {})
    if "rows_per_s" in m:
        verdict["mqtt_ingest"] = {"rows_per_s": m["rows_per_s"], "share_of_copy": round(m["rows_per_s"] / copy_rate, 3),
                                  "pass": m["rows_per_s"] >= 5000 and m["rows"] == m["messages"] * MQTT_BATCH}
    lag = h.get("rule_lag", {})
    verdict["rule_lag"] = {**lag, "pass": bool(lag.get("events")) and lag.get("p99_s", 99) < 2}
    if "charts" in results:
        for name, key_ in (("chart_month", "month"), ("chart_day", "day")):
            c = results["charts"][key_]
            verdict[name] = {**c, "rows": results["year"]["rows"],
                             "pass": c["status"] == 200 and c["p99_ms"] < 100 and results["year"]["rows"] >= 100_000_000}
    out = ROOT / "bench" / "results" / f"{args.results}.json"
    if not args.rows and out.exists():  # ingest measured again: keep the last run's charts at 100 M
        earlier = json.loads(out.read_text())
        for key_ in ("year", "charts"):
            if key_ in earlier:
                results[key_] = earlier[key_]
        for name in ("chart_month", "chart_day"):
            if name in earlier.get("verdict", {}):
                verdict[name] = earlier["verdict"][name]
    results["verdict"] = verdict
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(json.dumps(verdict, indent=2))
    say(f"written {out}")


if __name__ == "__main__":
    main()
