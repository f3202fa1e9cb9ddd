"""The areas API: the wards, and point/address → ward."""

from __future__ import annotations

import pytest
from django.test import Client

from opencity.accounts.services import api_token_issue
from opencity.conftest import STORY_LAT, STORY_LON
from opencity.geo import selectors

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code and body["error"]["message"]
    assert body["error"]["field"] == field
    return body["error"]


def test_areas_lists_every_ward_of_the_city(client, phu_xuan):
    response = client.get("/api/v1/areas")
    assert response.status_code == 200
    areas = response.json()
    assert len(areas) == selectors.wards().count() > 30
    [px] = [a for a in areas if a["id"] == phu_xuan.pk]
    assert px == {
        "id": phu_xuan.pk,
        "code": phu_xuan.code,
        "name": "Phường Phú Xuân",
        "kind": phu_xuan.kind,
        "lat": phu_xuan.lat,
        "lon": phu_xuan.lon,
    }
    assert all(a["kind"] != "city" for a in areas)


def test_areas_work_with_a_token_and_a_session(citizen):
    token = api_token_issue(user=citizen)
    assert Client().get("/api/v1/areas", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    client = Client()
    client.force_login(citizen)
    assert client.get("/api/v1/areas").status_code == 200


def test_areas_refuse_a_wrong_token(client):
    assert_error(
        client.get("/api/v1/areas", HTTP_AUTHORIZATION="Bearer wrong"), 401, "invalid_token"
    )


def test_areas_reject_post(client):
    assert client.post("/api/v1/areas").status_code == 405


def test_lookup_a_point(client, phu_xuan):
    response = client.get(f"/api/v1/areas/lookup?lat={STORY_LAT}&lon={STORY_LON}")
    assert response.status_code == 200
    assert response.json()["id"] == phu_xuan.pk


def test_lookup_a_point_outside_the_city_is_404(client):
    response = client.get("/api/v1/areas/lookup?lat=21.0285&lon=105.8542")
    assert_error(response, 404, "outside_city", "location")


def test_lookup_speaks_english_on_request(client):
    response = client.get(
        "/api/v1/areas/lookup?lat=21.0285&lon=105.8542", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["error"]["message"] == "This place is outside the city."


def test_lookup_an_old_address(client, phu_xuan):
    """The seeds' address names a pre-2025 ward (Thuận Lộc), today part of Phú Xuân."""
    response = client.get(
        "/api/v1/areas/lookup", {"address": "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc"}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Phường Phú Xuân"


def test_lookup_a_new_ward_name(client, thuan_hoa):
    response = client.get("/api/v1/areas/lookup", {"address": "Phường Thuận Hóa"})
    assert response.json()["id"] == thuan_hoa.pk


def test_lookup_an_unknown_address_is_404(client):
    response = client.get("/api/v1/areas/lookup", {"address": "Không có ở đâu cả, Sao Hỏa"})
    assert_error(response, 404, "address_not_found", "address")


def test_lookup_needs_a_point_or_an_address(client):
    assert_error(client.get("/api/v1/areas/lookup"), 400, "required", "location")
    assert_error(client.get(f"/api/v1/areas/lookup?lat={STORY_LAT}"), 400, "invalid", "lon")


def test_lookup_checks_coordinates_with_a_422(client):
    assert_error(client.get("/api/v1/areas/lookup?lat=200&lon=107"), 422, "invalid", "lat")
    assert_error(client.get("/api/v1/areas/lookup?lat=16.4&lon=east"), 422, "invalid", "lon")


def test_lookup_rejects_post(client):
    assert client.post("/api/v1/areas/lookup").status_code == 405
