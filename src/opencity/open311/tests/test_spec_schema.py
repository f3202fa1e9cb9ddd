"""Every Open311 JSON answer against our GeoReport v2 JSON Schemas (open311/schemas/), as the
public schema (open311/schema-validation) and typed clients read them: ids and codes are strings
(issue #14, operators 8). ``conftest.json_body`` checks every JSON answer of the other tests
too; these name each endpoint once."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from .conftest import (
    BASE,
    SCHEMAS,
    assert_valid,
    json_body,
    post_data,
    schema_for,
    validator,
    xml_root,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", sorted(p.name for p in SCHEMAS.glob("*.json")))
def test_each_schema_is_a_valid_json_schema(path):
    Draft202012Validator.check_schema(json.loads((SCHEMAS / path).read_text()))


def test_a_numeric_service_request_id_is_refused_by_the_schema():
    item = {"service_request_id": 12, "status": "open", "service_code": "chieu-sang",
            "requested_datetime": "2026-12-01T08:00:00+07:00"}
    assert list(validator("requests.json").iter_errors([item]))
    item["service_request_id"] = "12"
    assert not list(validator("requests.json").iter_errors([item]))


def test_a_datetime_without_a_time_zone_is_refused_by_the_schema():
    item = {"service_request_id": "12", "status": "open", "service_code": "x",
            "requested_datetime": "2026-12-01T08:00:00"}
    assert list(validator("request.json").iter_errors(item))


@pytest.mark.parametrize(("method", "path", "status", "schema"), [
    ("GET", f"{BASE}/discovery.json", 200, "discovery.json"),
    ("GET", f"{BASE}/services.json", 200, "services.json"),
    ("GET", f"{BASE}/services/chieu-sang.json", 200, "service-definition.json"),
    ("GET", f"{BASE}/requests.json", 200, "requests.json"),
    ("GET", f"{BASE}/requests/5.json", 200, "requests.json"),
    ("POST", f"{BASE}/requests.json", 200, "post-response.json"),
    ("GET", f"{BASE}/requests/5.json", 404, "errors.json"),
    ("GET", "/open-data/reports.csv", 200, None),
])
def test_each_answer_is_checked_against_its_schema(method, path, status, schema):
    assert schema_for(method, path, status) == schema


def test_discovery(client):
    assert_valid(json_body(client.get(f"{BASE}/discovery.json")), "discovery.json")


def test_services_and_a_service_definition(client, lighting, questions):
    services = json_body(client.get(f"{BASE}/services.json"))
    assert_valid(services, "services.json")
    assert all(isinstance(s["service_code"], str) for s in services)
    definition = json_body(client.get(f"{BASE}/services/{lighting.code}.json"))
    assert_valid(definition, "service-definition.json")
    lists = [a for a in definition["attributes"] if a["datatype"].endswith("valuelist")]
    assert lists and all(isinstance(v["key"], str) for a in lists for v in a["values"])


def test_requests_list_and_one_in_json_and_xml(client, make_report):
    report = make_report()
    listed = json_body(client.get(f"{BASE}/requests.json"))
    assert_valid(listed, "requests.json")
    assert [r["service_request_id"] for r in listed] == [str(report.pk)]
    one = json_body(client.get(f"{BASE}/requests/{report.pk}.json", {"extensions": "true"}))
    assert_valid(one, "requests.json")
    assert one[0]["service_request_id"] == str(report.pk)
    assert f'"service_request_id": "{report.pk}"' in client.get(f"{BASE}/requests.json").content.decode()
    root = xml_root(client.get(f"{BASE}/requests/{report.pk}.xml"))
    assert root.find("request").findtext("service_request_id") == str(report.pk)


def test_the_answer_to_a_post(client, api_key, lighting):
    body = json_body(client.post(f"{BASE}/requests.json", post_data(api_key)))
    assert_valid(body, "post-response.json")
    assert isinstance(body[0]["service_request_id"], str) and body[0]["service_request_id"].isdigit()


@pytest.mark.parametrize("path", ["requests/999999.json", "services/khong-co.json", "tokens/abc.json",
                                  "nowhere.json"])
def test_errors(client, path):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    assert_valid(json.loads(response.content), "errors.json")
