"""The database router (``lib/dbrouter.py``): which reads may go to the read replica. The
real replica is in ``opencity/tests/test_replica.py`` (PostgreSQL); here the router's choices."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, transaction
from django.urls import resolve, reverse

from opencity.accounts.models import User
from opencity.lib import dbrouter
from opencity.lib.models import Lease
from opencity.reports.models import Report

router = dbrouter.ReplicaRouter()


@pytest.fixture
def replica_page():
    """Inside a replica page, as ``replica_reads`` leaves it when the replica answers."""
    token = dbrouter._reading.set(dbrouter._Reading())
    yield
    dbrouter._reading.reset(token)


def test_reads_outside_the_replica_pages_stay_on_the_primary():
    assert router.db_for_read(Report) == "default"


def test_a_replica_page_reads_the_reports_from_the_replica(replica_page):
    assert router.db_for_read(Report) == "replica"


def test_who_is_signed_in_and_the_leases_are_read_from_the_primary_even_there(replica_page):
    assert router.db_for_read(Session) == "default"
    assert router.db_for_read(User) == "default"
    assert router.db_for_read(Lease) == "default"


def test_after_a_write_the_page_reads_its_own_writes_from_the_primary(replica_page):
    assert router.db_for_write(Report) == "default"
    assert router.db_for_read(Report) == "default"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_inside_a_transaction_stay_on_the_primary(replica_page):
    with transaction.atomic():
        assert router.db_for_read(Report) == "default"
    assert router.db_for_read(Report) == "replica"


def test_writes_and_migrations_only_ever_go_to_the_primary(replica_page):
    assert router.db_for_write(Report) == "default"
    assert router.allow_migrate("replica", "reports") is False
    assert router.allow_migrate("default", "reports") is True


def test_a_replica_found_down_is_not_read_from_until_it_is_retried(replica_page, settings):
    settings.OPENCITY_DB_REPLICA_RETRY_SECONDS = 3600
    dbrouter._mark_down(OSError("connection refused"))
    try:
        assert router.db_for_read(Report) == "default"
    finally:
        dbrouter.reset()
    assert router.db_for_read(Report) == "replica"


def test_without_a_replica_nothing_reads_from_it():
    with dbrouter.replica_reads() as on_replica:
        assert on_replica is False
        assert router.db_for_read(Report) == "default"


@pytest.mark.parametrize("name", [
    "ioc:statistics", "ioc:statistics_reports", "ioc:console", "ioc:cards", "ioc:overdue", "ioc:map", "ioc:list",
    "opendata:index", "opendata:reports_csv", "opendata:reports_geojson", "opendata:reports_csv_metadata",
])
def test_the_lag_tolerant_pages_read_from_the_replica(name):
    assert getattr(resolve(reverse(name)).func, "reads_from_replica", False) is True


@pytest.mark.parametrize("name", [
    "home", "reports:list", "reports:new", "ioc:live", "ioc:digital_reports", "ioc:digital_report_request",
    "accounts:login",
])
def test_pages_that_must_see_their_own_writes_do_not(name):
    assert getattr(resolve(reverse(name)).func, "reads_from_replica", False) is False


class _RecoveryConflict(Exception):
    sqlstate = "40001"  # what psycopg says of "canceling statement due to conflict with recovery"


@pytest.fixture
def reachable_replica(monkeypatch):
    """As if a replica were configured and its connection opened (the real one:
    ``opencity/tests/test_replica.py``)."""
    monkeypatch.setattr(dbrouter, "_replica_usable", lambda: True)
    yield
    dbrouter.reset()


def _read_failing_once(calls: list, error: Exception):
    def read():
        calls.append(router.db_for_read(Report))
        if len(calls) == 1:
            raise error
        return "figures"

    return read


def test_a_read_the_replica_cancelled_runs_again_on_the_primary(reachable_replica):
    calls: list = []
    error = OperationalError("canceling statement due to conflict with recovery")
    error.__cause__ = _RecoveryConflict()
    assert dbrouter.on_replica(_read_failing_once(calls, error)) == "figures"
    assert calls == ["replica", "default"]
    assert not dbrouter._replica_down()  # the replica is fine: the next page reads it again


def test_a_replica_lost_during_a_read_is_left_alone_and_the_read_runs_on_the_primary(reachable_replica):
    calls: list = []
    assert dbrouter.on_replica(_read_failing_once(calls, OperationalError("server closed the connection"))) == "figures"
    assert calls == ["replica", "default"]
    assert dbrouter._replica_down()
