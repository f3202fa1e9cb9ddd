"""Our server driven by an existing Open311 client from PyPI: ``georeport`` (GeoReport v2,
Python 3.9+, requests + xmltodict), over HTTP against pytest-django's live server.

``georeport`` reads (services, definitions, requests) but cannot create requests, so the POST
is made with ``requests`` exactly as an Open311 client sends it (form-encoded), and read back
through the library.
"""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.open311.services import api_key_issue
from opencity.reports import services

from .conftest import JURISDICTION

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def endpoint(live_server) -> str:
    return live_server.url + "/open311/v2/"


@pytest.fixture
def posted(endpoint, lighting, questions):
    """One request created over HTTP, as a client would."""
    _key, raw = api_key_issue(name="Ứng dụng 311", application="georeport test")
    response = requests.post(
        endpoint + "requests.json",
        data={
            "api_key": raw,
            "jurisdiction_id": JURISDICTION,
            "service_code": "chieu-sang",
            "lat": STORY_LAT,
            "long": STORY_LON,
            "description": "Đèn đường không sáng",
            "first_name": "Lê",
            "last_name": "Hoa",
            "phone": "0912345678",
            "attribute[so-cot]": "12",
            "attribute[thoi-diem][]": ["dem", "ngay"],
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return response.json()[0]["service_request_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_services_and_definitions(endpoint, lighting, questions, fmt):
    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format=fmt)
    service_list = client.get_service_list()
    service = (
        service_list[0] if isinstance(service_list, list) else service_list
    )  # xmltodict: one → dict
    assert service["service_code"] == "chieu-sang"
    assert service["service_name"] == "Chiếu sáng công cộng"
    assert str(service["metadata"]).lower() == "true"
    definition = client.get_service_definition("chieu-sang")
    attributes = (
        definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    )
    assert [a["code"] for a in attributes][:2] == ["so-cot", "ngay-phat-hien"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_requests_and_one_request(endpoint, posted, fmt):
    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format=fmt)
    found = client.get_service_requests(service_code="chieu-sang", status="open")
    found = found if isinstance(found, list) else [found]
    assert [str(r["service_request_id"]) for r in found] == [str(posted)]
    one = client.get_service_request(str(posted))
    assert str(one["service_request_id"]) == str(posted)
    assert one["status"] == "open" and one["service_code"] == "chieu-sang"
    assert "Lê Hoa" not in str(one) and "912345678" not in str(one)


def test_the_client_follows_a_request_to_closed(endpoint, posted, operator, officer, urban_works):
    services.report_route(report_id=posted, actor=operator, unit_id=urban_works.pk)
    services.report_accept(report_id=posted, actor=officer)
    services.report_resolve(report_id=posted, actor=officer, result="Đã thay bóng đèn.")
    one = GeoReport(endpoint, jurisdiction=JURISDICTION).get_service_request(str(posted))
    assert one["status"] == "closed"
    assert one["agency_responsible"] == urban_works.name
    closed = GeoReport(endpoint, output_format="xml").get_service_requests(
        service_request_id=str(posted)
    )
    assert closed["status"] == "closed"  # xmltodict: a single request is a dict


def test_the_client_sees_errors_as_http_errors(endpoint, lighting):
    client = GeoReport(endpoint, jurisdiction="hanoi.gov.vn")
    with pytest.raises(requests.HTTPError) as exc:
        client.get_service_list()
    assert exc.value.response.status_code == 404
    assert exc.value.response.json()[0]["code"] == 404
    with pytest.raises(requests.HTTPError) as exc:
        GeoReport(endpoint).get_service_requests(
            start_date="2020-01-01T00:00:00Z", end_date="2021-01-01T00:00:00Z"
        )
    assert exc.value.response.status_code == 400
