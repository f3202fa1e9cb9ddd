"""Issue 14, operators 6: `make run` ended with "make: *** [Makefile:62: run] Segmentation fault"
on Ctrl+C, and did not print the rescue team's login.

The cause: Ctrl+C reached every process of the terminal's process group at once — the script,
granian's main process *and its worker*, huey. granian's main process then sent its worker a
SIGTERM too; granian 2.8's WSGI worker, hit by both signals at the same moment, could miss its
stop and hang, so its main process waited for it forever, while the script's trap (`kill 0`) sent
SIGTERM to the whole group, `make` included ("Terminated", "wait: No child processes",
"Segmentation fault", or a server left on the port). Now the children run in sessions of their
own and only the script stops them, once each.

These tests start scripts/run.sh as `make run` does, on a spare port with a temporary
OPENCITY_VAR_DIR and the (migrated) test database, and stop it as a terminal and as a service
manager would. No network: everything is on 127.0.0.1. About 10 s each.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 90  # seconds; a ceiling for a loaded machine, not a measurement
STOP_TIMEOUT = 30

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux" or not (ROOT / ".venv/bin/granian").exists(),
                       reason="scripts/run.sh serves with granian from .venv on Linux"),
    # committed data the script's processes can see; serialized, like every transactional test
    # here (opencity/conftest.py), so the flush after it leaves the next one a clean database
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def var_dir(tmp_path) -> Path:
    """A fresh VAR_DIR; the database is the test database, migrated and committed to (what `make
    run`'s `db` step leaves), so the script's processes see its tables."""
    path = tmp_path / "var"
    path.mkdir()
    return path


def _env(var_dir: Path) -> dict[str, str]:
    from django.db import connection

    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "OPENCITY_HUEY_IMMEDIATE"}
    env.update(
        OPENCITY_VAR_DIR=str(var_dir),
        OPENCITY_DB_ENGINE="postgres" if connection.vendor == "postgresql" else "sqlite",
        OPENCITY_DB_NAME=str(db["NAME"]),
        OPENCITY_HUEY_BACKEND="sqlite",
        OPENCITY_WARM_ADDRESSES="False",  # no 15 s of address tables in an empty cache
        OPENCITY_SMS_ALLOW_CONSOLE="True",  # as `make run` sets: codes printed, not sent
        PYTHONPATH="src",
    )
    return env


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_processes(var_dir: Path) -> list[int]:
    """Every process still running with this test's VAR_DIR in its environment."""
    marker = f"OPENCITY_VAR_DIR={var_dir}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                    if state != "Z":
                        pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class Served:
    """scripts/run.sh started as `make run` starts it, in a process group of its own (as a
    terminal's foreground job is), output in a file."""

    def __init__(self, var_dir: Path, tmp_path: Path):
        self.var_dir = var_dir
        self.port = _spare_port()
        self.log_path = tmp_path / "run.log"
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            ["bash", "scripts/run.sh", "127.0.0.1", str(self.port)],
            cwd=ROOT,
            env=_env(var_dir),
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/healthz", timeout=2
                ) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        pytest.fail("run.sh did not answer /healthz:\n" + self.output())

    def wait(self) -> int:
        try:
            return self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail("run.sh did not stop:\n" + self.output())

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        """Whatever a failed test left: killed, so that no server outlives the test."""
        for pid in _session_processes(self.var_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def served(var_dir, tmp_path):
    started = []

    def start() -> Served:
        run_dir = tmp_path / str(len(started))
        run_dir.mkdir()
        s = Served(var_dir, run_dir)
        started.append(s)
        return s

    yield start
    for s in started:
        s.close()


def _port_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _assert_stopped_cleanly(s: Served, code: int) -> None:
    out = s.output()
    assert code == 0, out
    assert "Segmentation fault" not in out and "Traceback" not in out, out
    assert "Terminated" not in out and "did not stop" not in out, out
    assert out.rstrip().endswith("OpenCity stopped."), out
    assert _session_processes(s.var_dir) == [], out  # web, its worker and huey: all gone
    assert _port_closed(s.port)


def test_ctrl_c_stops_web_and_worker_cleanly(served):
    """Ctrl+C is SIGINT to the terminal's whole foreground process group. The old script hung or
    died by a signal in most attempts (and took `make` with it)."""
    s = served()
    s.wait_healthy()
    os.killpg(s.proc.pid, signal.SIGINT)
    _assert_stopped_cleanly(s, s.wait())


def test_sigterm_to_the_script_alone_stops_both(served):
    """What `make` does on SIGTERM and a service manager does: only the script is signalled.
    Before it stopped, it printed every demo login, the rescue team's member last."""
    s = served()
    s.wait_healthy()
    s.proc.send_signal(signal.SIGTERM)
    _assert_stopped_cleanly(s, s.wait())
    out = s.output()
    for phone in [f"090100000{i}" for i in range(1, 10)]:
        assert re.search(rf"^\s+{phone}\s", out, re.M), (phone, out)
    assert re.search(r"0901000009\s+.*Đội cứu hộ Phú Vang.*Trần Văn Cứu", out), out
