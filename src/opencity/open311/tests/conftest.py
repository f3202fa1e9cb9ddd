"""Fixtures and helpers for the Open311 and open-data tests (the shared cast is in
``opencity/conftest.py``)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.open311.services import api_key_issue
from opencity.reports.models import CategoryQuestion

BASE = "/open311/v2"
JURISDICTION = "hue.gov.vn"
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'

# The reporter of the Open311 stories: none of this may ever leave in a GET.
O311_FIRST, O311_LAST = "Lê Thị", "Hoa Phượng"
O311_PHONE = "0912 345 678"
O311_EMAIL = "hoaphuong@example.vn"


@pytest.fixture
def api_key(db):
    key, raw = api_key_issue(
        name="Đối tác thử nghiệm", application="311 Test App", rate_limit_per_minute=100
    )
    key.raw = raw
    return key


@pytest.fixture
def questions(lighting):
    """One question of every kind on the street-lighting category."""
    specs = [
        ("so-cot", "Số hiệu cột đèn", "Pole number", "number", True, []),
        ("ngay-phat-hien", "Ngày phát hiện", "Date noticed", "date", False, []),
        (
            "loai-hong",
            "Loại hư hỏng",
            "Kind of fault",
            "single",
            False,
            [
                {"key": "tat", "vi": "Đèn tắt", "en": "Off"},
                {"key": "chap-chon", "vi": "Chập chờn", "en": "Flickering"},
            ],
        ),
        (
            "thoi-diem",
            "Thời điểm",
            "When",
            "multiple",
            False,
            [
                {"key": "dem", "vi": "Ban đêm", "en": "Night"},
                {"key": "ngay", "vi": "Ban ngày", "en": "Day"},
            ],
        ),
        ("ghi-chu", "Ghi chú thêm", "Other notes", "text", False, []),
    ]
    return [
        CategoryQuestion.objects.create(
            category=lighting,
            code=code,
            label_vi=vi,
            label_en=en,
            kind=kind,
            required=required,
            choices=choices,
            order=i,
        )
        for i, (code, vi, en, kind, required, choices) in enumerate(specs)
    ]


def post_data(key, /, **overrides) -> dict:
    """A complete, valid POST for ``key``; ``None`` drops a parameter."""
    data = {
        "api_key": key.raw,
        "jurisdiction_id": JURISDICTION,
        "service_code": "chieu-sang",
        "lat": str(STORY_LAT),
        "long": str(STORY_LON),
        "description": "Đèn đường trước số nhà 31 bị tắt ba đêm nay.",
        "first_name": O311_FIRST,
        "last_name": O311_LAST,
        "phone": O311_PHONE,
        "email": O311_EMAIL,
        "device_id": "device-123",
        "account_id": "acct-42",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def xml_root(response) -> ET.Element:
    """Parse the body as XML, checking what the specification requires of every document."""
    body = response.content
    assert body.startswith(XML_DECLARATION), body[:80]
    assert response["Content-Type"] == XML_TYPE
    root = ET.fromstring(body)
    for element in root.iter():
        assert not element.tag.startswith("{"), f"namespaced tag {element.tag}"
        assert not element.attrib, f"attributes on <{element.tag}>"
    assert b"xmlns" not in body
    return root


def json_body(response):
    assert response["Content-Type"] == JSON_TYPE
    return json.loads(response.content.decode("utf-8"))


def assert_error(response, status: int, fmt: str = "json", *, mentions: str | None = None) -> str:
    """The specification's error document with the given HTTP status; returns the description."""
    assert response.status_code == status, response.content
    if fmt == "xml":
        root = xml_root(response)
        assert root.tag == "errors"
        errors = root.findall("error")
        assert errors and all({c.tag for c in e} == {"code", "description"} for e in errors)
        code, description = errors[0].findtext("code"), errors[0].findtext("description")
        assert code == str(status)
    else:
        body = json_body(response)
        assert isinstance(body, list) and body
        assert all(set(e) == {"code", "description"} for e in body)
        code, description = body[0]["code"], body[0]["description"]
        assert code == status
    assert description
    if mentions:
        assert mentions in description, description
    return description
