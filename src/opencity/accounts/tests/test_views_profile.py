"""The profile page /accounts/profile/: who may open it, each action, and errors shown on the
page (in Vietnamese by default) with a 4xx, never a 500."""

from __future__ import annotations

import re

import pytest
from django.templatetags.static import static
from django.test import Client

from opencity.accounts.models import Role, User
from opencity.geo.models import Area

from .places import OUTSIDE_LAT, OUTSIDE_LON, point_in

pytestmark = pytest.mark.django_db
URL = "/accounts/profile/"


@pytest.fixture
def kim_long(db) -> Area:
    return Area.objects.get(name="Phường Kim Long")


@pytest.fixture
def as_citizen(citizen) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(citizen)
    return client


def _details(**overrides) -> dict:
    data = {"action": "profile", "full_name": "Nguyễn Văn An", "email": "an@example.vn",
            "preferred_language": "vi"}
    data.update(overrides)
    return data


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(URL, _details()).status_code == 302


def test_it_rejects_other_methods(as_citizen):
    assert as_citizen.put(URL).status_code == 405
    assert as_citizen.delete(URL).status_code == 405


def test_the_page_lists_the_citys_wards_and_the_privacy_note(as_citizen):
    response = as_citizen.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'<option value="\d+"', html)) == 40  # the wards and communes of Huế
    assert "91/2025/QH15" in html and "data-location-switch" in html
    assert static("opencity/profile.js") in html


def test_the_account_menu_links_to_the_profile(as_citizen):
    assert 'href="/accounts/profile/"' in as_citizen.get("/").content.decode()


def test_the_warnings_page_asks_to_set_the_ward(as_citizen):
    html = as_citizen.get("/warnings/").content.decode()
    assert "Set your ward to receive warnings" in html and 'href="/accounts/profile/"' in html


def test_a_citizen_saves_their_details(as_citizen, citizen):
    response = as_citizen.post(URL, _details(full_name="Nguyễn Văn Bình", preferred_language="en"))
    assert response.status_code == 302 and response["Location"] == URL
    assert response.cookies["django_language"].value == "en"
    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.preferred_language, citizen.email) == ("Nguyễn Văn Bình", "en", "an@example.vn")
    assert "Your profile was saved." in as_citizen.get(URL).content.decode()


def test_a_citizen_chooses_and_removes_the_home_ward(as_citizen, citizen, kim_long):
    response = as_citizen.post(URL, {"action": "home_area", "home_area": kim_long.pk}, follow=True)
    assert "Your home ward is now Phường Kim Long." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.home_area == kim_long
    response = as_citizen.post(URL, {"action": "home_area", "home_area": ""}, follow=True)
    assert "Your home ward was removed." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.home_area is None


def test_bad_details_come_back_with_400_and_the_message(as_citizen, citizen):
    response = as_citizen.post(URL, _details(full_name="", email="nope"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html and "Enter a valid email address." in html
    citizen.refresh_from_db()
    assert citizen.full_name == "Nguyễn Văn An"


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_a_ward_not_of_the_city_is_400(as_citizen, citizen, city, value):
    for bad in (value, str(city.pk)):
        response = as_citizen.post(URL, {"action": "home_area", "home_area": bad})
        assert response.status_code == 400
        assert "Select a valid choice." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.home_area is None


def test_errors_are_in_vietnamese_by_default(citizen):
    client = Client()
    client.force_login(citizen)
    response = client.post(URL, _details(full_name=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="vi">' in html and "Vui lòng nhập thông tin này." in html


def test_the_ward_is_found_from_the_devices_position(as_citizen, citizen, kim_long):
    lat, lon = point_in(kim_long)
    response = as_citizen.post(URL, {"action": "home_from_point", "lat": lat, "lon": lon}, follow=True)
    assert response.status_code == 200
    assert "Your home ward is now Phường Kim Long." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.home_area == kim_long and citizen.last_location_at is None


def test_sharing_and_erasing_the_location(as_citizen, citizen, kim_long):
    lat, lon = point_in(kim_long)
    response = as_citizen.post(URL, {"action": "share_location", "lat": lat, "lon": lon}, follow=True)
    html = response.content.decode()
    assert "Location shared: you receive the warnings for Phường Kim Long." in html
    assert 'data-testid="clear-location"' in html and "checked" in html
    citizen.refresh_from_db()
    assert citizen.last_location_area == kim_long
    response = as_citizen.post(URL, {"action": "clear_location"}, follow=True)
    assert "Your shared location was erased." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.last_location_area is None and citizen.last_location_lat is None


@pytest.mark.parametrize("data", [
    {"action": "share_location", "lat": OUTSIDE_LAT, "lon": OUTSIDE_LON},
    {"action": "share_location"},
    {"action": "share_location", "lat": "x", "lon": "y"},
    {"action": "something-else"},
])
def test_bad_positions_and_actions_are_400_and_save_nothing(as_citizen, citizen, data):
    response = as_citizen.post(URL, data)
    assert response.status_code == 400
    assert 'data-testid="location-error"' in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.last_location_at is None and citizen.home_area is None


def test_finding_the_ward_outside_the_city_is_400_in_the_home_ward_card(as_citizen, citizen):
    response = as_citizen.post(URL, {"action": "home_from_point", "lat": OUTSIDE_LAT, "lon": OUTSIDE_LON})
    assert response.status_code == 400
    assert "This position is outside the city: nothing was saved." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.last_location_at is None and citizen.home_area is None


def test_a_post_changes_only_ones_own_profile(as_citizen, citizen, citizen2, kim_long):
    as_citizen.post(URL, {**_details(full_name="Đổi Tên"), "user": citizen2.pk, "pk": citizen2.pk})
    as_citizen.post(URL, {"action": "home_area", "home_area": kim_long.pk, "user": citizen2.pk})
    citizen2.refresh_from_db()
    assert citizen2.full_name == "Trần Thị Bình" and citizen2.home_area is None
    lat, lon = point_in(kim_long)
    as_citizen.post(URL, {"action": "share_location", "lat": lat, "lon": lon, "user": citizen2.pk})
    citizen2.refresh_from_db()
    assert citizen2.last_location_at is None


def test_a_ward_officials_ward_is_shown_but_not_editable(phu_xuan, kim_long):
    official = User.objects.create_user("0905000030", "x", full_name="Cán Bộ Phường", role=Role.WARD_OFFICIAL,
                                        home_area=phu_xuan)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(official)
    html = client.get(URL).content.decode()
    assert "an administrator sets it" in html and 'data-testid="home-from-location"' not in html
    response = client.post(URL, {"action": "home_area", "home_area": kim_long.pk})
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.home_area == phu_xuan  # a disabled field keeps its value
    response = client.post(URL, {"action": "home_from_point", "lat": point_in(kim_long)[0],
                                 "lon": point_in(kim_long)[1]})
    assert response.status_code == 403
    official.refresh_from_db()
    assert official.home_area == phu_xuan


def test_an_administrator_sees_the_shared_location(admin_user, citizen, kim_long):
    from opencity.accounts import services

    services.location_share(user=citizen, lat=point_in(kim_long)[0], lon=point_in(kim_long)[1])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_user)
    response = client.get(f"/admin/accounts/user/{citizen.pk}/change/")
    assert response.status_code == 200
    assert "Location shared for warnings" in response.content.decode()
