"""GET Service List and GET Service Definition, from the GeoReport v2 specification."""

from __future__ import annotations

import pytest

from opencity.reports.models import Category

from .conftest import BASE, JURISDICTION, assert_error, json_body, xml_root

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
}


@pytest.fixture
def flooding(db):
    return Category.objects.create(
        code="ngap-ung", name_vi="Ngập úng", name_en="Flooding", group="Hạ tầng"
    )


def test_services_list_our_active_categories_as_xml(client, lighting, flooding, questions):
    Category.objects.create(code="cu", name_vi="Cũ", name_en="Old", is_active=False)
    root = xml_root(client.get(f"{BASE}/services.xml", {"jurisdiction_id": JURISDICTION}))
    assert root.tag == "services"
    services = {s.findtext("service_code"): s for s in root.findall("service")}
    assert set(services) == {"chieu-sang", "ngap-ung"}
    light = services["chieu-sang"]
    assert [child.tag for child in light] == SERVICE_FIELDS
    assert light.findtext("service_name") == "Chiếu sáng công cộng"
    assert light.findtext("metadata") == "true"  # it has questions
    assert services["ngap-ung"].findtext("metadata") == "false"
    assert light.findtext("type") == "realtime"
    assert "Street lighting" in light.findtext("keywords")
    assert services["ngap-ung"].findtext("group") == "Hạ tầng"
    assert light.findtext("description")


def test_services_list_is_a_json_array(client, lighting, flooding):
    body = json_body(client.get(f"{BASE}/services.json"))
    assert isinstance(body, list) and len(body) == 2
    assert all(list(s) == SERVICE_FIELDS for s in body)
    by_code = {s["service_code"]: s for s in body}
    assert by_code["chieu-sang"]["metadata"] is False  # no questions in this test
    assert by_code["chieu-sang"]["group"] is None  # empty → null


def test_an_empty_list_is_still_a_document(client):
    assert json_body(client.get(f"{BASE}/services.json")) == []
    root = xml_root(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root) == 0


def test_service_definition_maps_our_question_kinds(client, lighting, questions):
    root = xml_root(client.get(f"{BASE}/services/chieu-sang.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "chieu-sang"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == [
        "so-cot",
        "ngay-phat-hien",
        "loai-hong",
        "thoi-diem",
        "ghi-chu",
    ]
    assert [a.findtext("datatype") for a in attributes] == [
        "number",
        "datetime",
        "singlevaluelist",
        "multivaluelist",
        "string",
    ]
    assert [a.findtext("required") for a in attributes] == [
        "true",
        "false",
        "false",
        "false",
        "false",
    ]
    assert all(a.findtext("variable") == "true" for a in attributes)
    orders = [int(a.findtext("order")) for a in attributes]
    assert orders == sorted(set(orders)) and min(orders) >= 1
    assert attributes[0].findtext("description") == "Số hiệu cột đèn"
    assert all(ATTRIBUTE_FIELDS <= {c.tag for c in a} for a in attributes)
    values = attributes[2].findall("values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("tat", "Đèn tắt"),
        ("chap-chon", "Chập chờn"),
    ]
    assert attributes[0].find("values") is None


def test_service_definition_as_json(client, lighting, questions):
    body = json_body(client.get(f"{BASE}/services/chieu-sang.json", {"jurisdiction_id": ""}))
    assert set(body) == {"service_code", "attributes"}
    multiple = body["attributes"][3]
    assert multiple["datatype"] == "multivaluelist"
    assert multiple["values"] == [
        {"key": "dem", "name": "Ban đêm"},
        {"key": "ngay", "name": "Ban ngày"},
    ]
    assert body["attributes"][0]["required"] is True and body["attributes"][0]["order"] == 1


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_service_code_is_404(client, fmt):
    assert_error(client.get(f"{BASE}/services/khong-co.{fmt}"), 404, fmt, mentions="service_code")


def test_an_inactive_category_has_no_definition(client, lighting):
    lighting.is_active = False
    lighting.save()
    assert_error(client.get(f"{BASE}/services/chieu-sang.json"), 404)


@pytest.mark.parametrize(
    "path", ["services.html", "services.XML", "services", "services/chieu-sang", "nothing.xml"]
)
def test_an_unknown_format_or_path_is_404_in_the_error_format(client, lighting, path):
    assert_error(client.get(f"{BASE}/{path}"), 404, "xml")


def test_services_reject_post(client, lighting):
    assert_error(client.post(f"{BASE}/services.json"), 405)
    assert_error(client.post(f"{BASE}/services/chieu-sang.xml"), 405, "xml")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_jurisdiction_is_404(client, lighting, fmt):
    assert_error(
        client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "x"}),
        404,
        fmt,
        mentions="jurisdiction_id",
    )
    assert_error(
        client.get(f"{BASE}/services/chieu-sang.{fmt}", {"jurisdiction_id": "x"}), 404, fmt
    )


def test_an_empty_jurisdiction_behaves_as_absent(client, lighting):
    assert (
        client.get(f"{BASE}/services.xml", {"jurisdiction_id": ""}).content
        == client.get(f"{BASE}/services.xml").content
    )
