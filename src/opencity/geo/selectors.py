"""Reads on areas: point → ward, address → ward, boundaries as GeoJSON."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

from django.conf import settings
from shapely.geometry import Point, shape
from shapely.prepared import prep

from .models import Area, AreaKind

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_index: list[tuple[int, object, tuple[float, float, float, float]]] | None = None


def city() -> Area:
    return Area.objects.get(code=settings.OPENCITY_CITY_CODE)


def wards():
    return Area.objects.filter(parent__code=settings.OPENCITY_CITY_CODE).order_by("name")


def _build_index():
    global _index
    with _lock:
        if _index is None:
            rows = []
            for area in wards().exclude(boundary=None).only("id", "boundary"):
                geom = shape(area.boundary)
                rows.append((area.id, prep(geom), geom.bounds))
            _index = rows
    return _index


def reset_index() -> None:
    """Forget cached boundaries (after they change, and between tests)."""
    global _index
    with _lock:
        _index = None
    _area_by_name.cache_clear()


def area_id_for_point(lat: float, lon: float) -> int | None:
    pt = Point(lon, lat)
    for area_id, geom, (minx, miny, maxx, maxy) in _build_index():
        if minx <= lon <= maxx and miny <= lat <= maxy and geom.contains(pt):
            return area_id
    # Boundaries are simplified: a point on a sliver between two wards goes to the nearest.
    best, best_d = None, 0.002  # about 200 m
    for area_id, geom, (minx, miny, maxx, maxy) in _build_index():
        if minx - best_d <= lon <= maxx + best_d and miny - best_d <= lat <= maxy + best_d:
            d = geom.context.distance(pt)
            if d < best_d:
                best, best_d = area_id, d
    return best


def area_for_point(lat: float, lon: float) -> Area | None:
    area_id = area_id_for_point(lat, lon)
    return Area.objects.get(pk=area_id) if area_id else None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("–", "-").replace("—", "-")
    text = re.sub(r"^(phường|xã|thị trấn|đặc khu)\s+", "", text.strip())
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=1)
def _area_by_name() -> dict[str, int]:
    return {_fold(a.name): a.id for a in wards()}


@lru_cache(maxsize=1)
def _converter():
    from vietnam_address_converter import create_converter

    return create_converter()


def area_for_address(text: str) -> Area | None:
    """Find the ward of a typed address, old (pre-2025) or new.

    "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc" → Phường Phú Xuân. The converter knows every
    pre-2025 ward; a bare new ward name is matched directly.
    """
    text = (text or "").strip()
    if not text:
        return None
    folded = _fold(text)
    by_name = _area_by_name()
    for part in reversed([p.strip() for p in folded.split(",")]):
        if _fold(part) in by_name:
            return Area.objects.get(pk=by_name[_fold(part)])
    candidates = [text]
    if "huế" not in folded and "hue" not in folded:
        candidates.append(f"{text}, Thành phố Huế")
    for candidate in candidates:
        try:
            result = _converter().auto_convert_address(candidate)
        except Exception:  # the converter raises on text it cannot parse
            logger.debug("address conversion failed for %r", candidate, exc_info=True)
            continue
        new = (result or {}).get("converted_new") or {}
        province = (new.get("province") or {}).get("name_with_type") or ""
        ward = (new.get("ward") or {}).get("name_with_type") or ""
        if ward and "Huế" in province and _fold(ward) in by_name:
            return Area.objects.get(pk=by_name[_fold(ward)])
    # Finally: an old unit named in our own boundary data ("old_units").
    for area in wards().only("id", "name", "old_units"):
        for old in area.old_units or []:
            name = _fold(old.get("name", ""))
            if name and re.search(rf"(^|[\s,]){re.escape(name)}($|[\s,])", folded):
                return area
    return None


def boundaries_geojson() -> dict:
    features = []
    for a in wards().exclude(boundary=None):
        features.append(
            {
                "type": "Feature",
                "geometry": a.boundary,
                "properties": {"id": a.id, "code": a.code, "name": a.name, "kind": a.kind},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def in_city_bbox(lat: float, lon: float) -> bool:
    c = city()
    if c.min_lat is None:
        return True
    return c.min_lat - 0.01 <= lat <= c.max_lat + 0.01 and c.min_lon - 0.01 <= lon <= c.max_lon + 0.01


__all__ = ["AreaKind"]
