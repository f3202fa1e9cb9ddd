"""lib.cache.cached: computed once, shared, refreshed by one caller while the others keep the
older value."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache

from opencity.lib.cache import cached


class Counter:
    def __init__(self, started: threading.Event | None = None, release: threading.Event | None = None):
        self.calls = 0
        self.started, self.release = started, release

    def __call__(self):
        self.calls += 1
        if self.started:
            self.started.set()
            self.release.wait(10)
        return self.calls


def test_a_fresh_value_is_computed_once():
    compute = Counter()
    assert [cached("k", compute, fresh=60) for _ in range(5)] == [1] * 5
    assert compute.calls == 1


def test_without_a_fresh_time_it_is_computed_every_time():
    compute = Counter()
    assert [cached("k", compute, fresh=0) for _ in range(3)] == [1, 2, 3]


def test_an_old_value_is_refreshed_by_one_caller_while_the_others_keep_it(monkeypatch):
    compute = Counter()
    assert cached("k", compute, fresh=1) == 1
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 5)  # 5 s later: older than fresh
    started, release = threading.Event(), threading.Event()
    slow = Counter(started, release)
    slow.calls = 1
    results = {}
    refresher = threading.Thread(target=lambda: results.update(refresher=cached("k", slow, fresh=1)))
    refresher.start()
    assert started.wait(10)
    # While the refresh runs, another caller gets the older value at once.
    assert cached("k", slow, fresh=1) == 1 and slow.calls == 2
    release.set()
    refresher.join(10)
    assert results["refresher"] == 2
    assert cached("k", slow, fresh=1) == 2 and slow.calls == 2  # the new value, fresh again


def test_a_refresh_that_fails_lets_the_next_caller_try(monkeypatch):
    assert cached("k", lambda: "old", fresh=1) == "old"
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 5)

    def broken():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        cached("k", broken, fresh=1)
    assert cache.get("k:refresh") is None
    assert cached("k", lambda: "new", fresh=1) == "new"


def test_an_unreachable_cache_costs_time_not_the_page(monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(cache, "get", down)
    compute = Counter()
    assert [cached("k", compute, fresh=60) for _ in range(2)] == [1, 2]
    assert "cache unreachable" in caplog.text


def test_a_value_that_cannot_be_kept_is_still_computed_once(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is loading the dataset in memory")

    monkeypatch.setattr(cache, "set", down)
    compute = Counter()
    assert cached("k", compute, fresh=60) == 1 and compute.calls == 1
