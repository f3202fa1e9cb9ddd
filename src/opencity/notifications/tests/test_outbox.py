"""The outbox: rows written with the state change, carried out after it, at least once, in
priority order, coalesced by key, never by two workers at once."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from opencity.notifications import outbox
from opencity.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Test kinds whose handlers record what they were given."""
    seen: list = []
    lock = threading.Lock()

    def record(payload):
        with lock:
            seen.append(payload["n"])

    def fail(payload):
        raise RuntimeError(f"broken {payload['n']}")

    def write_then_fail(payload):
        Notification.objects.create(user_id=payload["user"], verb="test", title="half")
        raise RuntimeError("after the write")

    for name, kind in {
        "test.routine": outbox.Kind("test.routine", record, outbox.ROUTINE, False, None, 0),
        "test.urgent": outbox.Kind("test.urgent", record, outbox.LIFE_SAFETY, False, None, 0),
        "test.bulk": outbox.Kind("test.bulk", record, outbox.BULK, False, None, 0),
        "test.fail": outbox.Kind("test.fail", fail, outbox.ROUTINE, False, None, 0),
        "test.atomic": outbox.Kind("test.atomic", write_then_fail, outbox.ROUTINE, True, None, 0),
    }.items():
        monkeypatch.setitem(outbox._registry, name, kind)
    return seen


def test_an_unknown_kind_is_refused():
    with pytest.raises(LookupError):
        outbox.outbox_put(kind="no.such.kind", payload={})


def test_rows_are_carried_out_once_highest_priority_first(calls):
    outbox.outbox_put(kind="test.bulk", payload={"n": 1})
    outbox.outbox_put(kind="test.routine", payload={"n": 2})
    outbox.outbox_put(kind="test.urgent", payload={"n": 3})
    outbox.outbox_put(kind="test.routine", payload={"n": 4})
    assert outbox.drain() == 4
    assert calls == [3, 2, 4, 1]
    assert outbox.drain() == 0 and calls == [3, 2, 4, 1]
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()


def test_a_drain_takes_only_rows_of_its_priority_and_above(calls):
    outbox.outbox_put(kind="test.bulk", payload={"n": 1})
    outbox.outbox_put(kind="test.urgent", payload={"n": 2})
    assert outbox.drain(min_priority=outbox.LIFE_SAFETY) == 1 and calls == [2]
    assert outbox.drain(min_priority=outbox.ROUTINE) == 0
    assert outbox.drain() == 1 and calls == [2, 1]


def test_rows_with_the_same_key_are_settled_by_one_run(calls):
    for n in range(5):
        outbox.outbox_put(kind="test.bulk", payload={"n": n}, dedup_key="day:2026-03-02")
    outbox.outbox_put(kind="test.bulk", payload={"n": 9}, dedup_key="day:2026-03-03")
    assert outbox.drain() == 6
    assert calls == [0, 9]


def test_a_failed_row_keeps_its_error_and_backs_off(calls):
    outbox.outbox_put(kind="test.fail", payload={"n": 1})
    assert outbox.drain() == 0
    row = OutboxMessage.objects.get()
    assert row.done_at is None and row.attempts == 1 and "broken 1" in row.last_error and not row.leased_by
    assert outbox.drain(now=timezone.now() + dt.timedelta(seconds=outbox.RETRY_BASE_SECONDS - 5)) == 0
    assert outbox.drain(now=timezone.now() + dt.timedelta(seconds=outbox.RETRY_BASE_SECONDS + 1)) == 0
    row.refresh_from_db()
    assert row.attempts == 2  # tried again; the next wait is twice as long
    assert row.available_at >= timezone.now() + dt.timedelta(seconds=2 * outbox.RETRY_BASE_SECONDS)


def test_an_atomic_handler_that_fails_leaves_nothing_behind(calls, citizen):
    outbox.outbox_put(kind="test.atomic", payload={"user": citizen.pk})
    assert outbox.drain() == 0
    assert not Notification.objects.filter(verb="test").exists()
    assert "after the write" in OutboxMessage.objects.get().last_error


def test_a_row_whose_kind_is_gone_waits_with_an_error(calls, monkeypatch):
    outbox.outbox_put(kind="test.routine", payload={"n": 1})
    monkeypatch.delitem(outbox._registry, "test.routine")
    assert outbox.drain() == 0
    assert "not registered" in OutboxMessage.objects.get().last_error


def test_done_rows_are_pruned_after_the_keep_days(calls, settings):
    outbox.outbox_put(kind="test.routine", payload={"n": 1})
    outbox.drain()
    outbox.outbox_put(kind="test.routine", payload={"n": 2})  # not done: kept
    assert outbox.prune(now=timezone.now() + dt.timedelta(days=settings.OPENCITY_OUTBOX_KEEP_DAYS - 1)) == 0
    assert outbox.prune(now=timezone.now() + dt.timedelta(days=settings.OPENCITY_OUTBOX_KEEP_DAYS + 1)) == 1
    assert list(OutboxMessage.objects.values_list("payload", flat=True)) == [{"n": 2}]


def test_a_put_kicks_a_drain_after_the_commit_only(calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        outbox.outbox_put(kind="test.urgent", payload={"n": 1})
    assert calls == [] and len(hooks) == 1
    hooks[0]()  # the commit happened: huey (immediate in tests) runs the drain
    assert calls == [1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_drains_in_several_workers_at_once_carry_each_row_out_once(calls):
    # written without a kick (outside a transaction, a put's kick would drain them at once)
    OutboxMessage.objects.bulk_create([OutboxMessage(kind="test.routine", payload={"n": n}, priority=outbox.ROUTINE)
                                       for n in range(60)])
    errors = []

    def worker():
        try:
            outbox.drain()
        except Exception as exc:  # pragma: no cover — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Counter(calls) == Counter(range(60))  # each once, whoever took it
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
