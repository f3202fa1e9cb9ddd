"""Never an approximate place stored or drawn as a precise one (issue 14, citizens 3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.geo.models import LocationPrecision
from opencity.geo.tests.nominatim_fixture import nominatim_fixture  # noqa: F401 — the "nominatim" fixture
from opencity.reports import selectors
from opencity.reports.models import Report

pytestmark = pytest.mark.django_db

STREET = "32 Lê Văn Hưu"


def test_a_pin_is_exact(make_report):
    report = make_report()
    assert report.location_precision == LocationPrecision.EXACT and not report.is_approximate


def test_a_pin_the_form_put_at_a_typed_address_stays_approximate(make_report):
    report = make_report(location_precision="address")
    assert report.location_precision == LocationPrecision.ADDRESS and report.is_approximate


def test_an_unknown_precision_with_a_pin_is_exact(make_report):
    assert make_report(location_precision="bogus").location_precision == LocationPrecision.EXACT


def test_an_address_naming_only_a_ward_is_stored_as_the_ward_not_as_a_pin(make_report, phu_xuan):
    report = make_report(lat=None, lon=None, address="Kiệt 32 Lê Văn Hưu, phường Thuận Lộc")
    assert report.area == phu_xuan
    assert report.location_precision == LocationPrecision.AREA


def test_a_street_address_is_placed_by_the_geocoder(make_report, nominatim, phu_xuan):
    nominatim.add(STREET, STORY_LAT, STORY_LON, "32, Lê Văn Hưu, Phú Xuân, Huế")
    report = make_report(lat=None, lon=None, address=STREET)
    assert (report.lat, report.lon, report.area) == (STORY_LAT, STORY_LON, phu_xuan)
    assert report.location_precision == LocationPrecision.ADDRESS


def test_a_street_address_without_a_geocoder_is_refused_with_a_request_for_a_pin(make_report):
    from opencity.errors import ValidationError

    with pytest.raises(ValidationError) as exc:
        make_report(lat=None, lon=None, address=STREET)
    assert exc.value.code == "address_not_found"


def test_a_geocoder_outage_falls_back_to_the_ward(make_report, nominatim, phu_xuan):
    nominatim.status = 500
    report = make_report(lat=None, lon=None, address="Kiệt 32 Lê Văn Hưu, phường Thuận Lộc")
    assert report.location_precision == LocationPrecision.AREA and report.area == phu_xuan


def test_the_public_map_does_not_draw_a_ward_centre_as_a_pin(client, make_report):
    pinned = make_report()
    typed = make_report(lat=None, lon=None, address="phường Thuận Lộc")
    approx = make_report(location_precision="address")
    for zoom in (16, 11):  # points, and the clusters of a zoomed-out view
        data = client.get(reverse("reports:points"), {"zoom": zoom}).json()
        if data["mode"] == "points":
            ids = {f["properties"]["id"]: f["properties"]["approx"] for f in data["features"]}
            assert ids == {pinned.pk: False, approx.pk: True}
            assert typed.pk not in ids
        else:
            assert sum(f["properties"]["count"] for f in data["features"]) == 2


def test_nearby_ignores_reports_placed_by_their_ward_only(make_report, phu_xuan):
    typed = make_report(lat=None, lon=None, address="phường Thuận Lộc")
    found = selectors.nearby_open(user=None, lat=phu_xuan.lat, lon=phu_xuan.lon, radius_m=50)
    assert typed not in found


def test_the_report_page_says_approximate_place_and_draws_no_pin(client, make_report, phu_xuan):
    typed = make_report(lat=None, lon=None, address="phường Thuận Lộc")
    body = client.get(reverse("reports:detail", args=[typed.pk])).content.decode()
    assert 'data-testid="place-precision"' in body and phu_xuan.name in body
    assert 'data-precision="area"' in body  # map.js draws no pin for it
    pinned = make_report()
    body = client.get(reverse("reports:detail", args=[pinned.pk])).content.decode()
    assert 'data-testid="place-precision"' not in body


def test_the_staff_page_says_approximate_place(client, make_report, operator):
    typed = make_report(lat=None, lon=None, address="phường Thuận Lộc")
    client.force_login(operator)
    body = client.get(reverse("reports:staff_detail", args=[typed.pk])).content.decode()
    assert 'data-testid="place-precision"' in body


def test_address_lookup_gives_a_street_place_to_confirm(client, nominatim, phu_xuan, citizen):
    nominatim.add(STREET, STORY_LAT, STORY_LON, "32, Lê Văn Hưu, Phú Xuân, Huế")
    assert client.get(reverse("reports:address_lookup"), {"q": STREET}).json()["found"] is False  # visitor
    assert nominatim.requests == []  # not a proxy to the geocoder for visitors
    client.force_login(citizen)
    data = client.get(reverse("reports:address_lookup"), {"q": STREET}).json()
    assert data["found"] and data["precision"] == "address"
    assert (data["lat"], data["lon"], data["area_id"]) == (STORY_LAT, STORY_LON, phu_xuan.pk)
    assert data["message"]


def test_address_lookup_without_a_street_gives_the_ward_only(client, phu_xuan):
    data = client.get(reverse("reports:address_lookup"), {"q": "phường Thuận Lộc"}).json()
    assert data["found"] and data["precision"] == "area" and data["area_id"] == phu_xuan.pk
    data = client.get(reverse("reports:address_lookup"), {"q": STREET}).json()
    assert data["found"] is False and data["message"]


def test_address_lookup_rejects_post(client):
    assert client.post(reverse("reports:address_lookup"), {"q": STREET}).status_code == 405


def test_ward_centre_reports_made_before_the_field_are_marked_by_the_migration(make_report, phu_xuan):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("opencity.reports.migrations.0007_report_location_precision")
    typed = make_report(lat=None, lon=None, address="phường Thuận Lộc")
    pinned = make_report()
    Report.objects.update(location_precision=LocationPrecision.EXACT)  # as before the migration
    migration.mark_ward_centres(apps, None)
    typed.refresh_from_db()
    pinned.refresh_from_db()
    assert typed.location_precision == "area" and pinned.location_precision == "exact"
