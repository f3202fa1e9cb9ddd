"""Fixtures and helpers for the Open311 and open-data tests (the shared cast is in
``opencity/conftest.py``)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

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


SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


@cache
def _registry() -> Registry:
    """Our GeoReport v2 JSON Schemas (open311/schemas/), each known by its file name."""
    return Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text())))
        for path in SCHEMAS.glob("*.json")
    )


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(_registry().contents(name), registry=_registry())


def schema_for(method: str, path: str, status: int) -> str | None:
    """Which schema an Open311 JSON answer must satisfy, by its request and status."""
    if not path.startswith(f"{BASE}/"):
        return None
    if status >= 400:
        return "errors.json"
    endpoint = path[len(BASE) + 1:]
    if endpoint == "discovery.json":
        return "discovery.json"
    if endpoint == "services.json":
        return "services.json"
    if re.fullmatch(r"services/[^/]+\.json", endpoint):
        return "service-definition.json"
    if endpoint == "requests.json":
        return "post-response.json" if method == "POST" else "requests.json"
    if re.fullmatch(r"requests/[^/]+\.json", endpoint):
        return "requests.json"
    return None


def assert_valid(body, name: str) -> None:
    errors = sorted(validator(name).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{name}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])


def json_body(response):
    """The JSON answer, checked against our GeoReport v2 JSON Schema for its endpoint (every
    Open311 test that reads JSON goes through here)."""
    assert response["Content-Type"] == JSON_TYPE
    body = json.loads(response.content.decode("utf-8"))
    request = getattr(response, "request", None) or {}
    name = schema_for(request.get("REQUEST_METHOD", "GET"), request.get("PATH_INFO", ""),
                      response.status_code)
    if name:
        assert_valid(body, name)
    return body


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
