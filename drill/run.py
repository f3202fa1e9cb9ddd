"""`make drill`: OpenCity under faults on PostgreSQL — does every acknowledged action survive?

The fault drill of issue #13 ("Crash safety"), kept as a script: a fresh database
``opencity_drill`` with the demo pack; the web server as ``scripts/run.sh`` starts it (granian
WSGI) and the huey worker(s) it starts (Redis-backed huey, a Redis db of the drill's own), each
in its own process group; e-mail to files (``drill/mailsink.py``) so that they can be counted.

Then one phase per fault, each with ``--clients`` threads submitting field reports through the
JSON API (``POST /api/v1/reports`` with an ``Idempotency-Key``, retried with the same key on a
connection error or a 5xx until acknowledged) and now and then a rescue request through the SOS
form (a session, its CSRF token and the form's ``client_token``), while an operator thread routes
the reports of a category that is not routed automatically (``POST …/route``, keyed too):

- ``web``: ``kill -9`` of the web server 3×, restarted each time;
- ``worker``: ``kill -9`` of the worker 2×: once while it runs tasks, once while the deadline
  escalation job holds its lock; then whether that job runs again;
- ``database``: every few seconds, ``pg_terminate_backend`` of every connection to the database;

then the worker is left to drain, and per phase it counts what was acknowledged, stored, lost
(acknowledged but absent) and duplicated, the HTTP 5xx seen, whether API errors kept the JSON
error shape, and the side effects the product promises (inbox notifications of each route, the
e-mails they owe, live-feed rows, the day's KPI roll-up), and how long the life-safety periodic
jobs waited in the queue. Last, with ~1,000 routine tasks and owed side effects waiting, a
city-wide warning is published and the drill measures until its fan-out starts.

Prints a table, writes ``drill/results/<name>.json`` and exits 1 if a promise is broken.
Run: ``make drill`` (≈ 17 min), ``.venv/bin/python drill/run.py --quick`` (≈ 5 min), ``--help``.
See docs/drill.md.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import email
import email.policy
import http.client
import importlib.util
import json
import os
import random
import re
import secrets
import signal
import string
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRILL = ROOT / "drill"
WORK = DRILL / ".work"  # logs and the e-mails sent
VAR = DRILL / ".var"  # the server's var dir (media, secret): not the developer's
MAIL = WORK / "mail"
LOGS = WORK / "logs"
PY = str(ROOT / ".venv" / "bin" / "python")
DB = "opencity_drill"
HUEY_REDIS = "redis://127.0.0.1:6379/11"  # flushed at start: the drill's own queue
CACHE_REDIS = "redis://127.0.0.1:6379/12"
PASSWORD = "drill-password-2025"
OPERATOR_PHONE = "0901000002"  # the demo pack's IOC operator
ESCALATION_JOB = "reports-deadlines-escalate"
FANOUT_LIMIT_S = 10.0  # issue #13: a warning's fan-out starts within 10 s under a full queue

ENV = {
    **os.environ,
    "OPENCITY_DB_ENGINE": "postgres",
    "OPENCITY_DB_NAME": DB,
    "OPENCITY_VAR_DIR": str(VAR),
    "OPENCITY_DEBUG": "False",
    "OPENCITY_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "OPENCITY_HUEY_BACKEND": "redis",
    "OPENCITY_REDIS_URL": HUEY_REDIS,
    "OPENCITY_CACHE_URL": CACHE_REDIS,
    "OPENCITY_WARM_ADDRESSES": "True",  # as scripts/run.sh
    # e-mail to files the drill counts (drill/mailsink.py); pushes nowhere (no outside service)
    "OPENCITY_EMAIL_BACKEND": "drill.mailsink.EmailBackend",
    "DRILL_MAIL_DIR": str(MAIL),
    "OPENCITY_PUSH_BACKEND": "opencity.notifications.push.MemoryBackend",
    # 8 clients from one address would meet the per-client limits (issue #13, finding 5) at
    # once: the drill measures crash safety, not the limits
    "OPENCITY_THROTTLE_ENABLED": "False",
    "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
    "PYTHONUNBUFFERED": "1",
}


def _bench():
    """bench/run.py's helpers (psql, free_port, multipart), loaded without moving them."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()
psql, free_port, multipart = bench.psql, bench.free_port, bench.multipart


def say(text: str) -> None:
    print(f"[drill {time.strftime('%H:%M:%S', time.gmtime())}Z] {text}", flush=True)


def run(cmd: list[str], *, timeout: float | None = None) -> str:
    out = subprocess.run(cmd, cwd=ROOT, env=ENV, timeout=timeout, text=True, capture_output=True)
    if out.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)}: {out.returncode}\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
        )
    return out.stdout


# --- processes ----------------------------------------------------------------------------


def group_pids(pgid: int) -> list[int]:
    """Live processes of a process group (zombies aside)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(entry.name))
    return pids


class Proc:
    """A subprocess in its own process group (so that a kill reaches its children too)."""

    counter: collections.Counter = collections.Counter()

    def __init__(self, name: str, cmd: list[str]):
        Proc.counter[name] += 1
        self.name, self.cmd = name, cmd
        self.log_path = LOGS / f"{name}-{Proc.counter[name]}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 — closed in stop()
        self.started = time.time()
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=ENV,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid = self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill9_group(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        deadline = time.time() + 10
        while group_pids(self.pid) and time.time() < deadline:
            time.sleep(0.05)
        self.log.close()

    def stop(self) -> None:
        if group_pids(self.pid):
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.time() + 15
            while group_pids(self.pid) and time.time() < deadline:
                time.sleep(0.1)
            if group_pids(self.pid):
                os.killpg(self.pid, signal.SIGKILL)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        if not self.log.closed:
            self.log.close()


def worker_commands() -> list[list[str]]:
    """The huey consumers ``scripts/run.sh`` starts (one today; a priority queue may add one),
    without ``--quiet``: the drill reads the consumer's INFO lines (what runs, what was refused)."""
    text = (ROOT / "scripts" / "run.sh").read_text()
    cmds = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        m = re.search(r"manage\.py\s+(run_huey[^&|;]*)", line)
        if m:
            args = [a for a in m.group(1).split() if a not in ("--quiet", "-q")]
            cmds.append([PY, "manage.py", *[os.path.expandvars(a) for a in args]])
    return cmds or [[PY, "manage.py", "run_huey"]]


