"""Leases of periodic jobs (lib/locks.py)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone
from huey.exceptions import TaskLockedException

from opencity.lib import locks
from opencity.lib.models import Lease

pytestmark = pytest.mark.django_db


@pytest.fixture
def later(monkeypatch):
    """Move ``timezone.now`` forward by some seconds."""
    start = timezone.now()

    def move(seconds: float) -> dt.datetime:
        moment = start + dt.timedelta(seconds=seconds)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return move


def test_a_lease_is_exclusive_until_released():
    holder = locks.acquire("job", ttl=60)
    with pytest.raises(locks.LeaseHeld):
        locks.acquire("job", ttl=60)
    assert locks.is_held("job")
    locks.release("job", holder)
    assert not locks.is_held("job")
    locks.release("job", locks.acquire("job", ttl=60))


def test_a_refused_run_is_hueys_locked_exception():
    locks.acquire("job", ttl=60)
    with pytest.raises(TaskLockedException):
        locks.acquire("job", ttl=60)


def test_an_expired_lease_is_taken_over_once(later):
    crashed = locks.acquire("job", ttl=60)
    later(61)
    taker = locks.acquire("job", ttl=60)
    assert Lease.objects.get(name="job").holder == taker != crashed
    with pytest.raises(locks.LeaseHeld):  # the taker now holds it
        locks.acquire("job", ttl=60)
    locks.release("job", crashed)  # the crashed holder's late release changes nothing
    assert Lease.objects.get(name="job").holder == taker


def test_a_renewed_lease_outlives_its_first_expiry(later):
    holder = locks.acquire("job", ttl=60)
    later(50)
    assert locks.renew("job", holder, ttl=60)
    later(100)
    with pytest.raises(locks.LeaseHeld):
        locks.acquire("job", ttl=60)
    assert not locks.renew("job", "someone-else", ttl=60)


def test_the_decorator_releases_after_success_and_failure():
    @locks.job_lock("job", ttl=60)
    def job(fail=False):
        assert locks.is_held("job")
        if fail:
            raise RuntimeError("boom")
        return 7

    assert job() == 7
    with pytest.raises(RuntimeError):
        job(fail=True)
    assert not Lease.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_keeper_renews_while_the_job_runs():
    """The renewing thread uses its own connection: a committed lease (transaction test)."""
    with locks.lease("job", ttl=8) as holder:
        first = Lease.objects.get(name="job").expires_at
        keeper = next(t for t in threading.enumerate() if t.name == "lease-job")
        keeper.stopped.wait(2.5)  # two beats of 2 s
        renewed = Lease.objects.get(name="job")
        assert renewed.holder == holder and renewed.expires_at > first
    assert not Lease.objects.exists()


def test_periodic_jobs_run_under_leases_never_hueys_locks():
    import sys

    from django.utils.module_loading import autodiscover_modules
    from huey.api import PeriodicTask, TaskWrapper
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")  # what the consumer loads
    jobs = {
        wrapper.name or wrapper.func.__name__: getattr(wrapper.func, "lease_name", None)
        for name, module in list(sys.modules.items())
        if name.startswith("opencity.") and name.endswith(".tasks")
        for wrapper in vars(module).values()
        if isinstance(wrapper, TaskWrapper) and issubclass(wrapper.task_class, PeriodicTask)
    }
    assert not HUEY._locks  # no huey lock_task left: its keys never expire
    leased = {
        "escalate_deadlines", "close_expired_reports", "refresh_recent_rollups",
        "send_monthly_digital_reports", "prune_live_events", "offer_waiting_calls",
        "escalate_unacknowledged", "resume_deliveries",
    }
    assert all(jobs[name] for name in leased), jobs
    leases = [lease for lease in jobs.values() if lease]
    assert len(set(leases)) == len(leases)  # one lease per job
