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
    """The city's wards and communes by name, without their boundaries and former units (large
    JSON: ask for them with ``.defer(None)`` or ``.only(...)``)."""
    return Area.objects.filter(parent__code=settings.OPENCITY_CITY_CODE).order_by("name").defer("boundary", "old_units")


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
    _names.cache_clear()


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
    return _area(area_id) if area_id else None


def _area(area_id: int) -> Area:
    """One ward for a report or a profile: without its boundary and pre-2025 units (JSON that
    is large to read and decode, and that callers of a lookup do not need)."""
    return Area.objects.defer("boundary", "old_units").get(pk=area_id)


_KIND = r"^(phường|xã|thị trấn|đặc khu)\s+"
# The old and the new spelling put the tone mark on different letters ("Thuỷ"/"Thủy",
# "Hoà"/"Hòa"): names are compared in one style.
_TONE_STYLE = {
    unicodedata.normalize("NFC", a + b + tone): unicodedata.normalize("NFC", a + tone + b)
    for a, b in (("o", "a"), ("o", "e"), ("u", "y"))
    for tone in "\u0300\u0301\u0309\u0303\u0323"
}
_TONE_RE = re.compile("|".join(_TONE_STYLE))


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("–", "-").replace("—", "-")
    text = _TONE_RE.sub(lambda m: _TONE_STYLE[m.group()], text)
    return re.sub(r"\s+", " ", text.strip())


def _fold(text: str) -> str:
    """The name without its kind ("phường Thuận Lộc" → "thuận lộc")."""
    return re.sub(_KIND, "", _norm(text))


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, int], ...]:
    """Exact names → area id, most precise first: new name with its kind ("phường phú xuân"),
    pre-2025 name with its kind ("xã phú xuân", today Xã Phú Hồ), new bare name, and pre-2025
    bare name where that is unambiguous and not also a new name."""
    new_full: dict[str, int] = {}
    new_bare: dict[str, int] = {}
    old_full: dict[str, int] = {}
    old_bare: dict[str, int] = {}
    ambiguous: set[str] = set()
    areas = list(wards().only("id", "name", "old_units"))
    for a in areas:
        new_full[_norm(a.name)] = a.id
        new_bare[_fold(a.name)] = a.id
    for a in areas:
        for old in a.old_units or []:
            name = old.get("name") or ""
            if not name:
                continue
            old_full.setdefault(_norm(name), a.id)
            bare = _fold(name)
            if old_bare.get(bare, a.id) != a.id or new_bare.get(bare, a.id) != a.id:
                ambiguous.add(bare)
            old_bare[bare] = a.id
    for bare in ambiguous:
        old_bare.pop(bare, None)
    return new_full, old_full, new_bare, old_bare


# The converter's time grows with the number of comma-separated parts (~25 ms each: an anonymous
# lookup of 255 characters, "a,a,a,…", took 3 s). An address names its ward in its last few
# parts (…, ward, district, province), so only those are given to it.
CONVERTER_PARTS = 6


@lru_cache(maxsize=1)
def _converter():
    from .converter_cache import converter

    return converter()  # its tables from VAR_DIR/cache when a previous start kept them


def area_for_address(text: str) -> Area | None:
    """Find the ward of a typed address, old (pre-2025) or new.

    "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc" → Phường Phú Xuân. First the exact names of our
    own data (new wards and the pre-2025 units each absorbed, from the boundary file), part by
    part from the end, then such a name with its kind anywhere in the text; only then the
    converter, which knows every pre-2025 unit and tolerates spelling, but takes seconds to
    load and matches loosely (it reads "Phường Thuận Hòa", today in Phú Xuân, as the new
    "Phường Thuận Hóa").
    """
    text = (text or "").strip()
    if not text:
        return None
    folded = _norm(text)
    tables = _names()
    for part in reversed([p.strip() for p in folded.split(",")]):
        for table in tables:
            if part in table:
                return _area(table[part])
    # A known name with its kind anywhere in the text, even without commas.
    new_full, old_full, new_bare, _old_bare = tables
    for table in (new_full, old_full):
        for name in sorted(table, key=len, reverse=True):
            if re.search(rf"(^|[\s,]){re.escape(name)}($|[\s,.])", folded):
                return _area(table[name])
    # Anything else goes to the converter (it knows every pre-2025 unit of the country).
    tail = ",".join(text.split(",")[-CONVERTER_PARTS:]).strip()
    candidates = [tail]
    if "huế" not in _norm(tail) and "hue" not in _norm(tail):
        candidates.append(f"{tail}, Thành phố Huế")
    for candidate in candidates:
        try:
            result = _converter().auto_convert_address(candidate)
        except Exception:  # the converter raises on text it cannot parse
            logger.debug("address conversion failed for %r", candidate, exc_info=True)
            continue
        new = (result or {}).get("converted_new") or {}
        province = (new.get("province") or {}).get("name_with_type") or ""
        ward = _norm((new.get("ward") or {}).get("name_with_type") or "")
        if ward and "Huế" in province and ward in new_full:
            return _area(new_full[ward])
    return None


def warm_up() -> None:
    """Load the address converter's tables before the first request needs them: about 0.3 s
    from the copy a previous start kept (``converter_cache``), about 15 s of a core without."""
    try:
        _converter().auto_convert_address("Kiệt 32 Lê Văn Hưu, phường Thuận Lộc, Thành phố Huế")
    except Exception:  # pragma: no cover - warming is best effort
        logger.warning("address converter warm-up failed", exc_info=True)


def boundaries_geojson() -> dict:
    features = []
    for a in wards().defer(None).exclude(boundary=None):
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
