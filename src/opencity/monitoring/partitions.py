"""Monthly partitions of the observations on PostgreSQL (declarative partitioning).

``monitoring_observation`` is created by migration 0001 (on PostgreSQL) as a table partitioned by range of
``phenomenon_time``, one partition per calendar month (UTC), named
``monitoring_observation_pYYYYMM``. A partition must exist before a row of its month is
inserted: ingest calls :func:`ensure_for` with the months of its batch before its own transaction (a
set remembered per process, so the common case asks nothing), and the hourly job (``tasks``) creates the next two
months ahead. There is no default partition: a row of a month without one would land there and
block that month's partition from ever being created.

Old months are archived by a monthly job (:func:`archive_before`): a partition older than
``OPENCITY_MONITORING_KEEP_MONTHS`` is detached, its rows written to a gzip-compressed CSV file
under ``OPENCITY_ARCHIVE_DIR/monitoring/``, counted, and dropped; a file that cannot be written
re-attaches it. While a month is being written, a reading of that month (older than the months
kept) is refused with the rest of its batch. The hourly roll-ups
(``ObservationHour``, a plain table) stay: month and year charts keep working; only the raw
readings of those months leave the database.

SQLite keeps one plain table; every function here is a no-op there.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

TABLE = "monitoring_observation"
_known: set[tuple[str, dt.date]] = set()  # (database alias name, month) already created
_lock = threading.Lock()


def is_partitioned(conn=None) -> bool:
    return (conn or connection).vendor == "postgresql"


def month_of(when: dt.datetime) -> dt.date:
    when = when.astimezone(dt.UTC)
    return dt.date(when.year, when.month, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_p{month:%Y%m}"


def ensure(months: Iterable[dt.date], conn=None) -> list[str]:
    """Create the partitions of ``months`` that do not exist yet; returns those created.

    Called before the ingest's own transaction where it can be, so that a new month's partition
    (whose creation locks the whole table) is committed at once. Two processes creating the same
    month are serialised by an advisory lock on its name: the second finds it made."""
    conn = conn or connection
    if not is_partitioned(conn):
        return []
    wanted = {(conn.settings_dict["NAME"], m) for m in months} - _known
    created = []
    for db, month in sorted(wanted, key=lambda t: t[1]):
        name = partition_name(month)
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if not cursor.fetchone()[0]:
                cursor.execute(
                    f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
                    [dt.datetime.combine(month, dt.time(), dt.UTC),
                     dt.datetime.combine(next_month(month), dt.time(), dt.UTC)],
                )
                created.append(name)
        # Remembered only once committed: DDL is transactional here, and a caller's transaction
        # that rolls back takes the partition it created with it.
        transaction.on_commit(lambda key=(db, month): _remember(key), using=conn.alias)
    return created


def _remember(key: tuple[str, dt.date]) -> None:
    with _lock:
        _known.add(key)


def ensure_for(times: Iterable[dt.datetime], conn=None) -> list[str]:
    conn = conn or connection
    if not is_partitioned(conn):
        return []
    return ensure({month_of(t) for t in times}, conn)


def ensure_ahead(now: dt.datetime, months: int = 2, conn=None) -> list[str]:
    """This month and the next ``months`` (the hourly job)."""
    month = month_of(now)
    wanted = [month]
    for _ in range(months):
        month = next_month(month)
        wanted.append(month)
    return ensure(wanted, conn)


def existing(conn=None) -> list[str]:
    conn = conn or connection
    if not is_partitioned(conn):
        return []
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname", [TABLE])
        return [row[0] for row in cursor.fetchall()]


_NAME = re.compile(rf"^{TABLE}_p(\d{{4}})(\d{{2}})$")


@dataclass(frozen=True)
class Archived:
    partition: str
    month: dt.date
    rows: int
    path: Path


def month_of_partition(name: str) -> dt.date | None:
    m = _NAME.match(name)
    return dt.date(int(m.group(1)), int(m.group(2)), 1) if m else None


def _detached(conn) -> list[str]:
    """Tables named like a partition that are attached to nothing: an archive run that stopped
    between its detach and its drop (they are archived by the next run)."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid) ORDER BY c.relname",
            [f"{TABLE}_p%"])
        return [row[0] for row in cursor.fetchall() if _NAME.match(row[0])]


def _write(conn, name: str, path: Path) -> int:
    """The table's rows, CSV with a header, gzip-compressed, to ``path`` (through a ``.partial``
    file, renamed once the count is checked); the number of rows."""
    partial = path.with_name(path.name + ".partial")
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {name}")
            rows = cursor.fetchone()[0]
            with gzip.open(partial, "wb") as out:
                sql = f"COPY (SELECT * FROM {name} ORDER BY datastream_id, phenomenon_time) TO STDOUT " \
                      "WITH (FORMAT csv, HEADER true)"
                with cursor.cursor.copy(sql) as copy:
                    for data in copy:
                        out.write(data)
        with gzip.open(partial, "rt", newline="") as back:
            written = sum(1 for _line in back) - 1  # the header
        if written != rows:
            raise OSError(f"{name}: {written} rows written, {rows} in the table")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def archive_before(cutoff: dt.date, *, directory: Path, now: dt.datetime | None = None,
                   conn=None) -> list[Archived]:
    """Archive every partition of a month before ``cutoff`` (a first of the month).

    Each is detached in a short transaction of its own (the lock on the observation table is
    held for the detach only, not while a month is written), its rows written to
    ``directory/<partition>-<archived at>.csv.gz`` (the time in the name: a late reading that
    made the month again later is archived beside, never over, the first file) and counted, then
    dropped. A file that cannot be written re-attaches the partition and raises; a run stopped
    between the detach and the drop leaves a detached table, archived by the next run. Returns
    what was archived, oldest first."""
    conn = conn or connection
    if not is_partitioned(conn):
        return []
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    directory.mkdir(parents=True, exist_ok=True)
    attached = [n for n in existing(conn) if (m := month_of_partition(n)) is not None and m < cutoff]
    done = []
    for name in sorted(set(attached) | set(_detached(conn))):
        month = month_of_partition(name)
        if name in attached:
            with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
                cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
        path = directory / f"{name}-{stamp}.csv.gz"
        try:
            rows = _write(conn, name, path)
        except BaseException:
            if name in attached:
                with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
                    cursor.execute(
                        f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                        [dt.datetime.combine(month, dt.time(), dt.UTC),
                         dt.datetime.combine(next_month(month), dt.time(), dt.UTC)])
            raise
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            cursor.execute(f"DROP TABLE {name}")
        with _lock:
            _known.discard((conn.settings_dict["NAME"], month))
        done.append(Archived(name, month, rows, path))
    return done


def keep_since(now: dt.datetime, months: int) -> dt.date:
    """The first month kept when ``months`` months (this one included) are kept."""
    month = month_of(now)
    total = month.year * 12 + month.month - 1 - (months - 1)
    return dt.date(total // 12, total % 12 + 1, 1)


def forget() -> None:
    """Forget what this process knows exists (a test that drops the database between runs)."""
    with _lock:
        _known.clear()
