"""The incident map's data: its wards, rescue requests, teams, shelters and assets as GeoJSON —
bounded like the page for a ward's command, and nothing about a person."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.incidents import services
from opencity.incidents.models import Asset, Deployment, Shelter, ShelterStay

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(operator, open_incident, file_sos, team, phu_xuan, thuan_hoa, flood_warning, citizen):
    incident = open_incident()
    services.incident_link(actor=operator, incident_id=incident.pk, kind="alert",
                           target_id=flood_warning(area_ids=[phu_xuan.pk, thuan_hoa.pk]).pk)
    sos = file_sos()
    team.last_lat, team.last_lon = STORY_LAT + 0.01, STORY_LON
    team.save()
    Deployment.objects.create(incident=incident, team=team, area=phu_xuan, status="mobilized")
    shelter = Shelter.objects.create(name="Trường THCS Nguyễn Tri Phương", kind="school", area=thuan_hoa,
                                     address="Thuận Hóa", lat=16.46, lon=107.59, capacity_day=200, capacity_night=120,
                                     incident=incident, is_open=True)
    ShelterStay.objects.create(shelter=shelter, incident=incident, head_name="Nguyễn Văn Bí Mật",
                               phone="+84905999888", people=5)
    Asset.objects.create(kind="boat", name="Xuồng máy", code="TTH-01", incident=incident, lat=16.47, lon=107.58,
                         status="assigned")
    return incident, sos


def _layers(data) -> dict:
    out: dict = {}
    for f in data["features"]:
        out.setdefault(f["properties"]["layer"], []).append(f["properties"])
    return out


def test_the_city_command_sees_every_layer(client, operator, scene, phu_xuan, thuan_hoa):
    incident, sos = scene
    client.force_login(operator)
    response = client.get(reverse("incidents:map_data", args=[incident.pk]))
    data = response.json()
    layers = _layers(data)
    assert response.status_code == 200 and data["wards"] == sorted([phu_xuan.pk, thuan_hoa.pk])
    assert [p["id"] for p in layers["rescue"]] == [sos.pk]
    assert layers["team"][0]["label"] == "Đội cứu hộ số 1"
    from opencity.incidents.services.shelters import capacity_at

    shelter = Shelter.objects.get()
    assert (layers["shelter"][0]["present"], layers["shelter"][0]["capacity"]) == (5, capacity_at(shelter))
    assert layers["asset"][0]["label"] == "Xuồng máy TTH-01"
    assert "Bí Mật" not in response.content.decode() and "905999888" not in response.content.decode()


def test_a_ward_commander_sees_the_part_of_their_ward(client, operator, scene, px_official, phu_xuan):
    incident, _sos = scene
    services.roster_add(actor=operator, incident_id=incident.pk, user_id=px_official.pk, position="commander",
                        area_id=phu_xuan.pk)
    client.force_login(px_official)
    data = client.get(reverse("incidents:map_data", args=[incident.pk])).json()
    layers = _layers(data)
    assert data["wards"] == [phu_xuan.pk] and data["warning_wards"] == []
    assert "shelter" not in layers  # the shelter is in Thuận Hóa
    assert len(layers["rescue"]) == 1 and len(layers["team"]) == 1


def test_others_cannot_read_the_map(client, citizen, scene):
    incident, _sos = scene
    client.force_login(citizen)
    assert client.get(reverse("incidents:map_data", args=[incident.pk])).status_code == 403
