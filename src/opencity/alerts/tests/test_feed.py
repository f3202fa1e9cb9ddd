"""A warning issued, updated or cancelled is published to the console feed (lib.feed)."""

from __future__ import annotations

import pytest

from opencity.alerts import services

from .conftest import content

pytestmark = pytest.mark.django_db



def test_issue_update_and_cancel_reach_the_feed(published, publish, operator, thuan_an):
    message = publish()
    alert = message.alert
    services.alert_update(actor=operator, alert_id=alert.pk, **content(area_ids=[thuan_an.pk]))
    services.alert_cancel(actor=operator, alert_id=alert.pk, note="Nước đã rút")
    alerts = [h for h in published if h.subject == "alert"]
    assert [h.kind for h in alerts] == ["alert.alert", "alert.update", "alert.cancel"]
    assert {h.subject_id for h in alerts} == {alert.pk} and alerts[0].ref == alert.ref
    assert alerts[0].area_id is None and alerts[0].payload["areas"] == 2  # two wards: city-level row
    assert alerts[1].area_id == thuan_an.pk  # one ward: that ward's row
    assert alerts[2].severity == "warning"
