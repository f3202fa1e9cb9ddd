"""Throwaway PostgreSQL clusters for the read-replica test and benchmark: a primary from
``initdb`` on a free port, and a streaming replica of it from ``pg_basebackup -R``.

Never a copy of the shared development cluster (127.0.0.1:5432 holds benchmark databases of
many GB): the primary is a new, empty cluster. Run as root (containers, CI), the server
programs run as the ``postgres`` user (``initdb`` refuses root). :func:`primary_and_replica`
stops both servers and removes their directories whatever happens in its block.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup", "psql")


def bin_dir() -> Path | None:
    """The newest PostgreSQL's programs (``/usr/lib/postgresql/<version>/bin``, then PATH)."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if all(Path(candidate, p).exists() for p in PROGRAMS):
            return Path(candidate)
    found = [shutil.which(p) for p in PROGRAMS]
    if all(found):
        return Path(found[0]).parent  # type: ignore[arg-type]
    return None


def _run_as() -> str | None:
    """The user the servers run as: ``postgres`` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return ""
    return "postgres"


def why_unavailable() -> str | None:
    """Why clusters cannot be made here (a skip reason), or None."""
    if bin_dir() is None:
        return "PostgreSQL's initdb/pg_ctl/pg_basebackup are not installed"
    if _run_as() == "":
        return "running as root without a postgres user to run initdb as"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    data: Path
    port: int
    log: Path

    def _cmd(self, program: str, *args: str) -> list[str]:
        cmd = [str(bin_dir() / program), *args]
        user = _run_as()
        return ["runuser", "-u", user, "--", *cmd] if user else cmd

    def run(self, program: str, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(self._cmd(program, *args), capture_output=True, text=True, timeout=timeout,
                              cwd="/")
        if done.returncode:
            raise RuntimeError(f"{program} {' '.join(args)} failed ({done.returncode}): {done.stderr or done.stdout}")
        return done.stdout

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")

    def sql(self, query: str, database: str = "postgres") -> str:
        """One query through psql (as the superuser ``postgres``), its value(s) unaligned."""
        return self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                        "-XAtqc", query).strip()

    def wait_replayed(self, lsn: str, timeout: float = 60) -> None:
        """Until this replica has replayed the WAL up to ``lsn`` (a primary's
        ``pg_current_wal_lsn()``). Polls the replica's own position, asserts nothing on time."""
        deadline = time.monotonic() + timeout
        while self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") != "t":
            if time.monotonic() > deadline:
                raise TimeoutError(f"replica on port {self.port} has not replayed {lsn}")
            time.sleep(0.05)


def _own(path: Path) -> None:
    user = _run_as()
    if user:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _make_primary(root: Path, *, settings: dict[str, str]) -> Cluster:
    primary = Cluster(root / "primary", free_port(), root / "primary.log")
    primary.run("initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--no-locale", "--no-sync")
    conf = {"listen_addresses": "'127.0.0.1'", "port": str(primary.port), "wal_level": "replica",
            "max_wal_senders": "4", "hot_standby": "on", "fsync": "off", "synchronous_commit": "off",
            "full_page_writes": "off", "unix_socket_directories": f"'{root}'", **settings}
    with open(primary.data / "postgresql.conf", "a") as f:
        f.writelines(f"{k} = {v}\n" for k, v in conf.items())
    with open(primary.data / "pg_hba.conf", "a") as f:
        f.write("host replication postgres 127.0.0.1/32 trust\n")
    return primary


def _make_replica(root: Path, primary: Cluster) -> Cluster:
    replica = Cluster(root / "replica", free_port(), root / "replica.log")
    primary.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast", "--no-sync", timeout=600)
    with open(replica.data / "postgresql.conf", "a") as f:
        f.write(f"port = {replica.port}\n")
    return replica


@contextlib.contextmanager
def primary_and_replica(*, settings: dict[str, str] | None = None,
                        before_replica=None) -> Iterator[tuple[Cluster, Cluster]]:
    """A started primary and its started streaming replica; both stopped and their directory
    removed at the end, also on failure. ``before_replica(primary)`` runs between the two (to
    load data the replica then starts with, as a production replica is set up)."""
    root = Path(tempfile.mkdtemp(prefix="opencity-replica-"))
    _own(root)
    clusters: list[Cluster] = []
    try:
        primary = _make_primary(root, settings=settings or {})
        clusters.append(primary)
        primary.start()
        if before_replica is not None:
            before_replica(primary)
        replica = _make_replica(root, primary)
        clusters.append(replica)
        replica.start()
        yield primary, replica
    finally:
        for cluster in reversed(clusters):
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
