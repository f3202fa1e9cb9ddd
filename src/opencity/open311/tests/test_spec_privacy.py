"""No GET output — Open311 in both formats, open data — ever carries a reporter's name, phone,
e-mail or citizen ID, nor the answers to the category's questions. Checked on the raw bytes."""

from __future__ import annotations

import json

import pytest

from opencity.reports import services

from .conftest import BASE, O311_EMAIL, O311_FIRST, O311_LAST, O311_PHONE, post_data

pytestmark = pytest.mark.django_db


def spellings(phone: str) -> set[str]:
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    national = "0" + digits[3:] if digits.startswith("+84") else digits
    return {
        digits,
        national,
        "+84" + national[1:],
        national[1:],
        f"{national[:4]} {national[4:7]} {national[7:]}",
        f"{national[:4]}.{national[4:7]}.{national[7:]}",
    }


def secrets_of(citizen) -> set[str]:
    values = {
        citizen.full_name,
        citizen.email,
        citizen.citizen_id,
        O311_FIRST,
        O311_LAST,
        f"{O311_FIRST} {O311_LAST}",
        O311_EMAIL,
        "device-123",
        "acct-42",
        "HUE-SECRET-ANSWER",
    }
    values |= spellings(citizen.phone) | spellings(O311_PHONE)
    return {v for v in values if v}


def assert_clean(content: bytes, secrets: set[str], where: str) -> None:
    for value in secrets:
        for encoded in {value.encode(), json.dumps(value).strip('"').encode()}:
            assert encoded not in content, f"{value!r} leaked in {where}"


@pytest.fixture
def stories(client, make_report, citizen, api_key, questions, operator, officer, lighting_rule):
    """A citizen's report answered and resolved, and an Open311 report with a full contact."""
    mine = make_report(answers={"so-cot": "7", "ghi-chu": "HUE-SECRET-ANSWER"})
    services.report_route(report_id=mine.pk, actor=operator)
    services.report_accept(report_id=mine.pk, actor=officer)
    services.report_resolve(report_id=mine.pk, actor=officer, result="Đã sửa.")
    services.report_rate(report_id=mine.pk, actor=citizen, rating=4, comment="Cảm ơn")
    data = post_data(
        api_key, **{"attribute[so-cot]": "9", "attribute[ghi-chu]": "HUE-SECRET-ANSWER"}
    )
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 200, response.content
    return [mine.pk, int(json.loads(response.content)[0]["service_request_id"])]


def test_no_get_output_carries_personal_data(client, citizen, stories):
    secrets = secrets_of(citizen)
    urls = []
    for fmt in ("xml", "json"):
        urls += [
            f"{BASE}/requests.{fmt}",
            f"{BASE}/requests.{fmt}?service_request_id={stories[0]},{stories[1]}",
            f"{BASE}/services.{fmt}",
            f"{BASE}/services/chieu-sang.{fmt}",
            f"{BASE}/discovery.{fmt}",
        ]
        urls += [f"{BASE}/requests/{pk}.{fmt}" for pk in stories]
    urls += [
        "/open-data/reports.csv",
        "/open-data/reports.geojson",
        "/open-data/reports.csv-metadata.json",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if "/requests/" in url:  # one request: its own id is there
            pk = url.rsplit("/", 1)[1].split(".")[0]
            assert (f"<service_request_id>{pk}</service_request_id>".encode() in content
                    or f'"service_request_id": "{pk}",'.encode() in content), url
        elif ("requests" in url or "reports." in url) and "metadata" not in url:  # lists: both
            for pk in stories:
                assert str(pk).encode() in content, url
        assert_clean(content, secrets, url)
