"""POST Service Request, from the GeoReport v2 specification: api_key, parameters, attributes,
errors, the rate limit, and the report it creates going through our normal lifecycle."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.open311.models import ApiKey, RateWindow
from opencity.reports import services
from opencity.reports.models import Category, Report, Status, TimelineEvent

from .conftest import BASE, O311_EMAIL, assert_error, json_body, post_data, xml_root

pytestmark = pytest.mark.django_db

OUTSIDE = {"lat": "21.0285", "long": "105.8542"}  # Hà Nội


def post(client, data, fmt="json", **extra):
    return client.post(f"{BASE}/requests.{fmt}", data, **extra)


def created_id(response) -> int:
    assert response.status_code == 200, response.content
    [item] = json_body(response)
    assert isinstance(item["service_request_id"], str)  # a string, as the schema says
    return int(item["service_request_id"])


def test_it_creates_a_report_and_answers_with_its_id(client, api_key, lighting):
    response = post(client, post_data(api_key))
    assert response.status_code == 200, response.content
    body = json_body(response)
    assert isinstance(body, list) and len(body) == 1
    [item] = body
    assert set(item) == {"service_request_id", "service_notice", "account_id"}  # never a token
    assert item["service_request_id"].isdigit()
    assert item["account_id"] == "acct-42"
    assert "PA" in item["service_notice"]
    report = Report.objects.get(pk=item["service_request_id"])
    assert report.status == Status.NEW
    assert report.channel == "open311"
    assert report.reporter is None
    assert report.reporter_name == "Lê Thị Hoa Phượng"
    assert report.reporter_phone == "+84912345678"
    assert report.category == lighting
    assert (report.lat, report.lon) == (STORY_LAT, STORY_LON)
    assert report.area.name == "Phường Phú Xuân"
    assert report.is_public


def test_the_answer_as_xml(client, api_key, lighting):
    root = xml_root(post(client, post_data(api_key, account_id=""), "xml"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert Report.objects.filter(pk=int(request.findtext("service_request_id"))).exists()
    assert request.find("account_id").text is None  # empty


def test_csrf_is_not_asked_for(api_key, lighting):
    client = Client(enforce_csrf_checks=True)
    assert post(client, post_data(api_key)).status_code == 200


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_missing_api_key_is_403(client, lighting, fmt):
    response = client.post(
        f"{BASE}/requests.{fmt}",
        {"service_code": "chieu-sang", "description": "x", "lat": STORY_LAT, "long": STORY_LON},
    )
    assert_error(response, 403, fmt, mentions="api_key")
    assert Report.objects.count() == 0


def test_a_wrong_or_inactive_api_key_is_403(client, api_key, lighting):
    assert_error(post(client, post_data(api_key, api_key="not-a-key")), 403, mentions="api_key")
    assert_error(post(client, post_data(api_key, api_key="x" * 100_000)), 403)
    ApiKey.objects.filter(pk=api_key.pk).update(revoked_at=timezone.now())
    assert_error(post(client, post_data(api_key)), 403)
    assert Report.objects.count() == 0


def test_the_api_key_is_stored_hashed_with_a_visible_prefix(api_key):
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert api_key.raw not in (stored.key_hash, stored.prefix)
    assert stored.prefix == api_key.raw[:8] and len(stored.key_hash) == 64
    assert api_key.raw not in str(stored)


def test_last_used_at_is_recorded(client, api_key, lighting):
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is None
    post(client, post_data(api_key))
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None


def test_an_unknown_service_code_is_404(client, api_key, lighting):
    assert_error(
        post(client, post_data(api_key, service_code="khong-co")), 404, mentions="service_code"
    )


def test_a_missing_service_code_is_400(client, api_key, lighting):
    assert_error(post(client, post_data(api_key, service_code="")), 400, mentions="service_code")


def test_an_unknown_jurisdiction_is_404(client, api_key, lighting):
    assert_error(
        post(client, post_data(api_key, jurisdiction_id="danang.gov.vn")),
        404,
        mentions="jurisdiction_id",
    )


@pytest.mark.parametrize(
    "overrides, mentions",
    [
        ({"lat": None, "long": None}, "lat/long/address_string"),
        ({"long": None}, "lat/long"),
        ({"lat": "abc"}, "lat/long/address_string"),
        ({"lat": "NaN"}, "lat/long/address_string"),
        ({"lat": "1e999"}, "lat/long/address_string"),
        ({"lat": "9" * 50}, "lat"),
        (OUTSIDE, "lat/long/address_string"),
        ({"description": ""}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"phone": "12345"}, "phone"),
        ({"first_name": "A" * 200}, "first_name/last_name"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"media_url": "ftp://example.vn/a.jpg"}, "media_url"),
        ({"email": "not-an-address"}, "email"),
        ({"address_string": "x" * 300, "lat": None, "long": None}, "address_string"),
    ],
)
def test_bad_input_is_400_and_names_the_parameter(client, api_key, lighting, overrides, mentions):
    assert_error(post(client, post_data(api_key, **overrides)), 400, mentions=mentions)
    assert Report.objects.count() == 0


def test_address_id_is_not_supported(client, api_key, lighting):
    response = post(client, post_data(api_key, lat=None, long=None, address_id="545483"), "xml")
    description = assert_error(response, 400, "xml", mentions="address_id")
    assert "lat" in description and "address_string" in description
    # with a usable location besides, address_id is ignored
    assert post(client, post_data(api_key, address_id="545483")).status_code == 200


def test_an_address_string_finds_the_ward(client, api_key, lighting):
    data = post_data(
        api_key, lat=None, long=None, address_string="Kiệt 32 Lê Văn Hưu, phường Thuận Lộc"
    )
    report = Report.objects.get(pk=created_id(post(client, data)))
    assert report.area.name == "Phường Phú Xuân"
    assert report.address == "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc"


def test_html_is_removed_from_the_description(client, api_key, lighting):
    report = Report.objects.get(
        pk=created_id(post(client, post_data(api_key, description="<b>Đèn</b> hỏng<script>")))
    )
    assert report.description == "Đèn hỏng"


def test_empty_optional_parameters_behave_as_absent(client, api_key, lighting):
    data = post_data(
        api_key,
        email="",
        media_url="",
        device_id="",
        account_id="",
        first_name="",
        last_name="",
        phone="",
        address_string="",
        address_id="",
        jurisdiction_id="",
    )
    report = Report.objects.get(pk=created_id(post(client, data)))
    assert report.reporter_name == "" and report.reporter_phone == ""
    assert "media_url" not in report.events.get(action="note").data


def test_attributes_become_answers(client, api_key, lighting, questions):
    data = post_data(
        api_key,
        **{
            "attribute[so-cot]": "HUE-1234",
            "attribute[ngay-phat-hien]": "2025-05-01T21:30:00+07:00",
            "attribute[loai-hong]": "tat",
            "attribute[thoi-diem][]": ["dem", "ngay"],
            "attribute[ghi-chu]": "Cột số 12",
            "attribute[khong-hoi]": "bỏ qua",
        },
    )
    data["attribute[so-cot]"] = "12"
    report = Report.objects.get(pk=created_id(post(client, data)))
    assert report.answers == {
        "so-cot": 12.0,
        "ngay-phat-hien": "2025-05-01",
        "loai-hong": "tat",
        "thoi-diem": ["dem", "ngay"],
        "ghi-chu": "Cột số 12",
    }


def test_a_utc_datetime_attribute_keeps_the_local_date(client, api_key, lighting, questions):
    data = post_data(
        api_key, **{"attribute[so-cot]": "1", "attribute[ngay-phat-hien]": "2025-05-01T20:00:00Z"}
    )
    report = Report.objects.get(pk=created_id(post(client, data)))
    assert report.answers["ngay-phat-hien"] == "2025-05-02"  # 03:00 in Huế


@pytest.mark.parametrize(
    "attributes, mentions",
    [
        ({}, "attribute[so-cot]"),
        ({"attribute[so-cot]": "mười"}, "attribute[so-cot]"),
        ({"attribute[so-cot]": "1", "attribute[loai-hong]": "no"}, "attribute[loai-hong]"),
        (
            {"attribute[so-cot]": "1", "attribute[thoi-diem][]": ["dem", "toi"]},
            "attribute[thoi-diem]",
        ),
        (
            {"attribute[so-cot]": "1", "attribute[ngay-phat-hien]": "hôm qua"},
            "attribute[ngay-phat-hien]",
        ),
        ({"attribute[so-cot]": "1", "attribute[ghi-chu]": "x" * 501}, "attribute[ghi-chu]"),
    ],
)
def test_bad_attributes_are_400_and_name_the_attribute(
    client, api_key, lighting, questions, attributes, mentions
):
    assert_error(post(client, post_data(api_key, **attributes)), 400, mentions=mentions)
    assert Report.objects.count() == 0


def test_media_url_is_kept_for_staff_only_and_never_fetched(
    client, api_key, lighting, operator, monkeypatch
):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the server must not call out")

    monkeypatch.setattr(socket, "create_connection", no_network)
    url = "https://images.example.vn/den-hong.jpg"
    report_id = created_id(post(client, post_data(api_key, media_url=url)))
    note = TimelineEvent.objects.get(report_id=report_id, action="note")
    assert note.is_public is False
    assert note.data == {"client": "311 Test App", "api_key": api_key.prefix, "media_url": url}
    assert url in note.note
    # staff see it on the report's page; the public and Open311 never do
    staff = Client()
    staff.force_login(operator)
    assert url.encode() in staff.get(f"/staff/reports/{report_id}/").content
    assert url.encode() not in Client().get(f"/reports/{report_id}/").content
    for fmt in ("xml", "json"):
        assert url.encode() not in client.get(f"{BASE}/requests/{report_id}.{fmt}").content
        assert url.encode() not in client.get(f"{BASE}/requests.{fmt}").content


def test_email_and_device_id_are_not_stored(client, api_key, lighting):
    report_id = created_id(post(client, post_data(api_key)))
    report = Report.objects.get(pk=report_id)
    stored = repr(list(Report.objects.filter(pk=report_id).values())) + repr(
        list(report.events.values())
    )
    assert O311_EMAIL not in stored and "device-123" not in stored


def test_the_rate_limit_is_per_key_and_per_minute(client, lighting):
    from opencity.open311.services import api_key_issue

    slow, raw = api_key_issue(name="Chậm", application="Slow", rate_limit_per_minute=2)
    slow.raw = raw
    other, other_raw = api_key_issue(name="Khác", application="Other")
    other.raw = other_raw
    assert post(client, post_data(slow)).status_code == 200
    assert post(client, post_data(slow, description="")).status_code == 400  # failures count too
    response = post(client, post_data(slow), "xml")
    assert_error(response, 429, "xml")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Report.objects.count() == 1
    assert post(client, post_data(other)).status_code == 200  # another key is not affected
    assert RateWindow.objects.get(api_key=slow).count == 3


def test_a_rotated_key_and_its_successor_share_one_rate_limit(client, lighting):
    """During the grace period both secrets work; they are one client, not twice its rate."""
    from opencity.open311.services import api_key_issue, api_key_rotate

    old, old_raw = api_key_issue(name="Đối tác", application="App", rate_limit_per_minute=2)
    new, new_raw = api_key_rotate(key=old)
    new.raw, old.raw = new_raw, old_raw
    assert post(client, post_data(old)).status_code == 200
    assert post(client, post_data(new)).status_code == 200
    assert_error(post(client, post_data(new), "xml"), 429, "xml")
    assert_error(post(client, post_data(old), "xml"), 429, "xml")
    assert list(RateWindow.objects.values_list("api_key_id", "count")) == [(old.pk, 4)]
    # and a second rotation still counts against the first key of the chain
    newer, newer_raw = api_key_rotate(key=new)
    newer.raw = newer_raw
    assert_error(post(client, post_data(newer), "xml"), 429, "xml")


def test_a_new_minute_starts_a_new_window(client, lighting, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from opencity.open311 import services as o311
    from opencity.open311.services import api_key_issue

    key, raw = api_key_issue(name="Một", application="One", rate_limit_per_minute=1)
    key.raw = raw
    start = timezone.now().replace(second=30)
    monkeypatch.setattr(o311.timezone, "now", lambda: start)
    assert post(client, post_data(key)).status_code == 200
    assert post(client, post_data(key)).status_code == 429
    monkeypatch.setattr(o311.timezone, "now", lambda: start + dt.timedelta(minutes=1))
    assert post(client, post_data(key)).status_code == 200


def test_the_report_goes_through_the_normal_lifecycle(
    client, api_key, lighting, urban_works, operator, officer
):
    report_id = created_id(post(client, post_data(api_key)))
    # the IOC sees it in its triage queue and routes it
    staff = Client()
    staff.force_login(operator)
    assert f"PA{report_id:06d}".encode() in staff.get("/ioc/triage/").content
    services.report_route(report_id=report_id, actor=operator, unit_id=urban_works.pk)
    services.report_accept(report_id=report_id, actor=officer)
    services.report_resolve(report_id=report_id, actor=officer, result="Đã thay bóng đèn.")
    [item] = json_body(client.get(f"{BASE}/requests/{report_id}.json"))
    assert item["status"] == "closed"
    assert item["agency_responsible"] == urban_works.name
    assert "Đã thay bóng đèn" in item["status_notes"]


def test_an_automatic_rule_routes_it_at_once(client, api_key, lighting, urban_works):
    from opencity.reports.models import RoutingRule

    RoutingRule.objects.create(category=lighting, area=None, unit=urban_works, automatic=True)
    [item] = json_body(post(client, post_data(api_key)))
    assert urban_works.name in item["service_notice"]
    assert Report.objects.get(pk=item["service_request_id"]).status == Status.ASSIGNED


def test_an_inactive_category_cannot_be_used(client, api_key, lighting):
    Category.objects.filter(pk=lighting.pk).update(is_active=False)
    assert_error(post(client, post_data(api_key)), 404, mentions="service_code")


def test_errors_follow_accept_language(client, api_key, lighting):
    english = post(client, post_data(api_key, description=""), HTTP_ACCEPT_LANGUAGE="en")
    assert "This field is required" in assert_error(english, 400)
    vietnamese = post(client, post_data(api_key, description=""))
    assert "This field is required" not in assert_error(vietnamese, 400)


def test_a_json_body_is_not_a_form(client, api_key, lighting):
    import json

    response = client.post(
        f"{BASE}/requests.json", json.dumps(post_data(api_key)), content_type="application/json"
    )
    assert_error(response, 403)  # the api_key travels in the form, as the specification says
    response = client.post(
        f"{BASE}/requests.json?api_key={api_key.raw}",
        json.dumps({"service_code": "chieu-sang"}),
        content_type="application/json",
    )
    assert_error(response, 400, mentions="service_code")


def test_a_broken_multipart_body_is_400(client, api_key, lighting):
    response = client.generic(
        "POST",
        f"{BASE}/requests.json",
        b"--xx\r\nbroken",
        content_type="multipart/form-data; boundary=xx",
    )
    assert response.status_code in (400, 403)
    assert isinstance(json_body(response), list)