def stray_processes() -> list[int]:
    """Processes started by an earlier drill (their environment names the drill's mail dir)."""
    marker = f"DRILL_MAIL_DIR={MAIL}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class Web:
    """granian as ``scripts/run.sh`` starts it, on one port for the whole drill."""

    def __init__(self, port: int, workers: int, threads: int):
        self.port, self.workers, self.threads = port, workers, threads
        self.proc: Proc | None = None

    def start(self) -> None:
        self.proc = Proc(
            "web",
            [
                str(ROOT / ".venv/bin/granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--blocking-threads",
                str(self.threads),
                "--working-dir",
                "src",
                "opencity.wsgi:application",
            ],
        )

    def health(self, timeout: float = 1.0) -> dict | None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            body = r.read()
            conn.close()
            return json.loads(body) if r.status == 200 else None
        except (OSError, http.client.HTTPException, ValueError):
            return None

    def wait_serving(
        self, timeout: float = 120, warm: bool = True
    ) -> tuple[float | None, float | None]:
        """Seconds from now until the first 200 on /healthz, then (``warm``) until it says warm."""
        t0 = time.monotonic()
        serving = warmed = None
        while time.monotonic() - t0 < timeout:
            h = self.health()
            if h is not None:
                if serving is None:
                    serving = time.monotonic() - t0
                if not warm:
                    break
                if h.get("warm"):
                    warmed = time.monotonic() - t0
                    break
            elif self.proc and not self.proc.alive():
                raise RuntimeError(f"the web server stopped: see {self.proc.log_path}")
            time.sleep(0.1)
        return serving, warmed

    def crash(self) -> dict:
        """``kill -9`` of granian's main process, as a crash would; then what survived it
        (issue #13: its worker kept serving), and the rest of the group killed too."""
        pid = self.proc.pid
        os.kill(pid, signal.SIGKILL)
        time.sleep(3.0)  # a worker notices its parent is gone within about a second (lib/lifeline.py)
        survivors = [p for p in group_pids(pid) if p != pid]
        still_serving = self.health(0.5) is not None
        self.proc.kill9_group()
        return {"orphan_processes": len(survivors), "orphans_still_serving": still_serving}


class Workers:
    def __init__(self):
        self.procs: list[Proc] = []
        self.logs: list[Path] = []
        self._read: dict[Path, tuple[int, str]] = {}  # what was read of each log so far
        # (from, to) time.time() while the worker could not run anything: killed until restarted,
        # paused until resumed; a task waiting across one is not the queue's doing
        self.down: list[tuple[float, float]] = []
        self._down_since: float | None = None

    def start(self) -> None:
        self.stop()  # never two sets at once: a stray consumer would drain the drill's queue
        self.procs = [Proc(f"worker{i}", cmd) for i, cmd in enumerate(worker_commands())]
        self.logs += [p.log_path for p in self.procs]
        self._up()

    def _up(self) -> None:
        if self._down_since is not None:
            self.down.append((self._down_since, time.time() + 5))  # + its start-up
            self._down_since = None

    def crash(self) -> None:
        self._down_since = self._down_since or time.time()
        for p in self.procs:
            p.kill9_group()

    def signal(self, sig: int) -> None:
        if sig == signal.SIGSTOP:
            self._down_since = self._down_since or time.time()
        for p in self.procs:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
        if sig == signal.SIGCONT:
            self._up()

    def stop(self) -> None:
        for p in self.procs:
            p.stop()

    def _text(self, path: Path) -> str:
        offset, text = self._read.get(path, (0, ""))
        if path.exists():
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read()
            # up to the last complete line
            cut = data.rfind(b"\n") + 1
            offset, text = offset + cut, text + data[:cut].decode(errors="replace")
            self._read[path] = (offset, text)
        return text

    def log_text(self) -> str:
        return "".join(self._text(p) for p in self.logs)

    def in_flight(self) -> list[str]:
        """Tasks the current consumers started and have not finished (from their INFO lines)."""
        text = "".join(self._text(p.log_path) for p in self.procs)
        started = {tid: name for name, tid in re.findall(r"Executing (\S+): ([0-9a-f-]{36})", text)}
        done = set(re.findall(r"([0-9a-f-]{36})[^\n]*? executed in", text))
        done |= set(re.findall(r"Task ([0-9a-f-]{36}) ", text))
        done |= set(re.findall(r"task ([0-9a-f-]{36})", text))
        return [name for tid, name in started.items() if tid not in done]


# --- HTTP clients -------------------------------------------------------------------------


@dataclass
class Ack:
    kind: str  # report, sos, route
    key: str
    id: int
    attempts: int
    extra: dict = field(default_factory=dict)


@dataclass
class Phase:
    name: str
    fault: str
    start: float = 0.0  # time.time()
    end: float = 0.0
    requests: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    connection_errors: int = 0
    error_times: list = field(default_factory=list)  # time.time() of each failed attempt
    server_errors: int = 0  # 5xx other than 503
    s503: int = 0
    s503_retry_after: int = 0
    api_errors_not_json: int = 0
    acks: list = field(default_factory=list)
    abandoned: collections.Counter = field(default_factory=collections.Counter)
    refused: collections.Counter = field(default_factory=collections.Counter)
    retry_conflicts: int = 0  # a retry with the same key answered 409, not the first answer
    samples: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self, what: str, **data) -> None:
        if sum(1 for s in self.samples if s["what"] == what) < 5:
            self.samples.append({"what": what, **data})


class Http:
    """One connection per attempt, as a phone on a weak network would."""

    def __init__(self, port: int, phase: Phase):
        self.port, self.phase = port, phase

    def send(
        self, method: str, path: str, body: bytes | None, headers: dict
    ) -> tuple[int, dict, bytes] | None:
        ph = self.phase
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            conn.close()
        except (OSError, http.client.HTTPException):
            with ph.lock:
                ph.requests += 1
                ph.connection_errors += 1
                ph.error_times.append(time.time())
            return None
        with ph.lock:
            ph.requests += 1
            ph.statuses[r.status] += 1
            if r.status >= 500:
                ph.error_times.append(time.time())
                if r.status == 503:
                    ph.s503 += 1
                    ph.s503_retry_after += "retry-after" in hdrs
                else:
                    ph.server_errors += 1
                    ph.sample(
                        "5xx", path=path, status=r.status, body=data[:300].decode(errors="replace")
                    )
            if path.startswith("/api/") and r.status >= 400 and not _error_shape(data):
                ph.api_errors_not_json += 1
                ph.sample(
                    "api error not in the JSON error shape",
                    path=path,
                    status=r.status,
                    content_type=hdrs.get("content-type"),
                    body=data[:200].decode(errors="replace"),
                )
        return r.status, hdrs, data


def _error_shape(body: bytes) -> bool:
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    err = doc.get("error") if isinstance(doc, dict) else None
    return isinstance(err, dict) and "code" in err and "message" in err


def _retry_after(hdrs: dict) -> float:
    try:
        return min(5.0, max(0.2, float(hdrs.get("retry-after", 1))))
    except ValueError:
        return 1.0


