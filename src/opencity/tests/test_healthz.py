"""/healthz: liveness, and readiness once the address tables are loaded."""

from __future__ import annotations

import pytest

from opencity.geo import apps


@pytest.mark.django_db
def test_healthz_is_ok_and_says_when_the_process_is_warm(client, monkeypatch):
    assert client.get("/healthz").json() == {"ok": True, "warm": True}  # nothing to warm up
    monkeypatch.setenv("OPENCITY_WARM_ADDRESSES", "True")
    monkeypatch.setattr(apps, "_warm", type(apps._warm)())  # a process still loading
    assert client.get("/healthz").json() == {"ok": True, "warm": False}
    apps._warm.set()
    assert client.get("/healthz").json()["warm"] is True
