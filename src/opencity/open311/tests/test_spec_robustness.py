"""Bad input never gives a 500: every parameter of every endpoint, with values a fuzzer would
try (schemathesis-style, but deterministic), answers a well-formed Open311 document."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from .conftest import BASE, post_data

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x1f",
    "ü" * 10_000,
    "9" * 400,
    "9" * 5000,  # past int()'s 4300-digit limit
    "1," * 1001,
    "-1",
    "0",
    "1e309",
    "NaN",
    "-inf",
    "2025-13-45",
    "<xml>&",
    "'; DROP TABLE reports_report; --",
    "%00",
    "%",
    "../../etc/passwd",
    "☃,🚧",
    ",,,",
    "open,",
    "1,,2",
    "\ud7ff",
    "true",
    "[]",
    "{}",
]
GET_PARAMS = [
    "jurisdiction_id",
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
]
POST_PARAMS = [
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "media_url",
    "email",
    "first_name",
    "last_name",
    "phone",
    "device_id",
    "account_id",
    "attribute[so-cot]",
    "attribute[thoi-diem][]",
    "attribute[\x00]",
    "jurisdiction_id",
]


def _well_formed(response, fmt: str) -> None:
    assert response.status_code < 500, response.content[:300]
    if fmt == "xml":
        ET.fromstring(response.content)
    else:
        json.loads(response.content)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_get_requests_never_fails(client, make_report, fmt):
    make_report()
    for name in GET_PARAMS:
        for value in NASTY:
            _well_formed(client.get(f"{BASE}/requests.{fmt}", {name: value}), fmt)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_paths_never_fail(client, lighting, fmt):
    for value in [
        "%00",
        "%C3%BC" * 300,
        "..",
        "a.b",
        "9" * 40,
        "9" * 5000,
        "%FF",
        "%2F",
        "chieu-sang%00",
    ]:
        for path in ("services/{}", "requests/{}", "tokens/{}"):
            _well_formed(client.get(f"{BASE}/{path.format(value)}.{fmt}"), fmt)
        for endpoint in ("discovery", "services", "requests"):
            _well_formed(client.get(f"{BASE}/{endpoint}.{fmt}", {"jurisdiction_id": value}), fmt)


def test_post_requests_never_fails(client, api_key, questions):
    for name in POST_PARAMS:
        for value in NASTY:
            data = post_data(api_key, **{name: value})
            _well_formed(client.post(f"{BASE}/requests.json", data), "json")


def test_open_data_never_fails(client, make_report):
    make_report()
    for name in ("from", "to", "category", "ward", "status"):
        for value in NASTY:
            for url in ("/open-data/reports.csv", "/open-data/reports.geojson"):
                response = client.get(url, {name: value})
                assert response.status_code < 500, (name, value)
                if response.streaming:
                    b"".join(response.streaming_content)
