"""GET Service Requests and GET Service Request, from the GeoReport v2 specification: fields,
the status mapping, filters, the 90-day rule, empty parameters and privacy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.reports import services
from opencity.reports.models import Report, Status
from opencity.reports.tests.factories import jpeg_upload

from .conftest import BASE, JURISDICTION, assert_error, json_body, xml_root

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def _age(report: Report, days: int) -> Report:
    """Move a report into the past (its submission time only)."""
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    report.refresh_from_db()
    return report


def _ids(body) -> set[int]:
    assert all(isinstance(r["service_request_id"], str) for r in body)  # a string, as the schema says
    return {int(r["service_request_id"]) for r in body}


def get_json(client, path="requests.json", **params):
    response = client.get(f"{BASE}/{path}", params)
    assert response.status_code == 200, response.content
    return json_body(response)


@pytest.fixture
def every_state(make_report, operator, officer, citizen, lighting_rule):
    """One public report in each of our states, all made through the services."""
    new = make_report()
    assigned = make_report(description="Đèn ở kiệt 5 không sáng")
    services.report_route(report_id=assigned.pk, actor=operator)
    in_progress = make_report(description="Cột đèn nghiêng")
    services.report_route(report_id=in_progress.pk, actor=operator)
    services.report_accept(report_id=in_progress.pk, actor=officer)
    resolved = make_report(description="Bóng đèn cháy")
    services.report_route(report_id=resolved.pk, actor=operator)
    services.report_accept(report_id=resolved.pk, actor=officer)
    services.report_resolve(report_id=resolved.pk, actor=officer, result="Đã thay bóng đèn mới.")
    closed = make_report(description="Đèn chập chờn")
    services.report_route(report_id=closed.pk, actor=operator)
    services.report_accept(report_id=closed.pk, actor=officer)
    services.report_resolve(report_id=closed.pk, actor=officer, result="Đã sửa dây điện.")
    services.report_rate(report_id=closed.pk, actor=citizen, rating=5)
    rejected = make_report(description="Không rõ nội dung")
    services.report_reject(report_id=rejected.pk, actor=operator, reason="not_enough_info")
    merged = make_report(description="Trùng với phản ánh khác")
    services.report_merge(report_id=merged.pk, actor=operator, into_id=new.pk)
    reports = dict(
        new=new,
        assigned=assigned,
        in_progress=in_progress,
        resolved=resolved,
        closed=closed,
        rejected=rejected,
        merged=merged,
    )
    return {name: Report.objects.get(pk=r.pk) for name, r in reports.items()}


def test_every_request_has_the_specified_fields_in_order(client, every_state):
    root = xml_root(client.get(f"{BASE}/requests.xml", {"jurisdiction_id": JURISDICTION}))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == len(every_state)
    assert all([child.tag for child in r] == REQUEST_FIELDS for r in requests)
    body = get_json(client)
    assert isinstance(body, list) and all(list(r) == REQUEST_FIELDS for r in body)


def test_our_states_map_to_open_and_closed(client, every_state):
    by_id = {int(r["service_request_id"]): r for r in get_json(client)}
    expected = {
        "new": "open",
        "assigned": "open",
        "in_progress": "open",
        "resolved": "closed",
        "closed": "closed",
        "rejected": "closed",
        "merged": "closed",
    }
    for name, status in expected.items():
        assert by_id[every_state[name].pk]["status"] == status, name


def test_status_notes_carry_our_detailed_state_in_vietnamese(client, every_state):
    by_id = {int(r["service_request_id"]): r for r in get_json(client)}
    notes = {name: by_id[r.pk]["status_notes"] for name, r in every_state.items()}
    assert notes["new"] == "Mới"
    assert notes["assigned"].startswith("Đã chuyển xử lý: Công ty Cổ phần Môi trường")
    assert notes["in_progress"] == "Đang xử lý"
    assert notes["resolved"] == "Đã xử lý. Kết quả xử lý: Đã thay bóng đèn mới"
    assert "Đã sửa dây điện" in notes["closed"] and notes["closed"].startswith("Đã đóng")
    assert notes["rejected"].startswith("Không tiếp nhận: ")
    assert notes["merged"] == f"Đã gộp vào phản ánh khác: PA{every_state['new'].pk:06d}"


def test_fields_of_one_request(client, every_state):
    report = every_state["resolved"]
    [item] = get_json(client, f"requests/{report.pk}.json")
    assert item["service_request_id"] == str(report.pk)
    assert item["service_code"] == "chieu-sang"
    assert item["service_name"] == "Chiếu sáng công cộng"
    assert item["description"] == "Bóng đèn cháy"
    assert item["agency_responsible"] == "Công ty Cổ phần Môi trường và Công trình đô thị Huế"
    assert item["lat"] == STORY_LAT and item["long"] == STORY_LON
    assert item["address"] == "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc"
    assert item["address_id"] is None and item["zipcode"] is None and item["media_url"] is None
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        value = dt.datetime.fromisoformat(item[name])
        assert item[name].endswith("+07:00") and value.utcoffset() == dt.timedelta(hours=7), name
    # closed: updated_datetime is when it was closed (for us: the result published)
    assert dt.datetime.fromisoformat(item["updated_datetime"]) == report.resolved_at.replace(
        microsecond=0
    )
    assert dt.datetime.fromisoformat(item["expected_datetime"]) == report.due_at.replace(
        microsecond=0
    )


def test_a_new_report_has_no_agency_nor_expected_time(client, make_report):
    report = make_report(address="")
    [item] = get_json(client, f"requests/{report.pk}.json")
    assert item["agency_responsible"] is None and item["expected_datetime"] is None
    assert item["address"] == "Phường Phú Xuân"  # no typed address: the ward


def test_one_request_as_xml(client, make_report):
    report = make_report()
    root = xml_root(client.get(f"{BASE}/requests/{report.pk}.xml"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert request.findtext("service_request_id") == str(report.pk)
    assert request.findtext("status") == "open"
    assert request.find("address_id").text is None  # an empty element


def test_media_url_is_the_absolute_url_of_the_first_public_photo(client, make_report):
    report = make_report(photos=[jpeg_upload(), jpeg_upload(color=(0, 0, 200))])
    first = report.photos.order_by("created_at", "id").first()
    [item] = get_json(client, f"requests/{report.pk}.json")
    assert item["media_url"] == f"http://testserver/photos/{first.pk}/full.jpg"
    response = client.get(item["media_url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_a_hidden_photo_is_never_the_media_url(client, make_report):
    report = make_report(photos=[jpeg_upload()])
    report.photos.update(is_hidden=True)
    [item] = get_json(client, f"requests/{report.pk}.json")
    assert item["media_url"] is None


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_private_and_spam_reports_are_not_found(client, make_report, operator, fmt):
    private = make_report(is_public=False)
    spam = make_report(description="Quảng cáo")
    services.report_reject(report_id=spam.pk, actor=operator, reason="spam")
    for report in (private, spam):
        assert_error(client.get(f"{BASE}/requests/{report.pk}.{fmt}"), 404, fmt)
    listed = client.get(f"{BASE}/requests.{fmt}", {"service_request_id": f"{private.pk},{spam.pk}"})
    assert listed.status_code == 200
    if fmt == "xml":
        assert xml_root(listed).findall("request") == []
    else:
        assert json_body(listed) == []


@pytest.mark.parametrize(
    "request_id", ["0", "999999", "abc", "1e3", "99999999999999999999999", "-1", "%00"]
)
def test_an_unknown_request_id_is_404(client, request_id):
    assert_error(client.get(f"{BASE}/requests/{request_id}.json"), 404)


def test_status_filter(client, every_state):
    open_ids = {every_state[n].pk for n in ("new", "assigned", "in_progress")}
    all_ids = {r.pk for r in every_state.values()}
    assert _ids(get_json(client, status="open")) == open_ids
    assert _ids(get_json(client, status="closed")) == all_ids - open_ids
    assert _ids(get_json(client, status="open,closed")) == all_ids
    assert _ids(get_json(client, status=" closed , open ")) == all_ids


@pytest.mark.parametrize("status", ["opened", "resolved", "OPEN", "open;closed"])
def test_an_unknown_status_is_400(client, status):
    assert_error(client.get(f"{BASE}/requests.json", {"status": status}), 400, mentions="status")


def test_service_code_filter_takes_a_comma_list(client, make_report, lighting):
    from opencity.reports.models import Category

    flooding = Category.objects.create(code="ngap-ung", name_vi="Ngập úng", name_en="Flooding")
    light = make_report()
    flood = make_report(category=flooding)
    assert _ids(get_json(client, service_code="chieu-sang")) == {light.pk}
    assert _ids(get_json(client, service_code="ngap-ung,chieu-sang")) == {light.pk, flood.pk}
    assert _ids(get_json(client, service_code="khong-co")) == set()


def test_service_request_id_overrides_every_other_filter(client, make_report):
    old = _age(make_report(), 400)
    recent = make_report()
    body = get_json(
        client,
        service_request_id=f"{old.pk}, {recent.pk}",
        status="closed",
        service_code="khong-co",
        start_date="2020-01-01T00:00:00Z",
        end_date="2020-01-02T00:00:00Z",
    )
    assert _ids(body) == {old.pk, recent.pk}


@pytest.mark.parametrize("value", ["abc", "1,x", "1.5", "-3", "1;2", "99999999999999999999999"])
def test_malformed_service_request_ids_are_400(client, value):
    assert_error(
        client.get(f"{BASE}/requests.json", {"service_request_id": value}),
        400,
        mentions="service_request_id",
    )


def test_the_default_window_is_the_last_90_days(client, make_report):
    recent = _age(make_report(), 89)
    _age(make_report(), 91)
    assert _ids(get_json(client)) == {recent.pk}


def test_dates_filter_on_requested_datetime(client, make_report):
    a = _age(make_report(), 100)
    b = _age(make_report(), 50)
    c = make_report()
    start = (timezone.now() - dt.timedelta(days=120)).isoformat(timespec="seconds")
    end = (timezone.now() - dt.timedelta(days=40)).isoformat(timespec="seconds")
    assert _ids(get_json(client, start_date=start, end_date=end)) == {a.pk, b.pk}
    # only start_date: the 90 days after it
    long_ago = (timezone.now() - dt.timedelta(days=160)).isoformat(timespec="seconds")
    assert _ids(get_json(client, start_date=long_ago)) == {a.pk}
    # only end_date: the 90 days before it
    assert _ids(get_json(client, end_date=end)) == {a.pk, b.pk}
    assert _ids(get_json(client, end_date=long_ago)) == set()
    assert c.pk in _ids(get_json(client, start_date=timezone.now().date().isoformat()))


def test_dates_in_utc_with_z_and_with_an_unencoded_plus(client, make_report):
    report = make_report()
    local = timezone.localtime(report.created_at)
    start = (local - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    end = (local + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    # "+07:00" left unencoded in a query string arrives as " 07:00"
    response = client.get(f"{BASE}/requests.json?start_date={start}+07:00&end_date={end}+07:00")
    assert _ids(json_body(response)) == {report.pk}
    utc_start = (
        (report.created_at - dt.timedelta(minutes=5))
        .astimezone(dt.UTC)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert _ids(get_json(client, start_date=utc_start)) == {report.pk}


def test_a_range_over_90_days_is_400(client):
    response = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2025-01-01T00:00:00+07:00", "end_date": "2025-04-02T00:00:00+07:00"},
    )
    assert_error(response, 400, mentions="90")
    ok = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2025-01-01T00:00:00+07:00", "end_date": "2025-04-01T00:00:00+07:00"},
    )
    assert ok.status_code == 200


def test_end_before_start_is_400(client):
    response = client.get(
        f"{BASE}/requests.xml", {"start_date": "2025-02-01", "end_date": "2025-01-01"}
    )
    assert_error(response, 400, "xml", mentions="end_date")


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2025-13-01",
        "2025-02-30T00:00:00Z",
        "31/01/2025",
        "0001-01-01T00:00:00+07:00",
        "9999-12-31T23:59:59-12:00",
        "2025-01-01T25:00:00Z",
        "1" * 5000,
        "2025-01-01T00:00:00+99:00",
    ],
)
def test_garbage_dates_are_400(client, value):
    for name in ("start_date", "end_date"):
        assert_error(client.get(f"{BASE}/requests.json", {name: value}), 400, mentions=name)


def test_at_most_1000_requests(client, make_report, monkeypatch):
    from opencity.open311 import selectors

    monkeypatch.setattr(selectors, "MAX_REQUESTS", 2)
    reports = [make_report() for _ in range(3)]
    body = get_json(client)
    assert _ids(body) == {reports[2].pk, reports[1].pk}  # the most recent first


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_empty_optional_parameters_behave_as_absent(client, every_state, fmt):
    empty = {
        name: ""
        for name in (
            "jurisdiction_id",
            "service_request_id",
            "service_code",
            "start_date",
            "end_date",
            "status",
        )
    }
    with_empty = client.get(f"{BASE}/requests.{fmt}", empty)
    without = client.get(f"{BASE}/requests.{fmt}")
    assert with_empty.status_code == 200
    assert with_empty.content == without.content


def test_requests_reject_other_methods(client):
    assert_error(client.put(f"{BASE}/requests.json"), 405)
    assert_error(client.delete(f"{BASE}/requests/1.xml"), 405, "xml")


def test_xml_stays_well_formed_whatever_was_typed(client, make_report):
    report = make_report(description='Đèn & "tắt" — ký tự lạ: \x01\x02\x1b ]]> và 3 < 4')
    root = xml_root(client.get(f"{BASE}/requests/{report.pk}.xml"))
    assert root.find("request").findtext("description") == 'Đèn & "tắt" — ký tự lạ:  ]]> và 3 < 4'


def test_the_moderated_text_replaces_the_original(client, make_report, operator):
    report = make_report(description="Số điện thoại của tôi là 0905 111 222, gọi lại nhé")
    services.report_moderate_text(
        report_id=report.pk, actor=operator, public_text="Điện đường bị hỏng"
    )
    response = client.get(f"{BASE}/requests/{report.pk}.json")
    assert json_body(response)[0]["description"] == "Điện đường bị hỏng"
    assert b"0905 111 222" not in response.content


def test_tokens_are_never_issued(client):
    for fmt in ("xml", "json"):
        assert_error(client.get(f"{BASE}/tokens/123456.{fmt}"), 404, fmt, mentions="token")
    assert_error(
        client.get(f"{BASE}/tokens/123456.json", {"jurisdiction_id": "x"}),
        404,
        mentions="jurisdiction_id",
    )


def test_status_of_a_report_moving_through_the_lifecycle(
    client, make_report, operator, officer, lighting_rule
):
    report = make_report()

    def status():
        return get_json(client, f"requests/{report.pk}.json")[0]["status"]

    assert status() == "open"
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    assert status() == "open"
    services.report_resolve(report_id=report.pk, actor=officer, result="Đã sửa xong.")
    assert status() == "closed"
    assert Report.objects.get(pk=report.pk).status == Status.RESOLVED
