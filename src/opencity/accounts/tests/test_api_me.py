"""The mobile client's profile endpoints: GET/PATCH /api/v1/auth/me, POST and DELETE
/api/v1/auth/me/location, POST /api/v1/auth/me/home-area/from-location."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from opencity.accounts.models import Role, User
from opencity.accounts.services import api_token_issue
from opencity.geo.models import Area

from .places import OUTSIDE_LAT, OUTSIDE_LON, point_in
from .test_api_auth import assert_error, auth

pytestmark = pytest.mark.django_db
ME = "/api/v1/auth/me"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kim_long(db) -> Area:
    return Area.objects.get(name="Phường Kim Long")


@pytest.fixture
def api(citizen) -> tuple[Client, dict]:
    return Client(HTTP_ACCEPT_LANGUAGE="en"), auth(api_token_issue(user=citizen))


def _send(client, method: str, url: str, data, headers):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json", **headers)


def test_me_describes_the_signed_in_person(api, citizen):
    client, headers = api
    body = client.get(ME, **headers).json()
    assert body["citizen_id"] == citizen.citizen_id and body["phone"] == "+84905000001"
    assert body["home_area"] is None and body["last_location"] is None and body["home_area_editable"] is True


def test_me_needs_credentials(client):
    assert_error(client.get(ME), 401, "unauthenticated")
    assert_error(client.post(f"{ME}/location", "{}", content_type="application/json"), 401, "unauthenticated")


def test_me_rejects_other_methods(api):
    client, headers = api
    assert client.post(ME, "{}", content_type="application/json", **headers).status_code == 405
    assert client.get(f"{ME}/location", **headers).status_code == 405


def test_patch_changes_only_what_is_sent(api, citizen, kim_long):
    client, headers = api
    response = _send(client, "patch", ME, {"home_area_id": kim_long.pk, "preferred_language": "en"}, headers)
    assert response.status_code == 200, response.content
    assert response.json()["home_area"] == {"id": kim_long.pk, "code": kim_long.code, "name": "Phường Kim Long"}
    citizen.refresh_from_db()
    assert citizen.home_area == kim_long and citizen.preferred_language == "en" and citizen.email == "an@example.vn"
    response = _send(client, "patch", ME, {"home_area_id": None}, headers)
    assert response.json()["home_area"] is None


@pytest.mark.parametrize("data, status, code, field", [
    ({"home_area_id": 999999}, 400, "area_invalid", "home_area"),
    ({"full_name": " "}, 400, "required", "full_name"),
    ({"email": "nope"}, 400, "invalid", "email"),
    ({"preferred_language": "fr"}, 400, "invalid", "preferred_language"),
    ({"home_area_id": "Kim Long"}, 422, "invalid", "home_area_id"),
])
def test_patch_refuses_bad_input_with_the_error_shape(api, data, status, code, field):
    client, headers = api
    assert_error(_send(client, "patch", ME, data, headers), status, code, field)


def test_a_ward_official_cannot_change_their_ward(phu_xuan, kim_long):
    official = User.objects.create_user("0905000030", "x", full_name="Cán Bộ", role=Role.WARD_OFFICIAL,
                                        home_area=phu_xuan)
    client, headers = Client(HTTP_ACCEPT_LANGUAGE="en"), auth(api_token_issue(user=official, second_factor=True))
    assert client.get(ME, **headers).json()["home_area_editable"] is False
    assert_error(_send(client, "patch", ME, {"home_area_id": kim_long.pk}, headers), 403, "home_area_locked",
                 "home_area")
    official.refresh_from_db()
    assert official.home_area == phu_xuan


def test_sharing_and_erasing_the_location(api, citizen, kim_long):
    client, headers = api
    lat, lon = point_in(kim_long)
    response = _send(client, "post", f"{ME}/location", {"lat": lat, "lon": lon}, headers)
    assert response.status_code == 200, response.content
    location = response.json()["last_location"]
    assert location["area"]["name"] == "Phường Kim Long" and location["recent"] is True
    assert abs(location["lat"] - lat) < 1e-4
    response = client.delete(f"{ME}/location", **headers)
    assert response.status_code == 204
    citizen.refresh_from_db()
    assert citizen.last_location_at is None and citizen.last_location_area is None
    assert client.get(ME, **headers).json()["last_location"] is None


def test_a_position_outside_the_city_is_400_and_nothing_is_saved(api, citizen):
    client, headers = api
    for url in (f"{ME}/location", f"{ME}/home-area/from-location"):
        assert_error(_send(client, "post", url, {"lat": OUTSIDE_LAT, "lon": OUTSIDE_LON}, headers), 400,
                     "outside_city", "lat")
    assert_error(_send(client, "post", f"{ME}/location", {"lat": 95, "lon": 107}, headers), 422, "invalid", "lat")
    assert_error(_send(client, "post", f"{ME}/location", {"lat": 16.4}, headers), 422, "required", "lon")
    citizen.refresh_from_db()
    assert citizen.last_location_at is None and citizen.home_area is None


def test_the_home_ward_from_a_position(api, citizen, kim_long):
    client, headers = api
    lat, lon = point_in(kim_long)
    response = _send(client, "post", f"{ME}/home-area/from-location", {"lat": lat, "lon": lon}, headers)
    assert response.status_code == 200 and response.json()["home_area"]["name"] == "Phường Kim Long"
    assert response.json()["last_location"] is None


def test_each_person_changes_only_their_own(api, citizen2, kim_long):
    client, headers = api
    lat, lon = point_in(kim_long)
    _send(client, "post", f"{ME}/location", {"lat": lat, "lon": lon, "user_id": citizen2.pk}, headers)
    _send(client, "patch", ME, {"home_area_id": kim_long.pk, "id": citizen2.pk}, headers)
    citizen2.refresh_from_db()
    assert citizen2.last_location_at is None and citizen2.home_area is None


def test_the_session_needs_the_csrf_token(citizen, kim_long):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(citizen)
    lat, lon = point_in(kim_long)
    assert_error(_send(client, "post", f"{ME}/location", {"lat": lat, "lon": lon}, {}), 403, "csrf_failed")


def test_the_openapi_document_describes_the_profile(client):
    doc = client.get("/api/openapi.json").json()
    assert {"get", "patch"} <= set(doc["paths"]["/api/v1/auth/me"])
    assert {"post", "delete"} <= set(doc["paths"]["/api/v1/auth/me/location"])
    assert "outside_city" in doc["paths"]["/api/v1/auth/me/location"]["post"]["description"]
