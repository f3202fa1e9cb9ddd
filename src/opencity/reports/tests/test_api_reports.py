"""The field-report API: public reads, submit, the reporter's actions, the staff's actions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from opencity.accounts.services import api_token_issue
from opencity.conftest import STORY_LAT, STORY_LON
from opencity.lib.models import IdempotencyRecord
from opencity.reports import services
from opencity.reports.models import Category, CategoryQuestion, Report, Status
from opencity.reports.tests.factories import jpeg_upload

pytestmark = pytest.mark.django_db

OUTSIDE_LAT, OUTSIDE_LON = 21.0285, 105.8542  # Hà Nội


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # Idempotency-Key replays live in the cache
    yield
    cache.clear()


def bearer(user) -> dict:
    # as POST /auth/token issues it: for staff, after their two-factor code
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, second_factor=True)}"}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, data: dict | None = None, **extra):
    return client.post(url, json.dumps(data or {}), content_type="application/json", **extra)


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["field"] == field
    return body["error"]


def assert_no_personal_data(response, *, name: str, phone: str) -> None:
    """The name and the phone, in every spelling, are not in the bytes sent."""
    raw = response.content
    national = "0" + phone[3:] if phone.startswith("+84") else phone
    spellings = {phone, national, f"{national[:4]} {national[4:7]} {national[7:]}", national[1:]}
    for text in spellings:
        assert text.encode() not in raw, f"phone {text!r} leaked"
    assert name.encode() not in raw, "name leaked"
    assert json.dumps(name).strip('"').encode() not in raw, "name leaked (escaped)"


def url(report, action: str = "") -> str:
    pk = report.pk if hasattr(report, "pk") else report
    return f"/api/v1/reports/{pk}" + (f"/{action}" if action else "")


@pytest.fixture
def report(make_report):
    return make_report()


@pytest.fixture
def private_report(make_report):
    return make_report(is_public=False, description="Ống nước rò rỉ trong hẻm nhà tôi")


@pytest.fixture
def assigned(report, operator, urban_works, lighting_rule):
    services.report_route(report_id=report.pk, actor=operator)
    return Report.objects.get(pk=report.pk)


@pytest.fixture
def in_progress(assigned, officer):
    services.report_accept(report_id=assigned.pk, actor=officer)
    return Report.objects.get(pk=assigned.pk)


@pytest.fixture
def resolved(in_progress, officer):
    services.report_resolve(
        report_id=in_progress.pk,
        actor=officer,
        result="Đã thay bóng đèn",
        photos=[jpeg_upload("result.jpg")],
    )
    return Report.objects.get(pk=in_progress.pk)


@pytest.fixture
def question(lighting):
    return CategoryQuestion.objects.create(
        category=lighting,
        code="so-den",
        label_vi="Bao nhiêu đèn bị hỏng?",
        label_en="How many lights are out?",
        kind="number",
        required=True,
    )


# --- wrong method, for every path ---------------------------------------------------------

WRONG_METHODS = [
    ("put", "/api/v1/categories"),
    ("put", "/api/v1/reports"),
    ("post", "/api/v1/reports/mine"),
    ("post", "/api/v1/reports/{id}"),
    ("post", "/api/v1/reports/{id}/timeline"),
    ("get", "/api/v1/reports/{id}/follow"),
    ("get", "/api/v1/reports/{id}/me-too"),
    ("get", "/api/v1/reports/{id}/rate"),
    ("get", "/api/v1/reports/{id}/dispute"),
    ("get", "/api/v1/reports/{id}/answer"),
    ("post", "/api/v1/triage"),
    ("post", "/api/v1/inbox"),
    ("get", "/api/v1/reports/{id}/route"),
    ("get", "/api/v1/reports/{id}/merge"),
    ("get", "/api/v1/reports/{id}/reject"),
    ("get", "/api/v1/reports/{id}/accept"),
    ("get", "/api/v1/reports/{id}/return"),
    ("get", "/api/v1/reports/{id}/ask-info"),
    ("get", "/api/v1/reports/{id}/resolve"),
    ("get", "/api/v1/reports/{id}/extensions"),
    ("get", "/api/v1/reports/{id}/notes"),
]


@pytest.mark.parametrize(("method", "path"), WRONG_METHODS)
def test_it_rejects_the_wrong_method(method, path, report, operator):
    response = getattr(as_user(operator), method)(path.format(id=report.pk))
    assert response.status_code == 405


# --- categories ---------------------------------------------------------------------------


def test_categories_list_active_ones_with_their_questions(client, lighting, question):
    Category.objects.create(code="cu", name_vi="Cũ", name_en="Old", is_active=False)
    CategoryQuestion.objects.create(
        category=lighting,
        code="loai",
        label_vi="Loại đèn",
        label_en="Kind of light",
        kind="single",
        choices=[
            {"key": "led", "vi": "Đèn LED", "en": "LED"},
            {"key": "cao-ap", "vi": "Cao áp", "en": "Sodium"},
        ],
        order=1,
    )
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    [cat] = response.json()
    assert (
        cat["code"] == "chieu-sang"
        and cat["name"] == "Chiếu sáng công cộng"
        and cat["deadline_hours"] == 16
    )
    assert [q["code"] for q in cat["questions"]] == ["so-den", "loai"]
    assert cat["questions"][1]["choices"] == [
        {"key": "led", "label": "Đèn LED"},
        {"key": "cao-ap", "label": "Cao áp"},
    ]


def test_categories_speak_english_when_asked(client, lighting, question):
    [cat] = client.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE="en").json()
    assert cat["name"] == "Street lighting"
    assert cat["questions"][0]["label"] == "How many lights are out?"


def test_categories_refuse_a_revoked_token(client, lighting, citizen):
    headers = bearer(citizen)
    citizen.api_tokens.update(revoked_at="2025-01-01T00:00:00Z")
    assert_error(client.get("/api/v1/categories", **headers), 401, "invalid_token")


# --- the public list ----------------------------------------------------------------------


def test_list_shows_public_reports_only(client, report, private_report, make_report, operator):
    spam = make_report(description="quảng cáo")
    services.report_reject(report_id=spam.pk, actor=operator, reason="spam")
    response = client.get("/api/v1/reports")
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["items"]] == [report.pk]
    assert body["next"] is None
    item = body["items"][0]
    assert item["ref"] == report.ref and item["area"]["name"] == "Phường Phú Xuân"
    assert item["priority"] is None


def test_list_is_the_public_list_even_for_the_reporter(report, private_report, citizen):
    response = as_user(citizen).get("/api/v1/reports")
    assert [r["id"] for r in response.json()["items"]] == [report.pk]


def test_list_filters_by_category_area_status_and_period(
    client, report, make_report, assigned, thuan_hoa, phu_xuan
):
    other = Category.objects.create(code="cay-xanh", name_vi="Cây xanh", name_en="Trees")
    tree = make_report(category=other, description="Cây đổ")
    ids = lambda q: [r["id"] for r in client.get(f"/api/v1/reports?{q}").json()["items"]]  # noqa: E731
    assert ids(f"category={other.pk}") == [tree.pk]
    assert ids("status=assigned") == [report.pk]
    assert ids("status=open") == [tree.pk, report.pk]
    assert ids("status=done") == []
    assert ids(f"area={thuan_hoa.pk}") == []
    assert ids(f"area={phu_xuan.pk}&period=7d") == [tree.pk, report.pk]


def test_list_pages_with_a_cursor(client, make_report):
    made = [make_report(description=f"Đèn số {i}") for i in range(3)]
    first = client.get("/api/v1/reports?limit=2").json()
    assert [r["id"] for r in first["items"]] == [made[2].pk, made[1].pk]
    assert "/api/v1/reports?" in first["next"] and "cursor=" in first["next"]
    assert "limit=2" in first["next"] and "offset" not in first["next"]
    assert first["limit"] == 2 and "offset" not in first
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["items"]] == [made[0].pk] and second["next"] is None


def test_list_pages_stay_stable_when_reports_arrive(client, make_report):
    made = [make_report(description=f"Đèn số {i}") for i in range(4)]
    first = client.get("/api/v1/reports?limit=2").json()
    make_report(description="Mới gửi")  # lands on top, not in the next page
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["items"]] == [made[1].pk, made[0].pk]


def test_list_cursor_keeps_the_filters(client, make_report, lighting):
    for i in range(3):
        make_report(description=f"Đèn số {i}")
    first = client.get(f"/api/v1/reports?limit=1&category={lighting.pk}").json()
    assert f"category={lighting.pk}" in first["next"]


@pytest.mark.parametrize("cursor", ["nonsense!", "WyJ4Il0", "e30", "WzEsMl0", "WyIyMDI2IiwgIngiXQ"])
def test_list_refuses_an_invalid_cursor(client, cursor):
    assert_error(client.get(f"/api/v1/reports?cursor={cursor}"), 400, "invalid", "cursor")


def test_mine_pages_with_a_cursor(make_report, citizen):
    made = [make_report(description=f"Đèn số {i}") for i in range(3)]
    client = as_user(citizen)
    first = client.get("/api/v1/reports/mine?limit=2").json()
    second = client.get(first["next"]).json()
    ids = [r["id"] for r in first["items"] + second["items"]]
    assert ids == [made[2].pk, made[1].pk, made[0].pk] and second["next"] is None


def test_triage_pages_with_a_cursor_in_its_own_order(make_report, operator):
    made = [make_report(description=f"Đèn số {i}") for i in range(3)]
    client = as_user(operator)
    first = client.get("/api/v1/triage?limit=2").json()
    second = client.get(first["next"]).json()
    ids = [r["id"] for r in first["items"] + second["items"]]
    assert sorted(ids) == sorted(r.pk for r in made) and len(ids) == 3
    assert second["next"] is None


def test_inbox_pages_with_a_cursor_over_deadlines(
    make_report, operator, officer, urban_works, lighting_rule
):
    made = [make_report(description=f"Đèn số {i}") for i in range(3)]
    for r in made:
        services.report_route(report_id=r.pk, actor=operator)
    client = as_user(officer)
    first = client.get("/api/v1/inbox?limit=1").json()
    pages = [first]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"]).json())
    ids = [item["id"] for page in pages for item in page["items"]]
    assert sorted(ids) == sorted(r.pk for r in made) and len(pages) == 3


# --- ETag / If-None-Match ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/categories", "/api/v1/reports", "/api/v1/areas", "detail", "timeline"]
)
def test_reads_answer_304_to_a_matching_if_none_match(client, report, path):
    path = {"detail": url(report), "timeline": url(report, "timeline")}.get(path, path)
    first = client.get(path)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(path, HTTP_IF_NONE_MATCH='W/"other"').status_code == 200


def test_detail_etag_changes_when_the_report_changes(
    client, report, operator, urban_works, lighting_rule
):
    etag = client.get(url(report))["ETag"]
    services.report_route(report_id=report.pk, actor=operator)
    response = client.get(url(report), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_list_etag_changes_with_a_new_report_and_with_the_filters(
    client, report, make_report, lighting
):
    etag = client.get("/api/v1/reports")["ETag"]
    assert client.get("/api/v1/reports?limit=5")["ETag"] != etag  # other filters, other tag
    make_report(description="Mới gửi")
    assert client.get("/api/v1/reports", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_detail_etag_differs_by_user(client, report, citizen):
    anonymous = client.get(url(report))["ETag"]
    reporter = as_user(citizen).get(url(report), HTTP_IF_NONE_MATCH=anonymous)
    assert reporter.status_code == 200  # the reporter sees more: not the visitor's answer


def test_triage_and_mine_answer_304(report, operator, citizen):
    for client, path in (
        (as_user(operator), "/api/v1/triage"),
        (as_user(citizen), "/api/v1/reports/mine"),
    ):
        etag = client.get(path)["ETag"]
        assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_list_refuses_more_than_100_a_page(client):
    assert_error(client.get("/api/v1/reports?limit=101"), 422, "invalid", "limit")


def test_list_refuses_an_unknown_status(client):
    assert_error(client.get("/api/v1/reports?status=lost"), 422, "invalid", "status")


# --- one report, its timeline -------------------------------------------------------------


def test_detail_shows_public_fields_to_visitors(client, report):
    response = client.get(url(report))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == report.pk and body["status"] == "new" and body["version"] == report.version
    assert body["reporter"] is None and body["internal"] is None and body["answers"] == {}
    assert body["actions"] == [] and body["following"] is False


def test_detail_shows_the_reporter_to_the_reporter_and_to_staff(report, citizen, operator):
    mine = as_user(citizen).get(url(report)).json()
    assert mine["reporter"] == {"name": "Nguyễn Văn An", "phone": "+84905000001"}
    assert mine["internal"] is None
    staff = as_user(operator).get(url(report)).json()
    assert staff["reporter"]["phone"] == "+84905000001"
    assert staff["internal"]["channel"] == "web"
    assert {"route", "merge", "reject"} <= set(staff["actions"])


def test_detail_of_a_private_report_is_404_for_others(
    client, private_report, citizen, citizen2, other_officer
):
    assert_error(client.get(url(private_report)), 404, "not_found")
    assert_error(as_user(citizen2).get(url(private_report)), 404, "not_found")
    assert_error(as_user(other_officer).get(url(private_report)), 404, "not_found")
    assert as_user(citizen).get(url(private_report)).status_code == 200


def test_detail_of_a_missing_report_is_404(client):
    assert_error(client.get("/api/v1/reports/999999"), 404, "not_found")


def test_detail_hides_a_pending_result_from_the_public(
    client, in_progress, officer, urban_works, unit_head
):
    urban_works.requires_result_approval = True
    urban_works.save()
    services.report_resolve(report_id=in_progress.pk, actor=officer, result="Đã sửa xong")
    public = client.get(url(in_progress)).json()
    assert public["result_text"] == "" and public["status"] == "in_progress"
    head = as_user(unit_head).get(url(in_progress)).json()
    assert head["result_text"] == "Đã sửa xong" and head["internal"]["result_pending"] is True


def test_timeline_shows_public_events_to_the_public(client, in_progress, officer):
    services.report_add_note(report_id=in_progress.pk, actor=officer, text="Gọi điện cho đội 3")
    response = client.get(url(in_progress, "timeline"))
    assert response.status_code == 200
    events = response.json()
    assert [e["action"] for e in events] == ["submit", "route", "accept"]
    assert all(e["actor_name"] is None and e["data"] is None for e in events)
    assert events[2]["unit"]["short_name"] == "HEPCO"  # accepted by the unit


def test_timeline_shows_internal_events_to_staff_in_scope(in_progress, officer, other_officer):
    services.report_add_note(report_id=in_progress.pk, actor=officer, text="Gọi điện cho đội 3")
    events = as_user(officer).get(url(in_progress, "timeline")).json()
    assert events[-1]["action"] == "note" and events[-1]["note"] == "Gọi điện cho đội 3"
    assert events[-1]["actor_name"] == "Phạm Cán Bộ"
    # an officer of another unit is not in scope: public events only
    assert "note" not in [
        e["action"] for e in as_user(other_officer).get(url(in_progress, "timeline")).json()
    ]


def test_timeline_of_a_private_report_is_404_for_others(private_report, citizen2):
    assert_error(as_user(citizen2).get(url(private_report, "timeline")), 404, "not_found")


# --- reporter's name and phone ------------------------------------------------------------


def test_public_responses_never_contain_the_reporters_name_or_phone(
    client, citizen, citizen2, hotline, lighting, resolved
):
    by_phone = services.report_submit(
        reporter=None,
        filed_by=hotline,
        category=lighting,
        description="Đèn đường tắt cả tuần",
        lat=STORY_LAT,
        lon=STORY_LON,
        channel="hotline",
        reporter_name="Lê Thị Gọi Điện",
        reporter_phone="0914 555 666",
    )
    for who in (client, as_user(citizen2)):
        for path in (
            "/api/v1/reports",
            url(resolved),
            url(resolved, "timeline"),
            url(by_phone),
            url(by_phone, "timeline"),
        ):
            response = who.get(path)
            assert response.status_code == 200
            assert_no_personal_data(response, name=citizen.full_name, phone=citizen.phone)
            assert_no_personal_data(response, name="Lê Thị Gọi Điện", phone="+84914555666")


# --- my reports ---------------------------------------------------------------------------


def test_mine_lists_what_i_reported_or_follow(
    report, private_report, make_report, citizen, citizen2
):
    theirs = make_report(reporter=citizen2, description="Đèn chập chờn")
    services.report_follow(report_id=theirs.pk, actor=citizen)
    make_report(reporter=citizen2, description="Không liên quan")
    response = as_user(citizen).get("/api/v1/reports/mine", **{})
    assert response.status_code == 200
    assert {r["id"] for r in response.json()["items"]} == {report.pk, private_report.pk, theirs.pk}


def test_mine_works_with_a_token(client, report, citizen):
    response = client.get("/api/v1/reports/mine", **bearer(citizen))
    assert [r["id"] for r in response.json()["items"]] == [report.pk]


def test_mine_needs_a_sign_in(client):
    assert_error(client.get("/api/v1/reports/mine"), 401, "unauthenticated")


# --- submit -------------------------------------------------------------------------------


def submit(client: Client, data: dict | None = None, **extra):
    payload = {
        "category": None,
        "description": "Đèn đường bị hỏng trước số nhà 31/32",
        "lat": STORY_LAT,
        "lon": STORY_LON,
        "address": "Kiệt 32 Lê Văn Hưu",
    }
    payload.update(data or {})
    return client.post(
        "/api/v1/reports", {k: v for k, v in payload.items() if v is not None}, **extra
    )


def test_submit_creates_a_report_with_photos_and_answers(client, citizen, lighting, question):
    response = submit(
        client,
        {
            "category": lighting.pk,
            "answers": json.dumps({"so-den": "3"}),
            "photos": [jpeg_upload("a.jpg"), jpeg_upload("b.jpg", gps=(16.47, 107.57))],
        },
        **bearer(citizen),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert report.reporter == citizen and report.channel == "api" and report.status == Status.NEW
    assert report.answers == {"so-den": 3.0} and report.photos.count() == 2
    assert len(body["photos"]) == 2 and body["photos"][0]["url"].endswith(
        f"/photos/{body['photos'][0]['id']}/full.jpg"
    )
    assert body["answers"] == {"so-den": 3.0} and body["area"]["name"] == "Phường Phú Xuân"


def test_submit_without_photos_and_private(client, citizen, lighting):
    response = submit(client, {"category": lighting.pk, "is_public": "false"}, **bearer(citizen))
    assert response.status_code == 201
    assert response.json()["is_public"] is False and response.json()["photos"] == []


def test_submit_retried_with_the_same_key_creates_one_report(client, citizen, lighting):
    headers = {**bearer(citizen), "HTTP_IDEMPOTENCY_KEY": "3f0c6f0e-6d59-4a7b-9d1e-5a2c1b7e9a10"}
    first = submit(client, {"category": lighting.pk, "photos": [jpeg_upload()]}, **headers)
    again = submit(client, {"category": lighting.pk, "photos": [jpeg_upload()]}, **headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    # the first answer is made from the report as saved, the second from the database: the same
    assert again.json() == first.json()
    assert Report.objects.count() == 1
    assert Report.objects.get().photos.count() == 1


def test_submit_with_someone_elses_key_is_a_conflict(client, citizen, citizen2, lighting):
    submit(client, {"category": lighting.pk}, HTTP_IDEMPOTENCY_KEY="same-key", **bearer(citizen))
    response = submit(
        client, {"category": lighting.pk}, HTTP_IDEMPOTENCY_KEY="same-key", **bearer(citizen2)
    )
    assert_error(response, 409, "conflict")
    assert Report.objects.count() == 1


def test_submit_refuses_a_key_longer_than_64(client, citizen, lighting):
    response = submit(
        client, {"category": lighting.pk}, HTTP_IDEMPOTENCY_KEY="k" * 65, **bearer(citizen)
    )
    assert_error(response, 422, "invalid", "Idempotency-Key")


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"description": ""}, "required", "description"),
        ({"lat": OUTSIDE_LAT, "lon": OUTSIDE_LON}, "outside_city", "location"),
        ({"lat": None, "lon": None, "address": ""}, "location_required", "location"),
        ({"answers": "{not json"}, "invalid", "answers"),
        ({"answers": "[1, 2]"}, "invalid", "answers"),
        ({"answers": "{}"}, "required", "q_so-den"),
    ],
)
def test_submit_names_the_field_at_fault(client, citizen, lighting, question, data, code, field):
    response = submit(client, {"category": lighting.pk, **data}, **bearer(citizen))
    assert_error(response, 400, code, field)
    assert Report.objects.count() == 0


def test_submit_needs_a_category(client, citizen, lighting):
    assert_error(submit(client, {}, **bearer(citizen)), 400, "required", "category")


def test_submit_refuses_six_photos(client, citizen, lighting):
    photos = [jpeg_upload(f"{i}.jpg") for i in range(6)]
    response = submit(client, {"category": lighting.pk, "photos": photos}, **bearer(citizen))
    assert_error(response, 400, "too_many_photos", "photos")
    assert Report.objects.count() == 0


def test_submit_refuses_a_file_that_is_not_a_photo(client, citizen, lighting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = submit(client, {"category": lighting.pk, "photos": [bad]}, **bearer(citizen))
    assert response.status_code == 400 and response.json()["error"]["field"] == "photos"


def test_submit_checks_types_with_a_422(client, citizen, lighting):
    assert_error(submit(client, {"category": "đèn"}, **bearer(citizen)), 422, "invalid", "category")
    assert_error(
        submit(client, {"category": lighting.pk, "lat": "north"}, **bearer(citizen)),
        422,
        "invalid",
        "lat",
    )


def test_submit_needs_a_sign_in(client, lighting):
    assert_error(submit(client, {"category": lighting.pk}), 401, "unauthenticated")
    assert Report.objects.count() == 0


def test_submit_with_a_session_needs_the_csrf_token(citizen, lighting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert_error(submit(client, {"category": lighting.pk}), 403, "csrf_failed")
    client.cookies["csrftoken"] = "a" * 32
    assert submit(client, {"category": lighting.pk}, HTTP_X_CSRFTOKEN="a" * 32).status_code == 201


def test_submit_with_a_token_needs_no_csrf_token(citizen, lighting):
    client = Client(enforce_csrf_checks=True)
    assert submit(client, {"category": lighting.pk}, **bearer(citizen)).status_code == 201


def test_errors_are_vietnamese_by_default_and_english_on_request(client, citizen, lighting):
    headers = bearer(citizen)
    vi = submit(client, {"category": lighting.pk, "description": ""}, **headers)
    en = submit(
        client, {"category": lighting.pk, "description": ""}, HTTP_ACCEPT_LANGUAGE="en", **headers
    )
    assert vi["Content-Language"] == "vi" and en["Content-Language"] == "en"
    assert en.json()["error"]["message"] == "This field is required."
    # Django's own catalogue translates this one ("Trường này là bắt buộc."), ours may override it
    with translation.override("vi"):
        expected = translation.gettext("This field is required.")
    assert vi.json()["error"]["message"] == expected != "This field is required."


# --- follow, me too -----------------------------------------------------------------------


def test_follow_and_unfollow(report, citizen2):
    client = as_user(citizen2)
    response = client.post(url(report, "follow"))
    assert response.status_code == 200
    assert response.json() == {"following": True, "me_too": False, "me_too_count": 0}
    assert client.get(url(report)).json()["following"] is True
    assert client.delete(url(report, "follow")).status_code == 204
    assert client.get(url(report)).json()["following"] is False


def test_follow_own_report_is_forbidden(report, citizen):
    assert_error(as_user(citizen).post(url(report, "follow")), 403, "forbidden")


def test_follow_needs_a_sign_in(client, report):
    assert_error(client.post(url(report, "follow")), 401, "unauthenticated")
    assert_error(client.delete(url(report, "follow")), 401, "unauthenticated")


def test_follow_a_private_report_of_someone_else_is_404(private_report, citizen2):
    assert_error(as_user(citizen2).post(url(private_report, "follow")), 404, "not_found")
    assert_error(as_user(citizen2).delete(url(private_report, "follow")), 404, "not_found")


def test_me_too_counts_a_person_once(report, citizen2):
    client = as_user(citizen2)
    client.post(url(report, "me-too"))
    response = client.post(url(report, "me-too"))
    assert response.status_code == 200
    assert response.json() == {"following": True, "me_too": True, "me_too_count": 1}


def test_me_too_on_own_report_is_forbidden(report, citizen):
    assert_error(as_user(citizen).post(url(report, "me-too")), 403, "forbidden")


def test_me_too_needs_a_sign_in(client, report):
    assert_error(client.post(url(report, "me-too")), 401, "unauthenticated")


# --- the reporter's actions ---------------------------------------------------------------


def test_reporter_rates_the_result(resolved, citizen):
    response = post_json(
        as_user(citizen), url(resolved, "rate"), {"rating": 5, "comment": "Cảm ơn"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "closed" and response.json()["rating"] == 5


def test_rate_by_someone_else_is_forbidden(resolved, citizen2, officer):
    assert_error(
        post_json(as_user(citizen2), url(resolved, "rate"), {"rating": 5}), 403, "forbidden"
    )
    assert_error(
        post_json(as_user(officer), url(resolved, "rate"), {"rating": 5}), 403, "forbidden"
    )


def test_rate_before_the_result_is_an_illegal_transition(report, citizen):
    assert_error(
        post_json(as_user(citizen), url(report, "rate"), {"rating": 4}), 409, "illegal_transition"
    )


def test_rate_out_of_range_is_a_schema_error(resolved, citizen):
    assert_error(
        post_json(as_user(citizen), url(resolved, "rate"), {"rating": 9}), 422, "invalid", "rating"
    )
    assert_error(post_json(as_user(citizen), url(resolved, "rate"), {}), 422, "required", "rating")


def test_rate_with_an_unreadable_body_is_a_400(resolved, citizen):
    response = as_user(citizen).post(
        url(resolved, "rate"), "{oops", content_type="application/json"
    )
    assert_error(response, 400, "bad_request")


def test_rate_needs_a_sign_in(client, resolved):
    assert_error(post_json(client, url(resolved, "rate"), {"rating": 5}), 401, "unauthenticated")


def test_reporter_disputes_the_result(resolved, citizen):
    response = post_json(as_user(citizen), url(resolved, "dispute"), {"reason": "Đèn vẫn tắt"})
    assert response.status_code == 200 and response.json()["dispute_pending"] is True


def test_dispute_needs_a_reason(resolved, citizen):
    assert_error(
        post_json(as_user(citizen), url(resolved, "dispute"), {"reason": " "}),
        400,
        "required",
        "reason",
    )


def test_dispute_by_someone_else_is_forbidden(resolved, citizen2):
    assert_error(
        post_json(as_user(citizen2), url(resolved, "dispute"), {"reason": "x"}), 403, "forbidden"
    )


def test_reporter_answers_the_units_question(in_progress, citizen, officer):
    services.report_ask_info(report_id=in_progress.pk, actor=officer, question="Cột đèn số mấy?")
    response = post_json(as_user(citizen), url(in_progress, "answer"), {"text": "Cột số 12"})
    assert response.status_code == 200 and response.json()["awaiting_citizen"] is False


def test_answer_when_nobody_asked_is_an_illegal_transition(in_progress, citizen):
    assert_error(
        post_json(as_user(citizen), url(in_progress, "answer"), {"text": "x"}),
        409,
        "illegal_transition",
    )


def test_answer_by_someone_else_is_forbidden(in_progress, citizen2, officer):
    services.report_ask_info(report_id=in_progress.pk, actor=officer, question="Cột đèn số mấy?")
    assert_error(
        post_json(as_user(citizen2), url(in_progress, "answer"), {"text": "x"}), 403, "forbidden"
    )


# --- staff queues -------------------------------------------------------------------------


def test_triage_lists_new_reports_for_the_ioc(report, assigned, make_report, operator):
    new = make_report(description="Đèn nhấp nháy")
    response = as_user(operator).get("/api/v1/triage")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [r["id"] for r in items] == [new.pk]
    assert items[0]["priority"] == 1


def test_triage_includes_private_reports(private_report, operator):
    assert [r["id"] for r in as_user(operator).get("/api/v1/triage").json()["items"]] == [
        private_report.pk
    ]


@pytest.mark.parametrize("who", ["citizen", "officer", "leader"])
def test_triage_is_forbidden_outside_the_ioc(request, who):
    assert_error(as_user(request.getfixturevalue(who)).get("/api/v1/triage"), 403, "forbidden")


def test_triage_needs_a_sign_in(client):
    assert_error(client.get("/api/v1/triage"), 401, "unauthenticated")


def test_inbox_lists_my_units_reports(assigned, officer, other_officer):
    assert [r["id"] for r in as_user(officer).get("/api/v1/inbox").json()["items"]] == [assigned.pk]
    assert as_user(other_officer).get("/api/v1/inbox").json()["items"] == []


@pytest.mark.parametrize("who", ["citizen", "operator"])
def test_inbox_is_forbidden_to_others(request, who):
    assert_error(as_user(request.getfixturevalue(who)).get("/api/v1/inbox"), 403, "forbidden")


# --- IOC actions --------------------------------------------------------------------------


def test_operator_routes_a_new_report(report, operator, urban_works, lighting_rule):
    response = post_json(as_user(operator), url(report, "route"), {"note": "Đã xác minh"}, **{})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "assigned" and body["unit"]["id"] == urban_works.pk and body["due_at"]


def test_route_to_a_chosen_unit_with_a_token(client, report, operator, other_unit):
    response = post_json(
        client, url(report, "route"), {"unit_id": other_unit.pk}, **bearer(operator)
    )
    assert response.status_code == 200 and response.json()["unit"]["id"] == other_unit.pk


def test_routing_an_already_routed_report_is_409(assigned, operator, urban_works):
    response = post_json(as_user(operator), url(assigned, "route"), {"unit_id": urban_works.pk})
    assert_error(response, 409, "illegal_transition")


def test_routing_with_a_stale_version_is_409_conflict(report, operator, urban_works):
    response = post_json(
        as_user(operator),
        url(report, "route"),
        {"unit_id": urban_works.pk, "version": report.version - 1},
    )
    assert_error(response, 409, "conflict")
    assert Report.objects.get(pk=report.pk).status == Status.NEW


def test_route_without_a_rule_or_unit_names_the_unit(report, operator):
    assert_error(post_json(as_user(operator), url(report, "route")), 400, "invalid", "unit")


@pytest.mark.parametrize("who", ["citizen", "citizen2", "officer", "leader", "hotline"])
def test_route_is_forbidden_outside_the_ioc(request, report, urban_works, who):
    response = post_json(
        as_user(request.getfixturevalue(who)), url(report, "route"), {"unit_id": urban_works.pk}
    )
    assert_error(response, 403, "forbidden")


def test_route_of_an_invisible_report_is_404(private_report, citizen2, urban_works):
    response = post_json(
        as_user(citizen2), url(private_report, "route"), {"unit_id": urban_works.pk}
    )
    assert_error(response, 404, "not_found")


def test_route_retried_with_the_same_key_replays_the_first_answer(report, operator, urban_works):
    client = as_user(operator)
    first = post_json(
        client, url(report, "route"), {"unit_id": urban_works.pk}, HTTP_IDEMPOTENCY_KEY="r-1"
    )
    again = post_json(
        client, url(report, "route"), {"unit_id": urban_works.pk}, HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert report.events.filter(action="route").count() == 1
    # a new key is a new request: the report is no longer new
    other = post_json(
        client, url(report, "route"), {"unit_id": urban_works.pk}, HTTP_IDEMPOTENCY_KEY="r-2"
    )
    assert_error(other, 409, "illegal_transition")


def test_a_route_whose_answer_was_never_recorded_did_not_happen(report, operator, urban_works, monkeypatch):
    """Issue #13 drill: the connection was lost after the route committed but before its
    Idempotency-Key record was written, so the client's retry was answered 409. The action and
    its record now commit together: losing the connection at that moment (an outside fault,
    injected at the record's insert) loses both, and the retry routes once."""
    from django.db import OperationalError

    from opencity.lib.models import IdempotencyRecord

    real_create = IdempotencyRecord.objects.create

    def lost_connection(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(IdempotencyRecord.objects, "create", lost_connection)
    client = as_user(operator)
    lost = post_json(client, url(report, "route"), {"unit_id": urban_works.pk}, HTTP_IDEMPOTENCY_KEY="r-9")
    assert lost.status_code == 503
    assert report.events.filter(action="route").count() == 0
    monkeypatch.setattr(IdempotencyRecord.objects, "create", real_create)
    retry = post_json(client, url(report, "route"), {"unit_id": urban_works.pk}, HTTP_IDEMPOTENCY_KEY="r-9")
    assert retry.status_code == 200
    assert report.events.filter(action="route").count() == 1


def test_a_retried_post_replays_from_the_database_when_the_cache_is_gone(
    report, operator, urban_works
):
    client = as_user(operator)
    first = post_json(
        client, url(report, "route"), {"unit_id": urban_works.pk}, HTTP_IDEMPOTENCY_KEY="r-1"
    )
    cache.clear()  # another process, or a restart: nothing shared but the database
    again = post_json(
        client, url(report, "route"), {"unit_id": urban_works.pk}, HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert report.events.filter(action="route").count() == 1
    assert IdempotencyRecord.objects.filter(key="r-1", user=operator).count() == 1


def test_a_retried_extension_request_creates_one_extension(in_progress, officer):
    client = as_user(officer)
    body = {"extra_hours": 8, "reason": "Chờ vật tư"}
    first = post_json(client, url(in_progress, "extensions"), body, HTTP_IDEMPOTENCY_KEY="e-1")
    cache.clear()
    again = post_json(client, url(in_progress, "extensions"), body, HTTP_IDEMPOTENCY_KEY="e-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert in_progress.extensions.count() == 1


def test_idempotency_records_expire_after_a_day(report, operator, urban_works):
    client = as_user(operator)
    post_json(client, url(report, "route"), {"unit_id": urban_works.pk}, HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    again = post_json(
        client, url(report, "route"), {"unit_id": urban_works.pk}, HTTP_IDEMPOTENCY_KEY="old"
    )
    assert_error(again, 409, "illegal_transition")  # not replayed: it ran again
    assert not IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(hours=24)
    ).exists()


def test_submit_retried_after_the_cache_is_cleared_creates_one_report(client, citizen, lighting):
    data = {"category": lighting.pk, "description": "Đèn hỏng", "lat": STORY_LAT, "lon": STORY_LON}
    headers = {**bearer(citizen), "HTTP_IDEMPOTENCY_KEY": "s-1"}
    first = client.post("/api/v1/reports", data, **headers)
    cache.clear()
    again = client.post("/api/v1/reports", data, **headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    # the first answer is made from the report as saved, the second from the database: the same
    assert again.json() == first.json()
    assert Report.objects.filter(reporter=citizen).count() == 1


def test_route_needs_a_sign_in(client, report):
    assert_error(post_json(client, url(report, "route")), 401, "unauthenticated")


def test_operator_merges_a_duplicate(report, make_report, operator, citizen2):
    duplicate = make_report(reporter=citizen2, description="Đèn hỏng ở Lê Văn Hưu")
    response = post_json(as_user(operator), url(duplicate, "merge"), {"into": report.pk})
    assert response.status_code == 200
    assert response.json()["status"] == "merged" and response.json()["merged_into"] == report.pk


def test_merge_into_itself_names_the_field(report, operator):
    assert_error(
        post_json(as_user(operator), url(report, "merge"), {"into": report.pk}),
        400,
        "invalid",
        "into",
    )


def test_merge_is_forbidden_to_a_citizen(report, make_report, citizen2):
    other = make_report()
    assert_error(
        post_json(as_user(citizen2), url(other, "merge"), {"into": report.pk}), 403, "forbidden"
    )


def test_operator_rejects_spam_and_it_disappears(client, report, operator):
    response = post_json(
        as_user(operator), url(report, "reject"), {"reason": "spam", "note": "Quảng cáo"}
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert_error(client.get(url(report)), 404, "not_found")


def test_reject_needs_a_known_reason(report, operator):
    assert_error(
        post_json(as_user(operator), url(report, "reject"), {"reason": "boring"}),
        422,
        "invalid",
        "reason",
    )


def test_reject_is_forbidden_to_an_officer(report, officer):
    assert_error(
        post_json(as_user(officer), url(report, "reject"), {"reason": "spam"}), 403, "forbidden"
    )


# --- unit actions -------------------------------------------------------------------------


def test_officer_accepts_an_assigned_report(assigned, officer):
    response = post_json(as_user(officer), url(assigned, "accept"), {"version": assigned.version})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"


def test_accept_without_a_body(assigned, officer):
    response = as_user(officer).post(url(assigned, "accept"), content_type="application/json")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["other_officer", "operator", "citizen"])
def test_accept_is_forbidden_outside_the_unit(request, assigned, who):
    assert_error(
        post_json(as_user(request.getfixturevalue(who)), url(assigned, "accept")), 403, "forbidden"
    )


def test_accepting_twice_is_an_illegal_transition(in_progress, officer):
    assert_error(post_json(as_user(officer), url(in_progress, "accept")), 409, "illegal_transition")


def test_officer_returns_a_report_to_the_ioc(assigned, officer):
    response = post_json(
        as_user(officer), url(assigned, "return"), {"reason": "Không thuộc thẩm quyền"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "new" and response.json()["unit"] is None


def test_return_needs_a_reason(assigned, officer):
    assert_error(
        post_json(as_user(officer), url(assigned, "return"), {"reason": ""}),
        400,
        "required",
        "reason",
    )


def test_return_is_forbidden_to_another_unit(assigned, other_officer):
    assert_error(
        post_json(as_user(other_officer), url(assigned, "return"), {"reason": "x"}),
        403,
        "forbidden",
    )


def test_officer_asks_the_reporter(in_progress, officer, citizen):
    response = post_json(
        as_user(officer), url(in_progress, "ask-info"), {"question": "Cột đèn số mấy?"}
    )
    assert response.status_code == 200 and response.json()["awaiting_citizen"] is True
    assert "answer_info" in as_user(citizen).get(url(in_progress)).json()["actions"]


def test_ask_info_is_forbidden_to_a_citizen(in_progress, citizen):
    assert_error(
        post_json(as_user(citizen), url(in_progress, "ask-info"), {"question": "?"}),
        403,
        "forbidden",
    )


def test_officer_resolves_with_result_and_photos(client, in_progress, officer):
    response = as_user(officer).post(
        url(in_progress, "resolve"),
        {
            "result": "Đã thay bóng đèn mới",
            "version": in_progress.version,
            "photos": [jpeg_upload("after.jpg")],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "resolved" and body["result_text"] == "Đã thay bóng đèn mới"
    assert len(body["result_photos"]) == 1
    public = client.get(url(in_progress)).json()
    assert public["result_text"] == "Đã thay bóng đèn mới" and len(public["result_photos"]) == 1


def test_resolve_needs_a_result(in_progress, officer):
    assert_error(
        as_user(officer).post(url(in_progress, "resolve"), {"result": ""}),
        400,
        "required",
        "result",
    )


def test_resolve_with_a_stale_version_is_409_conflict(in_progress, officer):
    response = as_user(officer).post(url(in_progress, "resolve"), {"result": "Xong", "version": 0})
    assert_error(response, 409, "conflict")


def test_resolve_is_forbidden_to_another_unit(in_progress, other_officer):
    assert_error(
        as_user(other_officer).post(url(in_progress, "resolve"), {"result": "x"}), 403, "forbidden"
    )


def test_officer_asks_for_an_extension(in_progress, officer):
    response = post_json(
        as_user(officer), url(in_progress, "extensions"), {"extra_hours": 8, "reason": "Chờ vật tư"}
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending" and response.json()["extra_hours"] == 8
    again = post_json(
        as_user(officer), url(in_progress, "extensions"), {"extra_hours": 8, "reason": "Chờ vật tư"}
    )
    assert_error(again, 400, "invalid", "extra_hours")


def test_extension_hours_are_checked_by_the_schema(in_progress, officer):
    response = post_json(
        as_user(officer), url(in_progress, "extensions"), {"extra_hours": 0, "reason": "x"}
    )
    assert_error(response, 422, "invalid", "extra_hours")


def test_extension_is_forbidden_to_a_citizen(in_progress, citizen):
    response = post_json(
        as_user(citizen), url(in_progress, "extensions"), {"extra_hours": 8, "reason": "x"}
    )
    assert_error(response, 403, "forbidden")


def test_officer_adds_an_internal_note(client, in_progress, officer):
    response = post_json(as_user(officer), url(in_progress, "notes"), {"text": "Đã gọi cho đội 3"})
    assert response.status_code == 201
    assert "Đã gọi cho đội 3" not in client.get(url(in_progress, "timeline")).content.decode()


def test_note_is_forbidden_to_a_citizen(in_progress, citizen):
    assert_error(
        post_json(as_user(citizen), url(in_progress, "notes"), {"text": "x"}), 403, "forbidden"
    )


def test_note_needs_a_sign_in(client, in_progress):
    assert_error(
        post_json(client, url(in_progress, "notes"), {"text": "x"}), 401, "unauthenticated"
    )


def test_the_story_end_to_end_through_the_api(
    client, citizen, operator, officer, urban_works, lighting, lighting_rule
):
    """The seeds' street light: reported, routed, accepted, resolved with a photo, rated."""
    created = submit(
        client, {"category": lighting.pk, "photos": [jpeg_upload()]}, **bearer(citizen)
    ).json()
    rid = created["id"]
    assert post_json(as_user(operator), url(rid, "route")).json()["status"] == "assigned"
    officer_client = as_user(officer)
    assert post_json(officer_client, url(rid, "accept")).json()["status"] == "in_progress"
    done = officer_client.post(
        url(rid, "resolve"), {"result": "Đã thay bóng đèn", "photos": [jpeg_upload()]}
    )
    assert done.json()["status"] == "resolved"
    rated = post_json(client, url(rid, "rate"), {"rating": 5}, **bearer(citizen))
    assert rated.json()["status"] == "closed"
    actions = [e["action"] for e in client.get(url(rid, "timeline")).json()]
    assert actions == ["submit", "route", "accept", "resolve", "rate"]


@pytest.mark.parametrize(
    "path", ["/api/v1/reports/abc", "/api/v1/nowhere", "/api/v1/reports/1,2/follow"]
)
def test_an_unknown_api_url_is_a_404_in_the_error_shape(client, path):
    assert_error(client.get(path), 404, "not_found")
    assert_error(client.post(path), 404, "not_found")


def test_the_api_says_how_precise_a_place_is(client, citizen, lighting):
    """A pin is exact unless the client says it geocoded it; an address alone is placed only at
    its ward (no geocoder in tests) and the answer says so, so an app never draws it as a pin."""
    pinned = submit(client, {"category": lighting.pk}, **bearer(citizen)).json()
    assert pinned["location_precision"] == "exact"
    geocoded = submit(client, {"category": lighting.pk, "location_precision": "address"},
                      HTTP_IDEMPOTENCY_KEY="precision-0002", **bearer(citizen)).json()
    assert geocoded["location_precision"] == "address"
    ward_only = submit(client, {"category": lighting.pk, "lat": None, "lon": None,
                                "address": "phường Phú Xuân"},
                       HTTP_IDEMPOTENCY_KEY="precision-0003", **bearer(citizen))
    assert ward_only.status_code == 201, ward_only.content
    body = ward_only.json()
    assert body["location_precision"] == "area" and body["area"]["name"] == "Phường Phú Xuân"
    listed = {r["id"]: r for r in client.get("/api/v1/reports", **bearer(citizen)).json()["items"]}
    assert listed[body["id"]]["location_precision"] == "area"
