"""OASIS CAP 1.2 documents for warning messages.

One ``<alert>`` per message; one ``<info>`` per language (vi-VN always, en-US when English text
was given); one ``<area>`` per targeted ward or commune with its boundary as CAP polygons and
its official code as a geocode (``VN-ward-code``), or one ``<area>`` for the whole city (the
union of the wards' boundaries, geocode ``VN-province-code``). Element order follows the
schema (CAP-v1.2.xsd); tests validate every document against it.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import unary_union

from opencity.geo.collation import sorted_vi
from opencity.lib.urls import absolute

from .models import EventType, Message

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_CONTENT_TYPE = "application/cap+xml; charset=utf-8"
WARD_GEOCODE = "VN-ward-code"
PROVINCE_GEOCODE = "VN-province-code"
EVENT_CODE = "OpenCity-event"
# A CAP polygon is read by phones and sirens' controllers: keep each part to a sane size.
MAX_POLYGON_POINTS = 200
LANGUAGES = (("vi", "vi-VN"), ("en", "en-US"))
_VN = ZoneInfo("Asia/Ho_Chi_Minh")
# What XML 1.0 cannot carry: C0 controls but tab, line feed and carriage return; surrogates;
# U+FFFE and U+FFFF. A warning's text may hold them (pasted from elsewhere); left in, they make
# the CAP document unreadable and the Atom feed a 500.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", value)


def cap_datetime(value: dt.datetime) -> str:
    """``2025-10-28T07:30:00+07:00``: seconds, and an explicit offset (never ``Z``)."""
    text = value.astimezone(_VN).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S%z")
    return f"{text[:-2]}:{text[-2:]}"


def reference(message: Message) -> str:
    return f"{message.sender},{message.identifier},{cap_datetime(message.sent)}"


def _simplified(poly: Polygon, max_points: int) -> Polygon:
    """The polygon's outline with at most ``max_points`` points, still a valid polygon."""
    poly = Polygon(poly.exterior)  # CAP polygons have no holes
    if not poly.is_valid:
        poly = poly.buffer(0)
        if isinstance(poly, MultiPolygon):
            poly = max(poly.geoms, key=lambda p: p.area)
    tolerance = 0.0002  # about 20 m
    simple = poly
    while len(simple.exterior.coords) > max_points and tolerance < 0.5:
        simple = poly.simplify(tolerance, preserve_topology=True)
        tolerance *= 2
    return simple if simple.is_valid and not simple.is_empty else poly


def cap_polygons(geometry, *, max_points: int = MAX_POLYGON_POINTS) -> list[str]:
    """CAP ``polygon`` texts for a GeoJSON geometry (or shapely geometry): one per part.

    Each is "lat,lon" pairs separated by spaces (WGS 84), closed (first pair = last pair), with
    at least four pairs; parts that collapse below that are left out.
    """
    if geometry is None:
        return []
    geom = geometry if hasattr(geometry, "geom_type") else shape(geometry)
    parts = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    texts = []
    for part in parts:
        if not isinstance(part, Polygon) or part.is_empty:
            continue
        simple = _simplified(part, max_points)
        pairs = []
        for lon, lat, *_rest in simple.exterior.coords:
            pair = f"{lat:.5f},{lon:.5f}"
            if not pairs or pairs[-1] != pair:
                pairs.append(pair)
        if pairs and pairs[0] != pairs[-1]:
            pairs.append(pairs[0])
        if len(pairs) >= 4 and len(set(pairs)) >= 3:
            texts.append(" ".join(pairs))
    return texts


def city_geometry():
    """The union of the wards' boundaries (the city row has none of its own)."""
    from opencity.geo.selectors import wards

    shapes = [shape(a.boundary) for a in wards().exclude(boundary=None).only("boundary")]
    if not shapes:
        return None
    union = unary_union([s if s.is_valid else s.buffer(0) for s in shapes])
    # Slivers between neighbouring boundaries: close them, then drop specks.
    union = union.buffer(0.0005).buffer(-0.0005)
    if hasattr(union, "geoms"):
        union = MultiPolygon([g for g in union.geoms if isinstance(g, Polygon) and g.area > 1e-6])
    return union


def _sub(parent, tag: str, text: str | None = None):
    el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = xml_text(text)
    return el


def _areas(info, message: Message, city_polygons: list[str] | None) -> None:
    from opencity.geo.selectors import city

    if message.whole_city:
        c = city()
        area = _sub(info, "area")
        _sub(area, "areaDesc", c.name)
        for text in city_polygons if city_polygons is not None else cap_polygons(city_geometry()):
            _sub(area, "polygon", text)
        geocode = _sub(area, "geocode")
        _sub(geocode, "valueName", PROVINCE_GEOCODE)
        _sub(geocode, "value", c.code)
        return
    for ward in sorted_vi(message.areas.all(), key=lambda a: a.name):
        area = _sub(info, "area")
        _sub(area, "areaDesc", ward.name)
        for text in cap_polygons(ward.boundary):
            _sub(area, "polygon", text)
        geocode = _sub(area, "geocode")
        _sub(geocode, "valueName", WARD_GEOCODE)
        _sub(geocode, "value", ward.code)


def build_cap(message: Message, request=None) -> bytes:
    """The message as a CAP 1.2 XML document (UTF-8 bytes); its links on the host that serves
    it (``request``), else ``OPENCITY_SITE_URL``."""
    ET.register_namespace("", CAP_NS)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", message.identifier)
    _sub(root, "sender", message.sender)
    _sub(root, "sent", cap_datetime(message.sent))
    _sub(root, "status", message.status)
    _sub(root, "msgType", message.msg_type)
    _sub(root, "scope", "Public")
    if message.note.strip():
        _sub(root, "note", message.note.strip())
    if message.references:
        _sub(root, "references", message.references)
    web = absolute(reverse("alerts:detail", args=[message.alert_id]), request)
    city_polygons = cap_polygons(city_geometry()) if message.whole_city else None
    for lang, code in LANGUAGES:
        if lang == "en" and not message.has_english:
            continue
        info = _sub(root, "info")
        _sub(info, "language", code)
        _sub(info, "category", message.category)
        with translation.override(lang):
            _sub(info, "event", str(EventType(message.event).label))
        _sub(info, "responseType", message.response_type)
        _sub(info, "urgency", message.urgency)
        _sub(info, "severity", message.severity)
        _sub(info, "certainty", message.certainty)
        event_code = _sub(info, "eventCode")
        _sub(event_code, "valueName", EVENT_CODE)
        _sub(event_code, "value", message.event)
        _sub(info, "effective", cap_datetime(message.effective))
        if message.onset:
            _sub(info, "onset", cap_datetime(message.onset))
        _sub(info, "expires", cap_datetime(message.expires))
        _sub(info, "senderName", message.sender_name)
        _sub(info, "headline", message.headline(lang))
        _sub(info, "description", message.description(lang))
        if message.instruction(lang).strip():
            _sub(info, "instruction", message.instruction(lang))
        _sub(info, "web", web)
        _areas(info, message, city_polygons)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
