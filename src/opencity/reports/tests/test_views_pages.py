"""Pages: happy paths, wrong methods, wrong users, and bad input that must give a 4xx."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencity.conftest import PASSWORD, STORY_LAT, STORY_LON
from opencity.reports import refdata, services
from opencity.reports.models import Photo, Report, Status
from opencity.reports.tests.factories import jpeg_upload

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(phone=user.phone, password=PASSWORD)
    return client


def _form(lighting, **extra):
    data = {
        "category": lighting.pk,
        "description": "Điện đường bị hỏng trước số nhà 31/32",
        "lat": str(STORY_LAT),
        "lon": str(STORY_LON),
        "address": "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc",
        "is_public": "on",
        "client_token": "form-token-1",
        "photos": jpeg_upload(),
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    "name", ["home", "reports:list", "reports:map", "reports:points", "reports:areas"]
)
def test_public_pages_open_for_visitors(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    "name", ["reports:new", "reports:mine", "notifications:inbox", "accounts:security"]
)
def test_personal_pages_ask_visitors_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_it_rejects_wrong_methods(client, citizen):
    assert client.post(reverse("reports:list")).status_code == 405
    assert client.get(reverse("reports:citizen_action", args=[1, "rate"])).status_code in (302, 405)
    _login(client, citizen)
    assert client.get(reverse("reports:citizen_action", args=[1, "rate"])).status_code == 405
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_submitting_the_same_form_twice_creates_one_report(client, citizen, lighting):
    _login(client, citizen)
    first = client.post(reverse("reports:new"), _form(lighting))
    second = client.post(reverse("reports:new"), _form(lighting))
    assert first.status_code == second.status_code == 302
    assert Report.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"category": ""}, "category"),
        ({"category": "999999"}, "category"),
        ({"description": ""}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"lat": "abc", "lon": "107", "address": ""}, "address"),
        ({"lat": "10.77", "lon": "106.70", "address": ""}, "address"),  # Hồ Chí Minh City
        ({"lat": "", "lon": "", "address": ""}, "address"),
        ({"photos": ""}, "photos"),
    ],
)
def test_bad_input_gives_a_4xx_with_the_field_and_saves_nothing(
    client, citizen, lighting, extra, field
):
    _login(client, citizen)
    data = _form(lighting, **extra)
    if data["photos"] == "":
        del data["photos"]
    response = client.post(reverse("reports:new"), data)
    assert 400 <= response.status_code < 500
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert Report.objects.count() == 0 and Photo.objects.count() == 0


def test_a_file_that_is_not_an_image_is_refused_in_vietnamese(client, citizen, lighting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _login(client, citizen)
    bad = SimpleUploadedFile("anh.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(
        reverse("reports:new"), _form(lighting, photos=bad), HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_triage_and_inbox_are_for_their_roles_only(client, citizen, operator, officer):
    _login(client, citizen)
    assert client.get(reverse("reports:triage")).status_code == 403
    assert client.get(reverse("reports:inbox")).status_code == 403
    client.logout()
    _login(client, operator)
    assert client.get(reverse("reports:triage")).status_code == 200
    assert client.get(reverse("reports:inbox")).status_code == 403
    client.logout()
    _login(client, officer)
    assert client.get(reverse("reports:inbox")).status_code == 200
    assert client.get(reverse("reports:triage")).status_code == 403


def test_private_reports_and_their_photos_are_hidden_from_others(client, make_report, citizen2):
    report = make_report(is_public=False, photos=[jpeg_upload()])
    photo = report.photos.get()
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:photo", args=[photo.pk, "thumb"])).status_code == 404
    _login(client, citizen2)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404


def test_the_public_page_never_shows_the_reporter(client, make_report, citizen, django_assert_num_queries):
    report = make_report(photos=[jpeg_upload()])
    # the kept page's fingerprint (lib/pagecache.py); the report, its photos, its timeline; the
    # nav's warnings count (cached 15 s outside tests)
    with django_assert_num_queries(5):
        body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert f"/photos/{report.photos.get().pk}/thumb" in body
    assert (
        citizen.full_name not in body and citizen.phone not in body and "0905 000 001" not in body
    )
    photo = report.photos.get()
    response = client.get(reverse("reports:photo", args=[photo.pk, "full"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client.get(reverse("reports:photo", args=[photo.pk, "original"])).status_code == 404


def test_staff_in_scope_see_the_reporter(
    client, make_report, citizen, operator, officer, other_officer, lighting_rule
):
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    for user, sees in ((operator, True), (officer, True), (other_officer, False)):
        client.logout()
        _login(client, user)
        body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
        assert (citizen.full_name in body) is sees, user


def test_an_illegal_action_on_a_page_shows_a_message_not_an_error(
    client, make_report, operator, lighting_rule
):
    report = make_report()
    _login(client, operator)
    url = reverse("reports:staff_action", args=[report.pk, "route"])
    assert client.post(url, {}).status_code == 302
    response = client.post(url, {}, follow=True)  # routed already: not possible twice
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages and Report.objects.get().status == Status.ASSIGNED


def test_a_stale_page_cannot_overwrite_a_newer_change(
    client, make_report, operator, officer, lighting_rule
):
    report = make_report()
    _login(client, operator)
    stale_version = report.version
    services.report_set_priority(report_id=report.pk, actor=operator, priority=2)  # someone else
    client.post(
        reverse("reports:staff_action", args=[report.pk, "route"]), {"version": stale_version}
    )
    assert Report.objects.get().status == Status.NEW


def test_unknown_actions_are_404(client, make_report, operator, citizen):
    report = make_report()
    _login(client, operator)
    assert (
        client.post(reverse("reports:staff_action", args=[report.pk, "explode"])).status_code == 404
    )
    client.logout()
    _login(client, citizen)
    assert (
        client.post(reverse("reports:citizen_action", args=[report.pk, "explode"])).status_code
        == 404
    )


def test_nearby_and_address_helpers(client, make_report, lighting, django_assert_num_queries):
    report = make_report()
    refdata.categories()  # read once per process (and again after a change): reports/refdata.py
    with django_assert_num_queries(1):  # its open reports (not joined to the category)
        body = client.get(
            reverse("reports:nearby"), {"lat": report.lat, "lon": report.lon, "category": lighting.pk}
        ).content.decode()
    assert report.ref in body and lighting.name in body
    assert client.get(reverse("reports:nearby"), {"lat": "x"}).status_code == 200
    found = client.get(
        reverse("reports:address_lookup"), {"q": "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc"}
    ).json()
    assert found["found"] and found["area"] == "Phường Phú Xuân"


def test_photo_location_reads_gps_without_keeping_the_photo(client, citizen):
    _login(client, citizen)
    response = client.post(
        reverse("reports:photo_location"), {"photo": jpeg_upload(gps=(STORY_LAT, STORY_LON))}
    )
    data = response.json()
    assert data["found"] and data["area"] == "Phường Phú Xuân"
    assert abs(data["lat"] - STORY_LAT) < 1e-4
    assert client.post(reverse("reports:photo_location"), {}).status_code == 400
    assert Photo.objects.count() == 0


def test_the_admin_signs_in_through_the_login_page_with_its_second_factor(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert "next=/admin/" in response["Location"]


def test_nearby_lists_the_open_reports_within_the_radius_nearest_first(make_report, lighting):
    from django.contrib.auth.models import AnonymousUser

    from opencity.reports import selectors

    metres = 1 / 111_320  # a metre north, in degrees of latitude
    far = make_report(lat=STORY_LAT + 40 * metres)
    near = make_report(lat=STORY_LAT + 10 * metres)
    make_report(lat=STORY_LAT + 70 * metres)  # beyond 50 m
    found = selectors.nearby_open(user=AnonymousUser(), lat=STORY_LAT, lon=STORY_LON, category_id=lighting.pk)
    assert [(r.pk, r.distance_m) for r in found] == [(near.pk, 10), (far.pk, 40)]
    assert [r.pk for r in selectors.nearby_open(user=AnonymousUser(), lat=STORY_LAT, lon=STORY_LON,
                                                category_id=lighting.pk, limit=1)] == [near.pk]


def test_nearby_in_sql_finds_what_the_orm_finds(make_report, lighting, citizen, citizen2, operator):
    """The report form's nearby list skips the ORM for visitors and citizens (selectors._nearby_sql);
    it must select exactly what the ORM form of the same rules does."""
    from django.contrib.auth.models import AnonymousUser

    from opencity.conftest import STORY_LAT, STORY_LON
    from opencity.reports import selectors

    near = [make_report(lat=STORY_LAT + k * 0.00005, lon=STORY_LON, client_token=f"near-{k}") for k in range(4)]
    make_report(lat=STORY_LAT + 0.00003, lon=STORY_LON, is_public=False, client_token="private")
    make_report(lat=STORY_LAT, lon=STORY_LON + 0.01, client_token="far")
    services.report_reject(report_id=near[1].pk, actor=operator, reason="spam")
    for user in (AnonymousUser(), citizen, citizen2):
        fast = selectors.nearby_open(user=user, lat=STORY_LAT, lon=STORY_LON, category=lighting, radius_m=80,
                                     exclude_id=near[3].pk)
        slow = selectors.nearby_open(user=user, lat=STORY_LAT, lon=STORY_LON, category_id=lighting.pk, radius_m=80,
                                     exclude_id=near[3].pk)
        assert [r.pk for r in fast] == [r.pk for r in slow] and fast, user
        assert [r.distance_m for r in fast] == [r.distance_m for r in slow]
    mine = [r.pk for r in selectors.nearby_open(user=citizen, lat=STORY_LAT, lon=STORY_LON, category=lighting)]
    theirs = [r.pk for r in selectors.nearby_open(user=citizen2, lat=STORY_LAT, lon=STORY_LON, category=lighting)]
    assert len(mine) == len(theirs) + 1  # the citizen's own private report is near for them only