class Citizen(threading.Thread):
    """Submits reports (API, keyed) and, every ``sos_every``-th action, a rescue request (form)."""

    def __init__(self, drill: Drill, idx: int, phase: Phase, stop: threading.Event):
        super().__init__(name=f"citizen-{idx}", daemon=True)
        self.drill, self.idx, self.phase, self.stop = drill, idx, phase, stop
        self.http = Http(drill.web.port, phase)
        self.account = drill.fx["citizens"][idx]
        self.rng = random.Random(idx * 7919 + hash(phase.name) % 1000)

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            if n % self.drill.args.sos_every == 0:
                self.sos(n)
            else:
                self.report(n)

    def _until_acked(self, kind: str, key: str, send, accept) -> tuple[int | None, int]:
        attempts, backoff = 0, 0.25
        while not self.stop.is_set():
            attempts += 1
            res = send()
            if res is not None:
                status, hdrs, data = res
                got = accept(status, hdrs, data)
                if got is not None:
                    return got, attempts
                if status == 429:
                    time.sleep(_retry_after(hdrs))
                    continue
                if status < 500:
                    with self.phase.lock:
                        self.phase.refused[kind] += 1
                        self.phase.sample(
                            f"{kind} refused",
                            status=status,
                            body=data[:300].decode(errors="replace"),
                        )
                    return None, attempts
            self.stop.wait(backoff)
            backoff = min(backoff * 2, 1.0)
        with self.phase.lock:
            self.phase.abandoned[kind] += 1
        return None, attempts

    def report(self, n: int) -> None:
        fx = self.drill.fx
        key = f"drill-{self.phase.name[:3]}-{self.idx}-{n}-{uuid.uuid4().hex[:12]}"
        automatic = n % 2 == 1
        category = fx["category_auto"] if automatic else fx["category_manual"]
        lat, lon = self.rng.choice(fx["points"])
        body, ctype = multipart(
            {
                "category": str(category),
                "lat": str(lat),
                "lon": str(lon),
                "description": f"Drill {key}: ổ gà giữa đường, xe máy tránh không kịp.",
            }
        )
        headers = {
            "Authorization": f"Bearer {self.account['token']}",
            "Idempotency-Key": key,
            "Content-Type": ctype,
        }

        def accept(status, hdrs, data):
            if status in (200, 201):
                return json.loads(data)["id"]
            return None

        rid, attempts = self._until_acked(
            "report", key, lambda: self.http.send("POST", "/api/v1/reports", body, headers), accept
        )
        if rid is not None:
            with self.phase.lock:
                self.phase.acks.append(Ack("report", key, rid, attempts, {"automatic": automatic}))
            if not automatic:
                self.drill.to_route.put((self.phase.name, rid))

    def sos(self, n: int) -> None:
        fx = self.drill.fx
        token = uuid.uuid4().hex
        lat, lon = self.rng.choice(fx["points"])
        csrf = self.account["csrf"]
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "lat": lat,
                "lon": lon,
                "people": 2,
                "needs": fx["need"],
                "note": f"Drill {token}: nước lên tới mái nhà",
                "client_token": token,
                # with a request of theirs still open, the form asks whether
                # this is another emergency (409 until confirmed): it is
                "another": "1",
            }
        ).encode()
        headers = {
            "Cookie": f"sessionid={self.account['session']}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        }

        def accept(status, hdrs, data):
            m = re.search(r"/sos/(\d+)/$", hdrs.get("location", "")) if status == 302 else None
            return int(m.group(1)) if m else None

        rid, attempts = self._until_acked(
            "sos", token, lambda: self.http.send("POST", "/sos/", form, headers), accept
        )
        if rid is not None:
            with self.phase.lock:
                self.phase.acks.append(Ack("sos", token, rid, attempts))


class Router(threading.Thread):
    """The IOC operator: routes every acknowledged report of the category that is not routed
    automatically (``POST /api/v1/reports/{id}/route``, keyed), while the phase lasts."""

    def __init__(self, drill: Drill, phase: Phase, stop: threading.Event):
        super().__init__(name="router", daemon=True)
        self.drill, self.phase, self.stop = drill, phase, stop
        self.http = Http(drill.web.port, phase)

    def run(self) -> None:
        import queue

        while not self.stop.is_set():
            try:
                _phase, rid = self.drill.to_route.get(timeout=0.2)
            except queue.Empty:
                continue
            self.route(rid)

    def route(self, rid: int) -> None:
        key = f"drill-route-{rid}-{uuid.uuid4().hex[:8]}"
        headers = {
            "Authorization": f"Bearer {self.drill.fx['operator_token']}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        }
        attempts, backoff = 0, 0.25
        while not self.stop.is_set():
            attempts += 1
            res = self.http.send("POST", f"/api/v1/reports/{rid}/route", b"{}", headers)
            if res is not None:
                status, hdrs, data = res
                if status == 200:
                    with self.phase.lock:
                        self.phase.acks.append(Ack("route", key, rid, attempts))
                    return
                if status == 429:
                    time.sleep(_retry_after(hdrs))
                    continue
                if status < 500:
                    with self.phase.lock:
                        if status == 409 and attempts > 1:
                            # the first attempt's answer was lost, and the retry with the same key
                            # was not answered with it (issue #13: it must be)
                            self.phase.retry_conflicts += 1
                            self.phase.sample(
                                "route retry answered 409", report=rid, body=data[:300].decode()
                            )
                        else:
                            self.phase.refused["route"] += 1
                            self.phase.sample(
                                "route refused", report=rid, status=status, body=data[:300].decode()
                            )
                    return
            self.stop.wait(backoff)
            backoff = min(backoff * 2, 1.0)
        with self.phase.lock:
            self.phase.abandoned["route"] += 1


# --- the drill ------------------------------------------------------------------------------


def django_setup() -> None:
    os.environ.update({k: v for k, v in ENV.items() if k.startswith(("OPENCITY_", "DRILL_"))})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()


def fresh_connection():
    """The drill's own ORM connection, reopened: the database phase terminates it too."""
    from django.db import connections

    connections.close_all()


def enqueue(task_wrapper, priority: int | None = None) -> str:
    """Queue a run of a (periodic) task now; its id (huey returns no result handle for those).
    ``priority``: ahead of routine work where the queue has priorities (the escalation job is
    asked for now, to crash the worker while it runs, not after a backlog)."""
    from huey.contrib.djhuey import HUEY

    task = task_wrapper.s(priority=priority)
    HUEY.enqueue(task)
    return task.id


def pg_connect(db: str = DB):
    import psycopg

    return psycopg.connect(host="127.0.0.1", user="postgres", dbname=db, autocommit=True)


class Drill:
    def __init__(self, args):
        import queue

        self.args = args
        self.results: dict = {"args": vars(args)}
        self.web = Web(free_port(), args.web_workers, args.web_threads)
        self.workers = Workers()
        self.to_route: queue.Queue = queue.Queue()
        self.phases: list[Phase] = []
        self.fx: dict = {}
        self.baseline: dict = {}

    # --- set-up ---

    def setup(self) -> None:
        strays = stray_processes()
        if strays:
            raise SystemExit(
                f"processes of an earlier drill still run (pids {strays}): they would take the "
                "drill's tasks; stop them first"
            )
        LOGS.mkdir(parents=True, exist_ok=True)
        VAR.mkdir(parents=True, exist_ok=True)
        for f in list(LOGS.iterdir()) + (list(MAIL.iterdir()) if MAIL.exists() else []):
            f.unlink()
        MAIL.mkdir(parents=True, exist_ok=True)
        import redis

        for url in (HUEY_REDIS, CACHE_REDIS):
            redis.Redis.from_url(url).flushdb()
        say(f"fresh database {DB}")
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        psql(f"CREATE DATABASE {DB}")
        t = time.monotonic()
        run([PY, "manage.py", "migrate", "--noinput", "-v0"])
        run([PY, "manage.py", "load_demo", "--reports", str(self.args.demo_reports)])
        self.results["setup_s"] = round(time.monotonic() - t, 1)
        django_setup()
        self.fx = self.fixtures()
        self.baseline = self.snapshot_ids()

    def fixtures(self) -> dict:
        """Accounts through the product's own services: citizens with a password, an e-mail, an
        API token and a signed-in session; e-mail addresses for every staff member (so that the
        notifications of a route owe e-mails); the categories and the places to report at."""
        from django.db.models import Count, Q
        from django.test import Client

        from opencity.accounts.models import Role, User
        from opencity.accounts.services import api_token_issue, profile_update
        from opencity.emergency.models import Need
        from opencity.lib.phone import normalize_phone
        from opencity.reports.models import OPEN_STATUSES, Category, Report, RoutingRule

        for u in User.objects.exclude(role=Role.CITIZEN).filter(is_active=True):
            profile_update(user=u, email=f"staff{u.pk}@drill.example")
        citizens = []
        for i in range(self.args.clients):
            phone = normalize_phone(f"07991{i:05d}")
            user = User.objects.create_user(phone, PASSWORD, full_name=f"Drill Citizen {i}")
            profile_update(user=user, email=f"citizen{i}@drill.example")
            client = Client()
            client.force_login(user)
            csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
            citizens.append(
                {
                    "id": user.pk,
                    "token": api_token_issue(user=user, name="drill"),
                    "session": client.cookies["sessionid"].value,
                    "csrf": csrf,
                }
            )
        operator = User.objects.get(phone=normalize_phone(OPERATOR_PHONE))
        no_required = (
            Category.objects.filter(is_active=True)
            .annotate(required=Count("questions", filter=Q(questions__required=True)))
            .filter(required=0)
        )
        # a city-wide automatic rule and no ward rule: every report of it is routed by submit
        auto = [
            c
            for c in no_required.order_by("order")
            if {(r.area_id, r.automatic) for r in RoutingRule.objects.filter(category=c)}
            == {(None, True)}
        ]
        manual = [
            c
            for c in no_required.order_by("order")
            if {(r.area_id, r.automatic) for r in RoutingRule.objects.filter(category=c)}
            == {(None, False)}
        ]
        if not auto or not manual:
            raise RuntimeError(
                "the demo pack has no category routed automatically, or none routed by hand"
            )
        points = list(
            Report.objects.filter(status__in=OPEN_STATUSES, area__isnull=False)
            .order_by("pk")
            .values_list("lat", "lon")[:60]
        ) or [(16.4637, 107.5909)]
        # a staff token needs a second factor (issue #13): the drill stands for an operator who
        # has just entered their authenticator's code
        import inspect

        staff = (
            {"second_factor": True}
            if "second_factor" in inspect.signature(api_token_issue).parameters
            else {}
        )
        return {
            "citizens": citizens,
            "operator_id": operator.pk,
            "operator_token": api_token_issue(user=operator, name="drill", **staff),
            "category_auto": auto[0].pk,
            "category_manual": manual[0].pk,
            "points": [(float(a), float(b)) for a, b in points],
            "need": Need.values[0],
        }

    def snapshot_ids(self) -> dict:
        from django.db.models import Max

        from opencity.ioc.models import LiveEvent
        from opencity.notifications.models import Notification
        from opencity.reports.models import Report, TimelineEvent

        return {
            "notification": Notification.objects.aggregate(m=Max("pk"))["m"] or 0,
            "report": Report.objects.aggregate(m=Max("pk"))["m"] or 0,
            "event": TimelineEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
            "live": LiveEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
            "time": time.time(),
        }

    # --- processes ---

    def start_processes(self) -> None:
        self.web.start()
        self.workers.start()
        serving, warm = self.web.wait_serving(180)
        if serving is None:
            raise RuntimeError(f"the web server did not answer: see {self.web.proc.log_path}")
        self.results["first_start"] = {
            "serving_s": round(serving, 1),
            "warm_s": warm and round(warm, 1),
        }
        say(
            f"web server on :{self.web.port} serving after {serving:.1f} s, warm after {warm or 0:.1f} s; "
            f"{len(self.workers.procs)} worker(s): {[' '.join(p.cmd[2:]) for p in self.workers.procs]}"
        )

    def ensure_up(self) -> None:
        if not (self.web.proc and self.web.proc.alive()):
            self.web.start()
        if not all(p.alive() for p in self.workers.procs):
            self.workers.crash()
            self.workers.start()
        self.web.wait_serving(120)

    # --- phases ---

    def phase(self, name: str, fault: str, faults, seconds: float) -> Phase:
        ph = Phase(name, fault)
        self.phases.append(ph)
        stop = threading.Event()
        ph.start = time.time()
        threads = [Citizen(self, i, ph, stop) for i in range(self.args.clients)] + [
            Router(self, ph, stop)
        ]
        say(f"phase {name}: {fault}, {self.args.clients} clients, {seconds} s")
        for t in threads:
            t.start()
        try:
            faults(ph, ph.start + seconds, stop)
            if not stop.is_set():
                self._sleep_until(ph.start + seconds)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
            ph.end = time.time()
        acks = collections.Counter(a.kind for a in ph.acks)
        say(
            f"phase {name} done: {ph.requests} requests, acknowledged {dict(acks)}, "
            f"statuses {dict(ph.statuses)}, {ph.connection_errors} connection errors"
        )
        return ph

    @staticmethod
    def _sleep_until(t: float) -> None:
        delay = t - time.time()
        if delay > 0:
            time.sleep(delay)

    def fault_web(self, ph: Phase, end: float, stop: threading.Event) -> None:
        n = 3
        for k in range(1, n + 1):
            self._sleep_until(ph.start + (end - ph.start) * k / (n + 1))
            killed = time.time()
            seen = self.web.crash()
            self.web.start()
            serving = self.web.wait_serving(120, warm=False)[0]
            back = time.time()
            failed = sum(1 for t in ph.error_times if killed <= t <= back)
            fault = {
                "fault": "kill -9 web server",
                "at_s": round(killed - ph.start, 1),
                **seen,
                "serving_after_s": serving and round(serving, 1),
                "warm_after_s": None,
                "failed_requests_until_serving": failed,
            }
            ph.faults.append(fault)
            say(
                f"  web server killed at +{killed - ph.start:.0f} s: {seen}; serving again after "
                f"{serving or -1:.1f} s, {failed} failed requests meanwhile"
            )
            # when it is warm (the address tables loaded), measured while the drill goes on
            threading.Thread(target=self._warm_after, args=(fault, killed), daemon=True).start()

    def _warm_after(self, fault: dict, killed: float) -> None:
        proc = self.web.proc
        while time.time() - killed < 120:
            if self.web.proc is not proc:
                fault["warm_after_s"] = "killed again before it was warm"
                return
            h = self.web.health()
            if h and h.get("warm"):
                fault["warm_after_s"] = round(time.time() - killed, 1)
                return
            time.sleep(0.2)

    def fault_worker(self, ph: Phase, end: float, stop: threading.Event) -> None:
        # 1. while it runs tasks
        self._sleep_until(ph.start + (end - ph.start) / 3)
        busy, deadline = [], time.time() + 15
        while time.time() < deadline:
            busy = self.workers.in_flight()
            if busy:
                break
            time.sleep(0.1)
        killed = time.time()
        self.workers.crash()
        self.workers.start()
        ph.faults.append(
            {
                "fault": "kill -9 worker while busy",
                "at_s": round(killed - ph.start, 1),
                "tasks_in_flight": busy,
            }
        )
        say(
            f"  worker killed at +{killed - ph.start:.0f} s with {len(busy)} task(s) in flight: {busy[:5]}"
        )
        # 2. while the escalation job holds its lock
        self._sleep_until(ph.start + (end - ph.start) * 2 / 3)
        ph.faults.append(self.kill_during_escalation(ph, stop))

    def lock_held(self, pg) -> dict:
        """The escalation job's lock, in either form: huey's key in Redis (``lock_task``) or a
        lease row in the database (``opencity.lib.locks``)."""
        from huey.contrib.djhuey import HUEY

        held = {"huey_key": bool(HUEY.is_locked(ESCALATION_JOB))}
        try:
            held["lease_row"] = pg.execute(
                "SELECT expires_at FROM lib_lease WHERE name = %s", [ESCALATION_JOB]
            ).fetchone()
        except Exception:  # no lease table (yet)
            held["lease_row"] = None
        return held

    def kill_during_escalation(self, ph: Phase, stop: threading.Event) -> dict:
        """Queue the escalation job (at top priority) and ``kill -9`` the worker the moment its
        lock appears. The job still needs a free consumer thread: if it has not started within
        ``--escalation-start-wait`` seconds under load, that is recorded and the clients stop,
        so that the crash can still be tested. A run that started and ended between two looks
        is asked for again (at most 5 times)."""
        from opencity.reports.tasks import escalate_deadlines

        out: dict = {"fault": "kill -9 worker during the escalation job", "caught": False}
        first_queued = time.time()
        under_load_until = first_queued + self.args.escalation_start_wait
        task_id, queued, attempt, next_log, held = None, 0.0, 0, 0.0, {}
        with pg_connect() as pg:
            while time.time() < first_queued + self.args.escalation_start_wait + 300:
                if task_id is None:
                    if attempt == 5:
                        break
                    attempt += 1
                    task_id, queued = enqueue(escalate_deadlines, priority=1000), time.time()
                held = self.lock_held(pg)
                if held["huey_key"] or held["lease_row"]:
                    break
                if not stop.is_set() and time.time() > under_load_until:
                    out["not_started_under_load_within_s"] = self.args.escalation_start_wait
                    say(
                        f"  the escalation job has not started after {self.args.escalation_start_wait} s "
                        "under load (every consumer thread busy): the clients stop"
                    )
                    stop.set()
                if time.time() > next_log:
                    next_log = time.time() + 0.5
                    if re.search(
                        re.escape(task_id) + r"[^\n]*?( executed in| not run)",
                        self.workers.log_text(),
                    ):
                        task_id = None  # it ran and ended between two looks: ask again
                time.sleep(0.002)
            if held.get("huey_key") or held.get("lease_row"):
                killed = time.time()
                self.workers.crash()
                after = self.lock_held(pg)
                out.update(
                    caught=True,
                    attempt=attempt,
                    job_waited_in_queue_s=round(killed - queued, 1),
                    under_load=not stop.is_set(),
                    at_s=round(killed - ph.start, 1),
                    killed_at=killed,
                    lock="huey lock_task key" if held["huey_key"] else "lease row",
                    lock_left_after_kill=bool(after["huey_key"] or after["lease_row"]),
                )
                self.workers.start()
        self.escalation_kill = out
        say(f"  worker killed during the escalation job: {out}")
        return out

    def escalation_resumes(self) -> dict:
        """After the crash: ask for the job every 10 s (as its schedule would, every 5 min) until
        a run executes instead of being refused, or ``--escalation-wait`` passes."""
        from opencity.reports.tasks import escalate_deadlines

        kill = getattr(self, "escalation_kill", {})
        if not kill.get("caught"):
            return {"checked": False, "why": "the worker was not killed during the job"}
        start = kill["killed_at"]
        deadline = time.time() + self.args.escalation_wait
        asked, refused = [], 0
        say(f"waiting up to {self.args.escalation_wait} s for the escalation job to run again")
        while time.time() < deadline:
            asked.append(enqueue(escalate_deadlines, priority=1000))
            until = time.time() + 10
            while time.time() < until:
                log = self.workers.log_text()
                ran = [t for t in asked if re.search(re.escape(t) + r"[^\n]*? executed in", log)]
                refused = sum(
                    1 for t in asked if re.search(r"Task " + re.escape(t) + r" not run", log)
                )
                if ran:
                    after = round(time.time() - start, 1)
                    say(
                        f"escalation job ran again {after} s after the crash ({refused} run(s) refused before)"
                    )
                    return {
                        "checked": True,
                        "resumed": True,
                        "after_crash_s": after,
                        "refused_before": refused,
                    }
                time.sleep(0.5)
        return {
            "checked": True,
            "resumed": False,
            "waited_s": self.args.escalation_wait,
            "refused": refused,
            "asked": len(asked),
        }

    def fault_database(self, ph: Phase, end: float, stop: threading.Event) -> None:
        rounds, terminated = 0, 0
        with pg_connect("postgres") as pg:
            while time.time() < end - 1:
                time.sleep(self.args.terminate_every)
                rows = pg.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [DB],
                ).fetchall()
                rounds += 1
                terminated += sum(1 for (ok,) in rows if ok)
        ph.faults.append(
            {
                "fault": "pg_terminate_backend of every connection",
                "every_s": self.args.terminate_every,
                "rounds": rounds,
                "connections_terminated": terminated,
            }
        )
        say(f"  database connections terminated {rounds}× ({terminated} connections)")

    # --- drain ---

    def pending(self) -> dict:
        from huey.contrib.djhuey import HUEY

        out = {"queued": HUEY.pending_count(), "scheduled": HUEY.scheduled_count()}
        try:
            with pg_connect() as pg:
                out["outbox"] = pg.execute(
                    "SELECT count(*) FROM notifications_outboxmessage WHERE done_at IS NULL"
                ).fetchone()[0]
        except Exception:  # no outbox table (yet)
            pass
        return out

    def drain(self, timeout: float) -> dict:
        """Let the worker finish what is queued, scheduled (retries) and owed (an outbox)."""
        t0 = time.monotonic()
        quiet_since = None
        while time.monotonic() - t0 < timeout:
            p = self.pending()
            if any(p.values()) or self.workers.in_flight():
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 5:
                return {"drained": True, "seconds": round(time.monotonic() - t0, 1)}
            time.sleep(1)
        return {
            "drained": False,
            "seconds": round(time.monotonic() - t0, 1),
            "left": self.pending(),
        }

    # --- the warning under a full queue ---

    def fault_warning(self, ph: Phase, end: float, stop: threading.Event) -> None:
        """A backlog, then a city-wide warning. The worker is paused (``SIGSTOP``) while the
        clients submit as fast as they can — each submit owes routine work: its KPI recount, the
        route's notifications and e-mails — so that the queue fills as it does behind a slow or
        restarting worker, until ``--queue`` tasks wait (or the burst time is up). Then the
        warning is published through the product's service, the worker resumed (``SIGCONT``),
        and the drill measures until the warning's fan-out starts (its first inbox row), the
        clients still submitting until then."""

        self.workers.signal(signal.SIGSTOP)
        try:
            backlog = 0
            while time.time() < end and backlog < self.args.queue:
                backlog = sum(self.pending().values())
                time.sleep(0.5)
            # the clients go on submitting (people keep reporting during a flood) until the
            # warning's fan-out has started
            out = self.publish_and_measure(stop)
        finally:
            stop.set()
            self.workers.signal(signal.SIGCONT)
        out["burst_reports_acknowledged"] = sum(1 for a in ph.acks if a.kind == "report")
        ph.faults.append({"fault": "city-wide warning under a full queue", **out})
        self.results["warning"] = out

    def publish_and_measure(self, stop: threading.Event) -> dict:
        from django.utils import timezone

        from opencity.accounts.models import User
        from opencity.alerts import delivery, services
        from opencity.alerts.models import Delivery, Message

        fresh_connection()
        before = self.pending()
        out: dict = {
            "queued_before_warning": sum(before.values()),
            "backlog_before_warning": before,
        }
        operator = User.objects.get(pk=self.fx["operator_id"])
        now = timezone.now()
        content = dict(
            event="flood",
            severity="Severe",
            urgency="Immediate",
            certainty="Observed",
            response_type="Evacuate",
            headline_vi="Cảnh báo lũ khẩn cấp trên sông Hương (diễn tập)",
            description_vi="Mực nước sông Hương vượt báo động 3; sơ tán khỏi vùng trũng.",
            expires=now + dt.timedelta(hours=6),
            whole_city=True,
        )
        import inspect

        params = inspect.signature(services.alert_publish).parameters
        for name in ("client_token", "idempotency_key", "token"):
            if name in params:
                content[name] = uuid.uuid4().hex
        t = time.monotonic()
        message = services.alert_publish(actor=operator, **content)
        out["published_in_s"] = round(time.monotonic() - t, 2)
        self.workers.signal(signal.SIGCONT)
        published = time.monotonic()  # the worker resumed: from here on it could start
        first = done = drained = None
        queued_at_first = None
        while time.monotonic() - published < self.args.fanout_wait:
            now_s = time.monotonic() - published
            queued = sum(self.pending().values())
            if drained is None and stop.is_set() and queued == 0:
                drained = now_s
            if first is None and Delivery.objects.filter(message_id=message.pk).exists():
                first, queued_at_first = now_s, queued
                stop.set()  # the burst ends; from here on, how long the backlog takes to clear
            if first is None and now_s > 60:
                stop.set()
            if (
                done is None
                and first is not None
                and Message.objects.filter(pk=message.pk, fanout_done_at__isnull=False).exists()
            ):
                done = now_s
            if done is not None and (drained is not None or now_s > done + 180):
                break  # also how long the backlog it overtook took to clear (within 3 min)
            time.sleep(0.2)
        target = delivery.target_users(message).count()
        delivered = Delivery.objects.filter(message_id=message.pk).count()
        out.update(
            message=message.pk,
            fan_out_started_s=first and round(first, 1),
            backlog_when_it_started=queued_at_first,
            fan_out_done_s=done and round(done, 1),
            backlog_drained_s=drained and round(drained, 1),
            target_people=target,
            delivered=delivered,
            limit_s=FANOUT_LIMIT_S,
        )
        out["pass"] = first is not None and first <= FANOUT_LIMIT_S and delivered == target
        if (
            drained is not None
            and first is not None
            and drained <= first
            and drained <= FANOUT_LIMIT_S
        ):
            out["note"] = (
                "the backlog cleared before the fan-out started, and within the limit: it did "
                "not hold the warning back long; raise --queue for a harder test"
            )
        say(
            f"  warning fan-out under {before} waiting: started after "
            f"{first if first is None else round(first, 1)} s, done after {done if done is None else round(done, 1)} s, "
            f"{delivered}/{target} delivered; the routine backlog drained after "
            f"{drained if drained is None else round(drained, 1)} s"
        )
        return out

    # --- life-safety jobs on time ---

    def life_safety_waits(self) -> dict:
        """How long the periodic jobs of life-safety priority (the SOS escalation, the
        life-safety drain, resumed warning deliveries) waited between being queued by the
        consumer's scheduler and starting, from the consumer's log, less the moments the worker
        was killed or paused. Issue #13: life-safety work must start within seconds whatever
        else is queued."""
        from zoneinfo import ZoneInfo

        from django.conf import settings

        try:
            from opencity.notifications.outbox import LIFE_SAFETY
        except ImportError:
            LIFE_SAFETY = 100
        tz = ZoneInfo(settings.TIME_ZONE)  # the consumer logs in the city's time

        def ts(stamp: str) -> float:
            return (
                dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=tz).timestamp()
            )

        text = self.workers.log_text()
        queued = {}
        for m in re.finditer(
            r"^\[([\d-]+ [\d:,]+)\] \S*:huey\.consumer\.Scheduler:\S+:Enqueueing periodic task "
            r"(\S+): ([0-9a-f-]{36})(?: p=(\d+))?",
            text,
            re.M,
        ):
            if int(m.group(4) or 0) >= LIFE_SAFETY:
                queued[m.group(3)] = (m.group(2), ts(m.group(1)))
        started = {
            m.group(2): ts(m.group(1))
            for m in re.finditer(
                r"^\[([\d-]+ [\d:,]+)\] \S*:huey:\S+:Executing \S+: ([0-9a-f-]{36})", text, re.M
            )
        }
        last = max(started.values(), default=0)
        waits: dict[str, list[float]] = collections.defaultdict(list)
        never: collections.Counter = collections.Counter()
        for tid, (name, t0) in queued.items():
            t1 = started.get(tid)
            end = t1 if t1 is not None else last
            # the time it waited while the worker could run: moments it was killed or paused
            # (and the seconds it took to start again) are not the queue's doing
            down = sum(max(0.0, min(end, b) - max(t0, a)) for a, b in self.workers.down)
            if t1 is None:
                if end - t0 - down > FANOUT_LIMIT_S and t0 < last - 30:
                    never[name] += 1
                continue
            waits[name].append(max(0.0, t1 - t0 - down))
        jobs = {
            name: {
                "runs": len(w),
                "max_wait_s": round(max(w), 1),
                "median_wait_s": round(sorted(w)[len(w) // 2], 2),
            }
            for name, w in sorted(waits.items())
        }
        worst = max((j["max_wait_s"] for j in jobs.values()), default=0.0)
        return {
            "jobs": jobs,
            "never_started": dict(never),
            "worst_wait_s": worst,
            "limit_s": FANOUT_LIMIT_S,
            "pass": worst <= FANOUT_LIMIT_S and not never,
        }

    # --- counting ---

    def count(self) -> dict:
        """Per phase: acknowledged, stored, lost, duplicated; the side effects promised."""
        fresh_connection()
        from opencity.emergency.models import RescueRequest
        from opencity.ioc.models import LiveEvent
        from opencity.reports.models import Report, TimelineEvent

        base = self.baseline
        # duplicates also without the key: the description and the note carry it
        by_text = collections.Counter(
            m.group(1)
            for d in Report.objects.filter(
                pk__gt=base["report"], description__startswith="Drill "
            ).values_list("description", flat=True)
            if (m := re.match(r"Drill (\S+):", d))
        )
        by_note = collections.Counter(
            m.group(1)
            for d in RescueRequest.objects.filter(note__startswith="Drill ").values_list(
                "note", flat=True
            )
            if (m := re.match(r"Drill (\S+):", d))
        )
        routes = collections.Counter(
            TimelineEvent.objects.filter(pk__gt=base["event"], action="route").values_list(
                "report_id", flat=True
            )
        )
        live = collections.Counter(
            LiveEvent.objects.filter(pk__gt=base["live"], report__isnull=False).values_list(
                "kind", "report_id"
            )
        )
        live_rescue = collections.Counter(
            (k, p.get("rescue"))
            for k, p in LiveEvent.objects.filter(
                pk__gt=base["live"], kind__startswith="rescue."
            ).values_list("kind", "payload")
        )
        notes = self.count_notifications()
        mails = self.count_emails()
        out = {}
        for ph in self.phases:
            row: dict = {
                "fault": ph.fault,
                "seconds": round(ph.end - ph.start, 1),
                "requests": ph.requests,
                "statuses": {str(k): v for k, v in sorted(ph.statuses.items())},
                "connection_errors": ph.connection_errors,
                "http_5xx_not_503": ph.server_errors,
                "http_503": ph.s503,
                "http_503_with_retry_after": ph.s503_retry_after,
                "api_errors_not_json": ph.api_errors_not_json,
                "refused": dict(ph.refused),
                "abandoned_unacknowledged": dict(ph.abandoned),
                "faults": ph.faults,
                "samples": ph.samples,
            }
            reports = [a for a in ph.acks if a.kind == "report"]
            stored = dict(
                Report.objects.filter(client_token__in=[a.key for a in reports]).values_list(
                    "client_token", "pk"
                )
            )
            row["reports"] = {
                "acknowledged": len(reports),
                "retried": sum(1 for a in reports if a.attempts > 1),
                "stored": sum(1 for a in reports if a.key in stored),
                "lost": sum(1 for a in reports if a.key not in stored),
                "duplicated": sum(max(0, by_text[a.key] - 1) for a in reports),
                "answered_another_id": sum(
                    1 for a in reports if a.key in stored and stored[a.key] != a.id
                ),
            }
            sos = [a for a in ph.acks if a.kind == "sos"]
            stored_sos = dict(
                RescueRequest.objects.filter(client_token__in=[a.key for a in sos]).values_list(
                    "client_token", "pk"
                )
            )
            row["rescue_requests"] = {
                "acknowledged": len(sos),
                "retried": sum(1 for a in sos if a.attempts > 1),
                "stored": sum(1 for a in sos if a.key in stored_sos),
                "lost": sum(1 for a in sos if a.key not in stored_sos),
                "duplicated": sum(max(0, by_note[a.key] - 1) for a in sos),
                "answered_another_id": sum(
                    1 for a in sos if a.key in stored_sos and stored_sos[a.key] != a.id
                ),
            }
            routed = [a for a in ph.acks if a.kind == "route"]
            row["routes"] = {
                "acknowledged": len(routed),
                "retried": sum(1 for a in routed if a.attempts > 1),
                "stored": sum(1 for a in routed if routes[a.id] >= 1),
                "lost": sum(1 for a in routed if routes[a.id] == 0),
                "duplicated": sum(max(0, routes[a.id] - 1) for a in routed),
                "retry_answered_409": ph.retry_conflicts,
            }
            ids = [stored[a.key] for a in reports if a.key in stored]
            sos_ids = [stored_sos[a.key] for a in sos if a.key in stored_sos]
            auto_ids = [
                stored[a.key] for a in reports if a.key in stored and a.extra.get("automatic")
            ]
            row["side_effects"] = {
                "live_rows_missing": (
                    sum(1 for i in ids if not live[("report.submit", i)])
                    + sum(1 for i in sos_ids if not live_rescue[("rescue.file", i)])
                ),
                "auto_routed_missing": sum(1 for i in auto_ids if routes[i] == 0),
                "notifications": notes.get(
                    ph.name, {"expected": 0, "present": 0, "lost": 0, "duplicated": 0}
                ),
                "emails": mails["by_window"].get(ph.name, {"expected": 0, "sent": 0, "lost": 0}),
            }
            out[ph.name] = row
        return {
            "phases": out,
            "emails": {k: v for k, v in mails.items() if k != "by_window"},
            "notifications_total": notes.get("_total"),
            "kpi": self.count_kpi(),
        }

    def window(self, t: float) -> str:
        """The phase a moment belongs to: from its start to the next phase's start."""
        name = "setup"
        for ph in self.phases:
            if t >= ph.start:
                name = ph.name
        return name

    def count_notifications(self) -> dict:
        """Each route (by the operator or automatic, of a drill report) owes an inbox row to the
        audiences of ``reports.notify.MESSAGES['route']`` (reporter, followers, unit members),
        the actor aside."""
        from opencity.notifications.models import Notification
        from opencity.reports import notify
        from opencity.reports.models import Report, TimelineEvent

        audiences = notify.MESSAGES["route"][0]
        events = TimelineEvent.objects.filter(
            pk__gt=self.baseline["event"], action="route", report__description__startswith="Drill "
        ).select_related("report", "report__reporter", "report__unit")
        present = collections.Counter(
            Notification.objects.filter(
                pk__gt=self.baseline["notification"], verb="route", subject_type="report"
            ).values_list("subject_id", "user_id")
        )
        keys = {r.pk: r.client_token for r in Report.objects.filter(pk__gt=self.baseline["report"])}
        ack_phase = {a.key: ph.name for ph in self.phases for a in ph.acks if a.kind == "report"}
        out: dict = {}
        total = {"expected": 0, "present": 0, "lost": 0, "duplicated": 0}
        for ev in events:
            report = ev.report
            users = set()
            for name in audiences:
                users |= {u.pk for u in notify._audience(report, name) if u.is_active}
            users.discard(ev.actor_id)
            name = ack_phase.get(keys.get(report.pk), "unacknowledged")
            row = out.setdefault(name, {"expected": 0, "present": 0, "lost": 0, "duplicated": 0})
            for u in users:
                n = present[(report.pk, u)]
                for r in (row, total):
                    r["expected"] += 1
                    r["present"] += n >= 1
                    r["lost"] += n == 0
                    r["duplicated"] += max(0, n - 1)
        out["_total"] = total
        return out

    def count_emails(self) -> dict:
        """Every inbox row written during the drill to someone with an e-mail address and e-mail
        notifications on owes one e-mail (``notifications.services.notify``; a warning's inbox
        rows owe none). Matched to the files the worker wrote, by recipient and subject."""
        from django.conf import settings

        from opencity.alerts.delivery import VERB as WARNING_VERB
        from opencity.notifications.models import Notification

        sent: collections.Counter = collections.Counter()
        messages = 0
        for f in sorted(MAIL.iterdir()):
            for chunk in f.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if not chunk.strip():
                    continue
                msg = email.message_from_bytes(chunk, policy=email.policy.default)
                messages += 1
                sent[(str(msg["To"]).strip(), " ".join(str(msg["Subject"]).split()))] += 1
        owed = (
            Notification.objects.filter(
                pk__gt=self.baseline["notification"], user__email_notifications=True
            )
            .exclude(user__email="")
            .exclude(verb=WARNING_VERB)
            .order_by("pk")
            .values_list("created_at", "user__email", "title", "verb", "emailed_at")
        )
        left = sent.copy()
        by_window: dict = {}
        lost_verbs: collections.Counter = collections.Counter()
        not_marked = 0
        for created, addr, title, verb, emailed_at in owed:
            key = (addr, " ".join(f"[{settings.SITE_NAME}] {title}".split()))
            row = by_window.setdefault(
                self.window(created.timestamp()), {"expected": 0, "sent": 0, "lost": 0}
            )
            row["expected"] += 1
            not_marked += emailed_at is None
            if left[key] > 0:
                left[key] -= 1
                row["sent"] += 1
            else:
                row["lost"] += 1
                lost_verbs[verb] += 1
        return {
            "expected": sum(r["expected"] for r in by_window.values()),
            "files_messages": messages,
            "lost": sum(r["lost"] for r in by_window.values()),
            "lost_by_verb": dict(lost_verbs),
            "sent_twice_or_unexpected": sum(left.values()),
            "owed_not_marked_emailed": not_marked,
            "by_window": by_window,
        }

    def count_kpi(self) -> dict:
        """The day's roll-up (``reports.kpi``) against a recount from the reports themselves:
        a recount lost to a crash leaves today's figures short."""
        try:
            from django.db.models import Sum
            from django.utils import timezone

            from opencity.reports import kpi
            from opencity.reports.models import KpiRollup, KpiSpan, Report

            today = timezone.localdate()
            stored = (
                KpiRollup.objects.filter(span=KpiSpan.DAY, day=today).aggregate(n=Sum("received"))[
                    "n"
                ]
                or 0
            )
            actual = Report.objects.filter(kpi.RECEIVED_Q, **kpi._day_range(today)).count()
            return {
                "day": today.isoformat(),
                "rollup_received": stored,
                "reports_received": actual,
                "pass": stored == actual,
            }
        except Exception as exc:  # the roll-up's internals changed: say so rather than guess
            return {"checked": False, "why": repr(exc)[:300]}

    # --- verdict ---

    def verdict(self, counted: dict) -> list[str]:
        broken = []
        for name, row in counted["phases"].items():
            for kind in ("reports", "rescue_requests", "routes"):
                c = row[kind]
                if c["lost"] or c["duplicated"]:
                    broken.append(f"{name}: {kind} {c['lost']} lost, {c['duplicated']} duplicated")
                if c.get("answered_another_id") or c.get("retry_answered_409"):
                    broken.append(
                        f"{name}: {kind}: a retry was not answered with the first result "
                        f"({c.get('answered_another_id') or c.get('retry_answered_409')}×)"
                    )
            if row["http_5xx_not_503"]:
                broken.append(f"{name}: {row['http_5xx_not_503']} HTTP 5xx other than 503")
            if row["api_errors_not_json"]:
                broken.append(
                    f"{name}: {row['api_errors_not_json']} API errors not in the JSON error shape"
                )
            if row["http_503"] > row["http_503_with_retry_after"]:
                broken.append(
                    f"{name}: {row['http_503'] - row['http_503_with_retry_after']} × 503 without Retry-After"
                )
            se = row["side_effects"]
            if se["live_rows_missing"] or se["auto_routed_missing"]:
                broken.append(
                    f"{name}: {se['live_rows_missing']} live-feed rows and "
                    f"{se['auto_routed_missing']} automatic routes missing"
                )
            if se["notifications"]["lost"]:
                broken.append(f"{name}: {se['notifications']['lost']} route notifications lost")
            if se["emails"]["lost"]:
                broken.append(f"{name}: {se['emails']['lost']} e-mails lost")
        if counted["emails"]["lost"] > sum(
            r["side_effects"]["emails"]["lost"] for r in counted["phases"].values()
        ):
            broken.append(
                f"{counted['emails']['lost']} e-mails lost in all (some outside the phases)"
            )
        if counted["kpi"].get("pass") is False:
            broken.append(
                f"today's KPI roll-up counts {counted['kpi']['rollup_received']} reports received, "
                f"the reports say {counted['kpi']['reports_received']}"
            )
        ls = self.results.get("life_safety_jobs", {})
        if ls and not ls.get("pass"):
            broken.append(
                f"life-safety jobs waited up to {ls.get('worst_wait_s')} s in the queue "
                f"(limit {FANOUT_LIMIT_S} s; never started: {ls.get('never_started')}): {ls.get('jobs')}"
            )
        kill = getattr(self, "escalation_kill", {})
        if kill.get("not_started_under_load_within_s"):
            broken.append(
                "the escalation job, queued at top priority, did not start within "
                f"{kill['not_started_under_load_within_s']} s under load (no consumer thread free)"
            )
        esc = self.results.get("escalation", {})
        if not esc.get("resumed"):
            broken.append(f"the escalation job did not run again after the worker crash: {esc}")
        fan = self.results.get("warning", {})
        if not fan.get("pass"):
            broken.append(
                f"warning fan-out: started after {fan.get('fan_out_started_s')} s "
                f"(limit {FANOUT_LIMIT_S} s), delivered {fan.get('delivered')}/{fan.get('target_people')}"
            )
        if not self.results.get("drain", {}).get("drained"):
            broken.append(f"the worker did not drain: {self.results.get('drain')}")
        return broken


def table(results: dict) -> str:
    counted = results["counted"]
    lines = [
        "| phase | requests | conn. errors | 5xx (not 503) | 503 (Retry-After) | API errors not JSON | "
        "reports ack / stored / lost / dup | rescue ack / stored / lost / dup | routes ack / stored / lost / dup "
        "(409 on retry) | route notifications expected / lost / dup | e-mails expected / sent / lost |",
        "|" + "---|" * 11,
    ]
    for name, r in counted["phases"].items():

        def q(c):
            return f"{c['acknowledged']} / {c['stored']} / {c['lost']} / {c['duplicated']}"

        n, m = r["side_effects"]["notifications"], r["side_effects"]["emails"]
        lines.append(
            f"| {name} | {r['requests']} | {r['connection_errors']} | {r['http_5xx_not_503']} | "
            f"{r['http_503']} ({r['http_503_with_retry_after']}) | {r['api_errors_not_json']} | "
            f"{q(r['reports'])} | {q(r['rescue_requests'])} | {q(r['routes'])} "
            f"({r['routes']['retry_answered_409']}) | {n['expected']} / {n['lost']} / {n['duplicated']} | "
            f"{m['expected']} / {m['sent']} / {m['lost']} |"
        )
    e = counted["emails"]
    lines.append("")
    lines.append(
        f"E-mails in all: {e['expected']} owed, {e['lost']} lost ({e['lost_by_verb']}), "
        f"{e['sent_twice_or_unexpected']} sent twice or unexpected; KPI roll-up: {counted['kpi']}"
    )
    esc = results.get("escalation", {})
    lines.append(f"Escalation job after a worker crash during it: {esc}")
    ls = results.get("life_safety_jobs", {})
    lines.append(
        f"Life-safety periodic jobs, queued → started: worst {ls.get('worst_wait_s')} s "
        f"(limit {FANOUT_LIMIT_S} s), {ls.get('jobs')}; never started: {ls.get('never_started')}"
    )
    w = results.get("warning", {})
    lines.append(
        f"Warning under a backlog of {w.get('backlog_before_warning')}: fan-out started after "
        f"{w.get('fan_out_started_s')} s (limit {FANOUT_LIMIT_S} s), done after {w.get('fan_out_done_s')} s, "
        f"{w.get('delivered')}/{w.get('target_people')} delivered; the backlog cleared after "
        f"{w.get('backlog_drained_s')} s"
    )
    for name, r in counted["phases"].items():
        for f in r["faults"]:
            lines.append(f"{name}: {f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=int, default=150, help="length of each fault phase (default 150)"
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="client threads per phase (default 8)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="20 s phases, a small demo pack: for development"
    )
    parser.add_argument(
        "--only", default="web,worker,database,warning", help="phases to run, in order"
    )
    parser.add_argument(
        "--sos-every", type=int, default=8, help="each client's every n-th action is an SOS"
    )
    parser.add_argument(
        "--terminate-every", type=float, default=3.0, help="seconds between connection kills"
    )
    parser.add_argument(
        "--escalation-start-wait",
        type=int,
        default=60,
        help="how long the escalation job may take to start under load before the clients stop",
    )
    parser.add_argument(
        "--escalation-wait",
        type=int,
        default=200,
        help="how long to wait for the escalation job to run again after the crash",
    )
    # a side effect whose worker died is taken again when its outbox lease ends
    parser.add_argument(
        "--drain-seconds",
        type=int,
        default=None,
        help="bound on waiting for the worker to drain (default: the outbox lease + 2 min)",
    )
    parser.add_argument(
        "--queue", type=int, default=1000, help="routine tasks queued before the warning"
    )
    parser.add_argument(
        "--burst-seconds", type=int, default=120, help="bound on the burst that fills the queue"
    )
    parser.add_argument(
        "--fanout-wait", type=int, default=600, help="bound on waiting for the warning's fan-out"
    )
    parser.add_argument(
        "--demo-reports", type=int, default=2000, help="load_demo --reports (default 2000)"
    )
    parser.add_argument(
        "--web-workers", type=int, default=int(os.environ.get("OPENCITY_WEB_WORKERS", 1))
    )
    parser.add_argument(
        "--web-threads", type=int, default=int(os.environ.get("OPENCITY_WEB_THREADS", 8))
    )
    parser.add_argument(
        "--results", default="", help="drill/results/<name>.json (default latest, quick: quick)"
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds = min(args.seconds, 20)
        args.demo_reports = min(args.demo_reports, 300)
        args.burst_seconds = min(args.burst_seconds, 45)
        args.queue = min(args.queue, 400)
        # leases as short as the settings allow something useful: a crashed holder's work is
        # taken again within a minute rather than five (the full drill keeps the defaults)
        ENV.setdefault("OPENCITY_OUTBOX_LEASE_SECONDS", "60")
        ENV.setdefault("OPENCITY_JOB_LEASE_SECONDS", "30")
    if args.drain_seconds is None:
        args.drain_seconds = int(ENV.get("OPENCITY_OUTBOX_LEASE_SECONDS", 300)) + 120
    name = args.results or ("quick" if args.quick else "latest")

    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(1))  # stop the processes on the way out
    drill = Drill(args)
    results = drill.results
    results["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["machine"] = {"nproc": os.cpu_count(), "load_average_at_start": list(os.getloadavg())}
    try:
        drill.setup()
        drill.start_processes()
        faults = {
            "web": ("kill -9 of the web server 3×", drill.fault_web, args.seconds),
            "worker": (
                "kill -9 of the worker 2× (busy; during the escalation job)",
                drill.fault_worker,
                args.seconds,
            ),
            "database": (
                f"pg_terminate_backend of the database's connections every {args.terminate_every} s",
                drill.fault_database,
                args.seconds,
            ),
            "warning": (
                f"worker paused, a burst of submits until {args.queue} tasks are queued, "
                "then a city-wide warning and the worker resumed",
                drill.fault_warning,
                args.burst_seconds,
            ),
        }
        for phase in [p.strip() for p in args.only.split(",") if p.strip()]:
            drill.ensure_up()
            if phase == "warning":  # from an idle worker, as the queue fills
                say(f"letting the worker drain first: {drill.drain(args.drain_seconds)}")
            drill.phase(phase, *faults[phase])
            if phase == "worker":
                results["escalation"] = drill.escalation_resumes()
        results.setdefault("escalation", {"checked": False, "why": "no worker phase"})
        results.setdefault("warning", {"checked": False, "why": "no warning phase"})
        drill.ensure_up()
        say("letting the worker drain")
        results["drain"] = drill.drain(args.drain_seconds)
        say(f"drain: {results['drain']}")
        results["counted"] = drill.count()
        results["life_safety_jobs"] = drill.life_safety_waits()
        from huey.contrib.djhuey import HUEY

        results["huey_results_kept_in_redis"] = HUEY.result_count()
    finally:
        drill.web.proc and drill.web.proc.stop()
        drill.workers.stop()
    results["broken"] = drill.verdict(results["counted"])
    results["pass"] = not results["broken"]
    results["drill_seconds"] = round(time.monotonic() - started)
    (DRILL / "results").mkdir(exist_ok=True)
    path = DRILL / "results" / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    print()
    print(table(results))
    print()
    if results["broken"]:
        print("Promises broken:")
        for b in results["broken"]:
            print(f"  - {b}")
    else:
        print("Every promise held.")
    say(f"done in {results['drill_seconds']} s; results in {path.relative_to(ROOT)}")
    return 0 if results["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
