"""``/api/v1/incidents/{id}/sitreps…``: list, one report within the caller's wards, a counter
written under its version, in OpenAPI."""

from __future__ import annotations

import json

import pytest

from opencity.incidents import services
from opencity.incidents.models import SituationCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(open_incident, operator, px_official, phu_xuan):
    incident = open_incident()
    services.roster_add(actor=operator, incident_id=incident.pk, user_id=px_official.pk, position="commander",
                        area_id=phu_xuan.pk)
    return services.sitrep_start(actor=operator, incident_id=incident.pk)


def _base(report):
    return f"/api/v1/incidents/{report.incident_id}/sitreps"


def _put(client, report, **body):
    return client.put(f"{_base(report)}/{report.number}/counts", data=json.dumps(body),
                      content_type="application/json")


def test_the_list_and_a_report_for_the_city(client, report, operator, phu_xuan, thuan_hoa):
    services.sitrep_set_count(actor=operator, report_id=report.pk, area_id=thuan_hoa.pk, counter="dead", value=2)
    client.force_login(operator)
    listing = client.get(_base(report))
    assert listing.status_code == 200 and listing.json()[0]["number"] == 1 and listing.json()[0]["signed"] is False
    body = client.get(f"{_base(report)}/1").json()
    assert {w["id"] for w in body["wards"]} == {phu_xuan.pk, thuan_hoa.pk} and body["totals"]["dead"] == 2


def test_a_ward_commander_sees_their_ward_and_no_total(client, report, px_official, phu_xuan):
    client.force_login(px_official)
    body = client.get(f"{_base(report)}/1").json()
    assert [w["id"] for w in body["wards"]] == [phu_xuan.pk] and body["totals"] is None
    assert body["wards"][0]["editable"] is True


def test_put_a_count_and_a_stale_one(client, report, px_official, operator, phu_xuan):
    cell = SituationCount.objects.get(report=report, area=phu_xuan, counter="injured")
    client.force_login(px_official)
    ok = _put(client, report, area=phu_xuan.pk, counter="injured", value=5, version=cell.version)
    assert ok.status_code == 200 and ok.json() == {"area": phu_xuan.pk, "counter": "injured", "value": 5,
                                                   "version": cell.version + 1}
    client.force_login(operator)
    stale = _put(client, report, area=phu_xuan.pk, counter="injured", value=8, version=cell.version)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_count"
    assert stale.json()["current"]["value"] == 5
    assert SituationCount.objects.get(pk=cell.pk).value == 5


def test_bad_values_and_other_wards(client, report, px_official, thuan_hoa, phu_xuan, citizen):
    client.force_login(px_official)
    bad = _put(client, report, area=phu_xuan.pk, counter="dead", value=-1)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "value"
    assert _put(client, report, area=phu_xuan.pk, counter="dead", value="nhiều").status_code == 400
    assert _put(client, report, area=thuan_hoa.pk, counter="dead", value=1).status_code == 403
    assert client.get(f"/api/v1/incidents/{report.incident_id}/sitreps/99").status_code == 404
    assert client.post(f"{_base(report)}/1/counts").status_code == 405
    client.force_login(citizen)
    assert client.get(_base(report)).status_code == 403
    client.logout()
    assert client.get(_base(report)).status_code == 401


def test_a_signed_report_refuses_a_count(client, report, leader, operator, phu_xuan):
    services.sitrep_sign(actor=leader, report_id=report.pk)
    client.force_login(operator)
    response = _put(client, report, area=phu_xuan.pk, counter="dead", value=1)
    assert response.status_code == 409 and response.json()["error"]["code"] == "sitrep_signed"


def test_the_operations_are_in_openapi(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/incidents/{incident_id}/sitreps" in paths
    assert "put" in paths["/api/v1/incidents/{incident_id}/sitreps/{number}/counts"]
