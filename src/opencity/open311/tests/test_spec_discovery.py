"""Service discovery (Service_Discovery spec): both formats, every required field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import BASE, assert_error, json_body, xml_root

pytestmark = pytest.mark.django_db


def test_it_serves_discovery_as_xml_with_every_required_field(client):
    root = xml_root(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    for name in ("changeset", "contact", "key_service"):
        assert (root.findtext(name) or "").strip(), name
    endpoints = root.findall("endpoints/endpoint")
    assert len(endpoints) == 1
    endpoint = endpoints[0]
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert endpoint.findtext("type") == "production"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    changeset = dt.datetime.fromisoformat(endpoint.findtext("changeset"))
    assert changeset.tzinfo is not None and changeset <= timezone.now()


def test_it_serves_discovery_as_json_in_the_spark_convention(client):
    body = json_body(client.get(f"{BASE}/discovery.json"))
    # The discovery document is one object, as in the specification's example.
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    assert isinstance(body["endpoints"], list)
    endpoint = body["endpoints"][0]
    assert set(endpoint) == {"specification", "url", "changeset", "type", "formats"}
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert dt.datetime.fromisoformat(body["changeset"]).utcoffset() == dt.timedelta(hours=7)


def test_both_formats_say_the_same(client):
    root = xml_root(client.get(f"{BASE}/discovery.xml"))
    body = json_body(client.get(f"{BASE}/discovery.json"))
    assert root.findtext("contact") == body["contact"]
    assert root.findtext("changeset") == body["changeset"]


def test_the_changeset_moves_when_a_category_is_edited_in_the_admin(client, admin_user, lighting):
    before = json_body(client.get(f"{BASE}/discovery.json"))["changeset"]
    from opencity.lib.audit import audit

    audit(admin_user, "admin.change", lighting)
    after = json_body(client.get(f"{BASE}/discovery.json"))["changeset"]
    assert after > before


def test_it_rejects_post(client):
    response = client.post(f"{BASE}/discovery.json")
    assert_error(response, 405)
    assert "GET" in response["Allow"]


def test_an_unknown_jurisdiction_is_404(client):
    assert_error(
        client.get(f"{BASE}/discovery.xml", {"jurisdiction_id": "hanoi.gov.vn"}),
        404,
        "xml",
        mentions="jurisdiction_id",
    )
