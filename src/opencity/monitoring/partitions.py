"""Monthly partitions of the observations on PostgreSQL (declarative partitioning).

``monitoring_observation`` is created by migration 0001 (on PostgreSQL) as a table partitioned by range of
``phenomenon_time``, one partition per calendar month (UTC), named
``monitoring_observation_pYYYYMM``. A partition must exist before a row of its month is
inserted: ingest calls :func:`ensure_for` with the months of its batch before its own transaction (a
set remembered per process, so the common case asks nothing), and the hourly job (``tasks``) creates the next two
months ahead. There is no default partition: a row of a month without one would land there and
block that month's partition from ever being created.

SQLite keeps one plain table; every function here is a no-op there.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

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


def forget() -> None:
    """Forget what this process knows exists (a test that drops the database between runs)."""
    with _lock:
        _known.clear()
