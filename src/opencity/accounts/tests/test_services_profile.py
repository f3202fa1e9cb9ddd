"""The profile: one's own details, the home ward (chosen or found from a position), and the
location shared for warnings (consent, refused outside the city, erased on request)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opencity.accounts import services
from opencity.accounts.models import Role, User
from opencity.errors import PermissionDeniedError, ValidationError
from opencity.geo.models import Area

from .places import OUTSIDE_LAT, OUTSIDE_LON, point_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def kim_long(db) -> Area:
    return Area.objects.get(name="Phường Kim Long")


@pytest.fixture
def ward_official(db, phu_xuan) -> User:
    return User.objects.create_user("0905000030", "x", full_name="Cán Bộ Phường", role=Role.WARD_OFFICIAL,
                                    home_area=phu_xuan)


def test_a_citizen_updates_name_email_language_and_ward(citizen, phu_xuan):
    services.profile_update(user=citizen, full_name="  Nguyễn Văn Bình ", email="binh@example.vn",
                            preferred_language="en", home_area_id=phu_xuan.pk)
    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.email, citizen.preferred_language, citizen.home_area) == (
        "Nguyễn Văn Bình", "binh@example.vn", "en", phu_xuan)


def test_only_the_fields_given_change(citizen, phu_xuan):
    services.profile_update(user=citizen, home_area_id=phu_xuan.pk)
    services.profile_update(user=citizen, full_name="Tên Mới")
    citizen.refresh_from_db()
    assert citizen.home_area == phu_xuan and citizen.email == "an@example.vn"


def test_the_home_ward_can_be_cleared(citizen, phu_xuan):
    services.profile_update(user=citizen, home_area_id=phu_xuan.pk)
    services.profile_update(user=citizen, home_area_id=None)
    citizen.refresh_from_db()
    assert citizen.home_area is None


@pytest.mark.parametrize("kwargs, field", [
    ({"full_name": "  "}, "full_name"),
    ({"full_name": "x" * 121}, "full_name"),
    ({"email": "not-an-email"}, "email"),
    ({"preferred_language": "fr"}, "preferred_language"),
    ({"home_area_id": "abc"}, "home_area"),
    ({"home_area_id": 999999}, "home_area"),
])
def test_bad_input_is_refused_with_its_field(citizen, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        services.profile_update(user=citizen, **kwargs)
    assert exc.value.field == field


def test_the_city_itself_is_not_a_home_ward(citizen, city):
    with pytest.raises(ValidationError):
        services.profile_update(user=citizen, home_area_id=city.pk)


def test_a_ward_official_cannot_move_their_own_jurisdiction(ward_official, kim_long, phu_xuan):
    with pytest.raises(PermissionDeniedError):
        services.profile_update(user=ward_official, home_area_id=kim_long.pk)
    with pytest.raises(PermissionDeniedError):
        services.home_area_from_point(user=ward_official, lat=point_in(kim_long)[0], lon=point_in(kim_long)[1])
    services.profile_update(user=ward_official, home_area_id=phu_xuan.pk, full_name="Tên Mới")  # unchanged: fine
    ward_official.refresh_from_db()
    assert ward_official.home_area == phu_xuan and ward_official.full_name == "Tên Mới"


def test_the_home_ward_is_found_from_a_position_and_the_position_is_not_kept(citizen, kim_long):
    lat, lon = point_in(kim_long)
    services.home_area_from_point(user=citizen, lat=str(lat), lon=str(lon))
    citizen.refresh_from_db()
    assert citizen.home_area == kim_long
    assert citizen.last_location_lat is None and citizen.last_location_at is None


def test_sharing_a_location_keeps_it_with_its_ward_and_time(citizen, kim_long):
    lat, lon = point_in(kim_long)
    services.location_share(user=citizen, lat=lat, lon=lon)
    citizen.refresh_from_db()
    assert citizen.last_location_area == kim_long
    assert abs(citizen.last_location_lat - lat) < 1e-4 and abs(citizen.last_location_lon - lon) < 1e-4
    assert timezone.now() - citizen.last_location_at < dt.timedelta(seconds=10)
    assert services.location_is_recent(citizen)
    assert citizen.home_area is None  # sharing does not move the home


@pytest.mark.parametrize("lat, lon, code", [
    (OUTSIDE_LAT, OUTSIDE_LON, "outside_city"),
    (21.0285, 105.8542, "outside_city"),  # Hà Nội
    (None, None, "location_required"),
    ("abc", "107.5", "location_required"),
    ("nan", "107.5", "location_invalid"),
    (91, 107.5, "location_invalid"),
])
def test_a_position_outside_the_city_or_unreadable_is_refused_and_nothing_saved(citizen, kim_long, lat, lon, code):
    services.location_share(user=citizen, lat=point_in(kim_long)[0], lon=point_in(kim_long)[1])
    before = User.objects.filter(pk=citizen.pk).values(
        "last_location_lat", "last_location_lon", "last_location_area", "last_location_at", "home_area").get()
    for call in (services.location_share, services.home_area_from_point):
        with pytest.raises(ValidationError) as exc:
            call(user=citizen, lat=lat, lon=lon)
        assert exc.value.code == code
    after = User.objects.filter(pk=citizen.pk).values(
        "last_location_lat", "last_location_lon", "last_location_area", "last_location_at", "home_area").get()
    assert after == before


def test_clearing_erases_every_trace_of_the_location(citizen, kim_long):
    services.location_share(user=citizen, lat=point_in(kim_long)[0], lon=point_in(kim_long)[1])
    services.location_clear(user=citizen)
    row = User.objects.filter(pk=citizen.pk).values(
        "last_location_lat", "last_location_lon", "last_location_area", "last_location_at").get()
    assert set(row.values()) == {None}
    assert not services.location_is_recent(citizen)


def test_a_location_stops_counting_after_the_configured_hours(citizen, kim_long, settings):
    settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS = 72
    lat, lon = point_in(kim_long)
    services.location_share(user=citizen, lat=lat, lon=lon, at=timezone.now() - dt.timedelta(hours=71))
    assert services.location_is_recent(citizen)
    services.location_share(user=citizen, lat=lat, lon=lon, at=timezone.now() - dt.timedelta(hours=73))
    assert not services.location_is_recent(citizen)
    settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS = 100
    assert services.location_is_recent(citizen)


def test_an_inactive_account_cannot_change_its_profile(citizen, kim_long):
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    citizen.refresh_from_db()
    with pytest.raises(PermissionDeniedError):
        services.profile_update(user=citizen, full_name="X")
    with pytest.raises(PermissionDeniedError):
        services.location_share(user=citizen, lat=point_in(kim_long)[0], lon=point_in(kim_long)[1])
