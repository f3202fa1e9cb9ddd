"""``/api/v1/shelters/``: public, the same fields as the public page, never who is there."""

from __future__ import annotations

import pytest

from opencity.incidents import services

from .shelter_cast import *  # noqa: F403 — the shelter fixtures

pytestmark = pytest.mark.django_db


def test_the_open_shelters_without_signing_in(client, opened, manager):
    shelter = opened(capacity_day=120, capacity_night=120)
    services.shelter_check_in(actor=manager, shelter_id=shelter.pk, head_name="Hồ Thị Bí Mật", people=42,
                              phone="0905 777 888")
    response = client.get("/api/v1/shelters/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == shelter.pk and row["occupancy"] == 42 and row["capacity"] == 120 and row["free"] == 78
    assert row["ward"]["name"] == "Phường Phú Xuân" and row["phone"] == "+842343812345" and row["kind"] == "cultural_house"
    assert "Bí Mật" not in response.content.decode() and "777" not in response.content.decode()
    one = client.get(f"/api/v1/shelters/{shelter.pk}")
    assert one.status_code == 200 and one.json() == row
    again = client.get("/api/v1/shelters/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_bearer_token_that_is_wrong_does_not_matter_here(client, opened):
    opened()
    assert client.get("/api/v1/shelters/", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/shelters/987654", "/api/v1/shelters/abc",
                                  "/api/v1/shelters/99999999999999999999999"])
def test_an_unknown_shelter_is_a_404_in_the_error_shape(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_closed_and_exercise_shelters_are_not_listed(client, operator, opened, open_incident):
    closed = opened()
    services.shelter_close(actor=operator, shelter_id=closed.pk)
    drill = opened(incident=open_incident(name="Diễn tập", is_exercise=True), name="Diễn tập sơ tán")
    assert client.get("/api/v1/shelters/").json() == []
    assert client.get(f"/api/v1/shelters/{drill.pk}").status_code == 404


def test_the_operations_are_documented(client):
    schema = client.get("/api/openapi.json").json()
    listing = schema["paths"]["/api/v1/shelters/"]["get"]
    one = schema["paths"]["/api/v1/shelters/{shelter_id}"]["get"]
    assert listing["summary"] and listing["description"] and one["summary"] and one["description"]
    assert listing["tags"] == ["shelters"]
