"""The pluggable geocoder (issue 14): off by default, bounded to the city, cached, and never
raising to the person — against a local fake Nominatim (no network)."""

from __future__ import annotations

import pytest

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.geo import geocode

from .nominatim_fixture import nominatim_fixture  # noqa: F401 — the "nominatim" fixture

pytestmark = pytest.mark.django_db

LE_LOI = (16.4669, 107.5888)  # đường Lê Lợi, Huế (phường Thuận Hóa)


def test_it_is_off_unless_configured(settings):
    settings.OPENCITY_GEOCODER = "none"
    assert geocode.enabled() is False
    assert geocode.geocode("32 Lê Văn Hưu") is None


def test_it_places_a_street_address_inside_the_city(nominatim, phu_xuan):
    nominatim.add("32 Lê Văn Hưu", STORY_LAT, STORY_LON, "32, Lê Văn Hưu, Phú Xuân, Huế")
    place = geocode.geocode("  32   Lê Văn Hưu ")
    assert place is not None
    assert (place.lat, place.lon) == (STORY_LAT, STORY_LON)
    assert place.area == phu_xuan and "Lê Văn Hưu" in place.label


def test_the_search_is_bounded_to_the_city_and_names_us(nominatim, city):
    nominatim.add("Lê Lợi", *LE_LOI, "Lê Lợi, Thuận Hóa, Huế")
    assert geocode.geocode("Lê Lợi") is not None
    asked = nominatim.requests[0]
    assert asked["path"] == "/search"
    params = asked["params"]
    assert params["bounded"] == "1" and params["countrycodes"] == "vn"
    west, south, east, north = (float(x) for x in params["viewbox"].split(","))
    assert (south, west, north, east) == pytest.approx((city.min_lat, city.min_lon, city.max_lat, city.max_lon))
    assert asked["headers"]["User-Agent"] == "OpenCity tests"


def test_a_result_outside_the_city_is_not_a_place(nominatim):
    nominatim.add("Lê Lợi", 21.0285, 105.8542, "Lê Lợi, Hoàn Kiếm, Hà Nội")  # a service that ignores bounded
    assert geocode.geocode("Lê Lợi") is None


@pytest.mark.parametrize("trouble", ["status", "delay", "body"])
def test_an_outage_is_not_found_and_is_not_cached(nominatim, trouble):
    nominatim.add("Lê Lợi", *LE_LOI, "Lê Lợi, Huế")
    if trouble == "status":
        nominatim.status = 503
    elif trouble == "delay":
        nominatim.delay = 1.5  # past the 1 s timeout
    else:
        nominatim.body = b"<html>not json"
    assert geocode.geocode("Lê Lợi") is None  # no exception reaches the person
    nominatim.status, nominatim.delay, nominatim.body = 200, 0.0, None
    assert geocode.geocode("Lê Lợi") is not None  # asked again: the outage was not remembered


def test_a_service_that_cannot_be_reached_is_not_found(settings):
    settings.OPENCITY_GEOCODER = "nominatim"
    settings.OPENCITY_GEOCODER_URL = "http://127.0.0.1:9"  # discard port: connection refused
    settings.OPENCITY_GEOCODER_TIMEOUT = 1.0
    assert geocode.geocode("Lê Lợi") is None


def test_answers_are_cached_found_or_not(nominatim):
    nominatim.add("Lê Lợi", *LE_LOI, "Lê Lợi, Huế")
    assert geocode.geocode("Lê Lợi") == geocode.geocode("lê lợi")
    assert geocode.geocode("Nowhere street") is None
    assert geocode.geocode("Nowhere street") is None
    assert len(nominatim.requests) == 2


def test_a_city_service_under_a_path_is_asked_there(nominatim, settings):
    settings.OPENCITY_GEOCODER_URL = nominatim.url + "/nominatim/"
    geocode.geocode("Lê Lợi")
    assert nominatim.requests[0]["path"] == "/nominatim/search"
