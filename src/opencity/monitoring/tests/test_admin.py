"""Monitoring in the admin: a source's key is issued once and verifies; a rule is refused when
its kind's fields are missing; a datastream with observations is not deleted; events are read-only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from opencity.lib.credentials import credential_verify
from opencity.monitoring.models import Datastream, MonitoringEvent, Rule, SourceKey
from opencity.monitoring.services import observations_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_an_admin_issues_a_source_key_shown_once(admin_client, hydro_source):
    response = admin_client.post("/admin/monitoring/sourcekey/add/", {"source": hydro_source.pk, "name": "gateway"},
                                 follow=True)
    assert response.status_code == 200
    text = " ".join(str(m) for m in response.context["messages"])
    key = SourceKey.objects.get()
    (raw,) = set(re.findall(r"[A-Za-z0-9_\-]{40,}", text))
    assert credential_verify(SourceKey, raw) == key
    assert raw.encode() not in admin_client.get(f"/admin/monitoring/sourcekey/{key.pk}/change/").content


def test_a_rule_without_its_window_is_refused(admin_client, level_stream):
    response = admin_client.post("/admin/monitoring/rule/add/", {
        "name": "Lên nhanh", "kind": "rate_of_rise", "is_active": "on", "severity": "warning",
        "datastream": level_stream.pk, "direction": "above", "hysteresis": "0", "limit": "0.5",
        "levels-TOTAL_FORMS": "0", "levels-INITIAL_FORMS": "0"})
    assert response.status_code == 200 and "window_minutes" in response.context["adminform"].form.errors
    assert not Rule.objects.exists()


def test_a_datastream_with_observations_cannot_be_deleted(admin_client, level_stream, hydro_source, t0):
    assert admin_client.get(f"/admin/monitoring/datastream/{level_stream.pk}/delete/").status_code == 200  # no reading yet
    observations_ingest(rows=[{"datastream": level_stream.code, "time": t0.isoformat(), "value": 0.5}],
                        source=hydro_source)
    assert admin_client.post(f"/admin/monitoring/datastream/{level_stream.pk}/delete/",
                             {"post": "yes"}).status_code == 403
    assert Datastream.objects.filter(pk=level_stream.pk).exists()


def test_events_are_read_only_with_their_steps(admin_client, flood_rule, level_stream, hydro_source, t0):
    observations_ingest(rows=[{"datastream": level_stream.code, "time": (t0 + dt.timedelta(minutes=i)).isoformat(),
                               "value": v} for i, v in enumerate([0.5, 1.5])], source=hydro_source)
    event = MonitoringEvent.objects.get()
    page = admin_client.get(f"/admin/monitoring/monitoringevent/{event.pk}/change/")
    assert page.status_code == 200 and "raise" in page.content.decode()
    assert admin_client.get("/admin/monitoring/monitoringevent/add/").status_code == 403
    for model in ("source", "station", "observedproperty", "datastream", "rule", "monitoringevent", "sourcekey"):
        assert admin_client.get(f"/admin/monitoring/{model}/").status_code == 200
