"""The station pages (staff: the map, its GeoJSON, a station's charts by range) and the public
water-levels and air-quality pages (never a camera, a vessel or a network sensor)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opencity.monitoring.models import Datastream, ObservedProperty, Station, StationKind
from opencity.monitoring.services import observations_ingest

pytestmark = pytest.mark.django_db


def feed(stream, source, start, values, step=10):
    rows = [{"datastream": stream.code, "time": (start + dt.timedelta(minutes=step * i)).isoformat(), "value": v}
            for i, v in enumerate(values)]
    return observations_ingest(rows=rows, source=source)


@pytest.fixture
def risen(flood_rule, level_stream, hydro_source, t0):
    """Kim Long above BĐ2 (an open warning event)."""
    feed(level_stream, hydro_source, t0, [0.8, 1.4, 2.2, 2.4])
    return level_stream


@pytest.fixture
def camera_stream(camera):
    prop, _ = ObservedProperty.objects.get_or_create(
        code="vehicle_count", defaults={"name": "Lưu lượng xe", "name_en": "Vehicles", "unit": "xe",
                                        "min_value": 0, "max_value": 100000, "decimals": 0})
    return Datastream.objects.create(code="cam-le-loi-count", station=camera, observed_property=prop)


def test_the_station_map_lists_stations_with_their_worst_open_event(client, operator, risen, camera):
    client.force_login(operator)
    response = client.get(reverse("monitoring:stations"))
    assert response.status_code == 200
    rows = {row.station.code: row for row in response.context["rows"]}
    assert rows["kim-long"].worst == "warning" and rows["kim-long"].open_events == 1
    assert rows["cam-le-loi"].worst == ""  # operators see private stations too
    gj = client.get(reverse("monitoring:stations_json")).json()
    kim_long = next(f for f in gj["features"] if f["properties"]["code"] == "kim-long")
    assert kim_long["properties"]["worst"] == "warning"
    assert kim_long["geometry"]["coordinates"] == [107.5630, 16.4647]
    only_open = client.get(reverse("monitoring:stations_json"), {"open": "1"}).json()
    assert [f["properties"]["code"] for f in only_open["features"]] == ["kim-long"]


def test_a_ward_official_sees_public_stations_only(client, ward_official, risen, camera):
    client.force_login(ward_official)
    codes = [row.station.code for row in client.get(reverse("monitoring:stations")).context["rows"]]
    assert codes == ["kim-long"]
    assert client.get(reverse("monitoring:station", args=["cam-le-loi"])).status_code == 404


@pytest.mark.parametrize("who", ["citizen", "officer"])
def test_staff_station_pages_refuse_others(client, request, risen, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("monitoring:stations")).status_code == 403
    assert client.get(reverse("monitoring:stations_json")).status_code == 403
    assert client.get(reverse("monitoring:station", args=["kim-long"])).status_code == 403


def test_a_visitor_is_sent_to_sign_in_from_the_station_pages(client, risen):
    response = client.get(reverse("monitoring:stations"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_station_chart_draws_the_levels_and_switches_range(client, operator, risen, hydro_source):
    month_ago = (timezone.now() - dt.timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    feed(risen, hydro_source, month_ago, [0.4, 0.6])  # same hour: one roll-up of mean 0.5
    client.force_login(operator)
    day = client.get(reverse("monitoring:station", args=["kim-long"]))
    data = day.context["chart_data"]["kim-long-h"]
    assert [lv["code"] for lv in data["levels"]] == ["BD1", "BD2", "BD3"]
    assert [lv["value"] for lv in data["levels"]] == [1.0, 2.0, 3.5]
    assert [p[1] for p in data["points"]] == [0.8, 1.4, 2.2, 2.4] and not data["hourly"]
    month = client.get(reverse("monitoring:station", args=["kim-long"]), {"range": "30d"})
    data = month.context["chart_data"]["kim-long-h"]
    assert data["hourly"]
    assert data["points"][0] == [int(month_ago.timestamp() * 1000), pytest.approx(0.5)]
    assert month.context["range"] == "30d"
    assert client.get(reverse("monitoring:station", args=["kim-long"]), {"range": "1y"}).context["range"] == "24h"


def test_an_unknown_station_is_a_404(client, operator):
    client.force_login(operator)
    assert client.get(reverse("monitoring:station", args=["nowhere"])).status_code == 404


def test_the_water_levels_page_is_public_and_says_the_level_reached(client, risen, camera_stream, camera):
    response = client.get(reverse("monitoring_public:water_levels"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kim Long" in body and "2,40 m" in body
    assert "Báo động II" in body  # the level reached
    assert camera.name not in body and "cam-le-loi" not in body
    assert "kim-long-h" in response.context["chart_data"]


def test_the_public_pages_never_show_a_camera_even_marked_public(client, risen, camera):
    camera.is_public = True
    camera.save()
    Station.objects.create(code="ship-1", name="Tàu TTH-90001", kind=StationKind.VESSEL, source=camera.source,
                           is_public=True)
    for name in ("water_levels", "air_quality"):
        body = client.get(reverse(f"monitoring_public:{name}")).content.decode()
        assert camera.name not in body and "TTH-90001" not in body


def test_the_air_quality_page_lists_air_stations_only(client, hydro_source, risen):
    air = Station.objects.create(code="air-hue", name="Trạm quan trắc không khí Huế", kind=StationKind.AIR,
                                 source=hydro_source, lat=16.46, lon=107.59)
    body = client.get(reverse("monitoring_public:air_quality")).content.decode()
    assert air.name in body and "Kim Long" not in body


def test_public_pages_refuse_post(client):
    assert client.post(reverse("monitoring_public:water_levels")).status_code == 405
    assert client.post(reverse("monitoring_public:air_quality")).status_code == 405


def test_station_pages_refuse_post(client, operator, risen):
    client.force_login(operator)
    assert client.post(reverse("monitoring:stations")).status_code == 405
    assert client.post(reverse("monitoring:station", args=["kim-long"])).status_code == 405


def test_navigation_offers_monitoring_to_those_who_may(client, operator, citizen):
    client.force_login(operator)
    assert 'data-testid="nav-monitoring"' in client.get(reverse("home")).content.decode()
    client.force_login(citizen)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-monitoring"' not in body
    assert reverse("monitoring_public:water_levels") in body  # the footer's public links


def test_a_months_rainfall_chart_adds_up_each_hour(client, operator, rain_stream, hydro_source):
    hour = (timezone.now() - dt.timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    feed(rain_stream, hydro_source, hour, [2.5, 4.0, 1.5])  # three readings in one hour: 8 mm
    client.force_login(operator)
    month = client.get(reverse("monitoring:station", args=["kim-long"]), {"range": "30d"})
    data = month.context["chart_data"]["kim-long-rain"]
    assert data["cumulative"] and data["points"] == [[int(hour.timestamp() * 1000), pytest.approx(8.0)]]


@pytest.mark.django_db
def test_a_reservoirs_flows_are_figures_and_its_level_a_chart(client, hydro_source):
    dam = Station.objects.create(code="binh-dien", name="Hồ Bình Điền", kind=StationKind.DAM, source=hydro_source)
    for suffix, prop in (("h", "reservoir_level"), ("q-in", "inflow"), ("q-out", "discharge")):
        Datastream.objects.create(code=f"binh-dien-{suffix}", station=dam,
                                  observed_property=ObservedProperty.objects.get(code=prop))
    page = client.get(reverse("monitoring_public:water_levels"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-key="binh-dien-h"' in body
    assert 'data-key="binh-dien-q-in"' not in body and 'data-key="binh-dien-q-out"' not in body
    assert "Lưu lượng đến hồ" in body and "Lưu lượng xả" in body
