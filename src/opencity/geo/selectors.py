"""Reads on areas: point → ward, address → ward, boundaries as GeoJSON."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError
from shapely.geometry import Point, shape
from shapely.prepared import prep

from . import collation, old_units
from .models import Area, AreaKind

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_index: list[tuple[int, object, tuple[float, float, float, float]]] | None = None


def city() -> Area:
    return Area.objects.get(code=settings.OPENCITY_CITY_CODE)


def wards():
    """The city's wards and communes in Vietnamese alphabetical order (``collation``: "Đ" after
    "D", not after "Y"), without their boundaries and former units (large JSON: ask for them
    with ``.defer(None)`` or ``.only(...)``)."""
    wards = Area.objects.filter(parent__code=settings.OPENCITY_CITY_CODE).defer("boundary", "old_units")
    order = _ward_order()
    if not order:
        return wards.order_by("name")
    return wards.order_by(collation.position(order), "name")


_order: tuple[int, ...] | None = None


def _ward_order() -> tuple[int, ...]:
    """The wards' ids in Vietnamese order of their names (read once; ``reset_index`` forgets it).
    The databases' own order is by code point, and SQLite has no Vietnamese collation."""
    global _order
    if _order is None:
        try:
            rows = list(Area.objects.filter(parent__code=settings.OPENCITY_CITY_CODE).values_list("pk", "name"))
        except DatabaseError:  # before the first migration
            return ()
        _order = tuple(pk for pk, _name in sorted(rows, key=lambda row: collation.sort_key(row[1])))
    return _order


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
    global _index, _order
    with _lock:
        _index = None
        _order = None
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


def _ascii(text: str) -> str:
    """The name as typed without diacritics ("Thủy Bằng" → "thuy bang", "Đông Ba" → "dong ba")."""
    text = unicodedata.normalize("NFD", _norm(text).replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def _kind_of(name: str) -> str:
    match = re.match(_KIND, _norm(name))
    return match[1] if match else ""


@dataclass(frozen=True)
class _Unit:
    """A name an address may give a ward by: today's, the January–June 2025 one it absorbed
    (``Area.old_units``) or an earlier one (``old_units.FORMER``)."""

    area_id: int
    kind: str  # phường, xã, thị trấn (as the unit was then)
    districts: frozenset[str]  # the districts it belonged to (old_units.districts)
    era: int  # 0 today's name, 1 January–June 2025, 2 before


@dataclass(frozen=True)
class _Index:
    exact: dict[str, list[_Unit]]  # name without its kind, with diacritics → units
    plain: dict[str, list[_Unit]]  # the same without diacritics
    new_full: dict[str, int]  # today's name with its kind → area id


@lru_cache(maxsize=1)
def _names() -> _Index:
    """Every name a ward is known by (today's, January–June 2025's from ``Area.old_units``,
    earlier ones from ``old_units.FORMER``), without its kind, with and without diacritics;
    each with its kind then and its districts, to tell apart units of the same name."""
    exact: dict[str, list[_Unit]] = {}
    plain: dict[str, list[_Unit]] = {}
    new_full: dict[str, int] = {}

    def add(name: str, unit: _Unit) -> None:
        for table, key in ((exact, _fold(name)), (plain, _ascii(_fold(name)))):
            if unit not in table.setdefault(key, []):
                table[key].append(unit)

    areas = list(wards().only("id", "name", "old_units"))
    for a in areas:
        new_full[_norm(a.name)] = a.id
    for a in areas:
        reach = {old_units.HUE}
        for old in a.old_units or []:
            name, code = old.get("name") or "", old.get("code")
            if name:
                reach |= old_units.districts(code)
                add(name, _Unit(a.id, _kind_of(name), old_units.districts(code), 1))
        add(a.name, _Unit(a.id, _kind_of(a.name), frozenset(reach), 0))
    for code, name, today in old_units.FORMER:
        area_id = new_full.get(_norm(today))
        if area_id is None:  # another city's data
            continue
        add(name, _Unit(area_id, _kind_of(name), old_units.districts(code), 2))
    return _Index(exact, plain, new_full)


# The kind words of an address, longest first: ward level, district level, province level.
_KIND_WORDS = {
    "thị trấn": "thị trấn", "thi tran": "thị trấn", "tt": "thị trấn",
    "đặc khu": "đặc khu", "dac khu": "đặc khu",
    "phường": "phường", "phuong": "phường", "p": "phường",
    "xã": "xã", "xa": "xã", "x": "xã",
    "thị xã": "district", "thi xa": "district", "tx": "district",
    "thành phố": "district", "thanh pho": "district", "tp": "district",
    "huyện": "district", "huyen": "district", "h": "district",
    "quận": "district", "quan": "district", "q": "district",
    "tỉnh": "province", "tinh": "province",
}
_KIND_RE = re.compile(
    r"(?:^|(?<=[\s,(]))("
    + "|".join(re.escape(k) for k in sorted(_KIND_WORDS, key=len, reverse=True))
    + r")(\.\s*|\s+)(?=\S)"
)
_PROVINCE = {"hue", "thua thien hue", "tt hue", "tt-hue", "viet nam", "vietnam", "vn"}


@dataclass(frozen=True)
class _Part:
    kind: str  # a ward kind, "district", "province" or "" (none said)
    name: str  # normalised, without its kind


def _parts(text: str) -> list[_Part]:
    """The address cut into named parts: at commas, and before each kind word ("Kiệt 32 Lê Văn
    Hưu phường Thuận Lộc thị xã …"). A one-letter abbreviation needs its dot ("P.", "X.")."""
    parts = []
    for chunk in _norm(text).split(","):
        chunk = chunk.strip(" .;")
        matches = []
        for m in _KIND_RE.finditer(chunk):
            if len(m[1]) == 1 and "." not in m[2]:
                continue
            if matches and m.start() == matches[-1].end():
                continue  # "phường Phường Đúc": the second word is the name
            matches.append(m)
        if not matches:
            if chunk:
                parts.append(_Part("", chunk))
            continue
        if matches[0].start() > 0:
            parts.append(_Part("", chunk[: matches[0].start()].strip()))
        for m, after in zip(matches, [*matches[1:], None], strict=True):
            name = chunk[m.end(): after.start() if after else len(chunk)].strip(" .;-")
            if name:
                parts.append(_Part(_KIND_WORDS[m[1]], name))
    return parts


def _district_key(part: _Part) -> str | None:
    key = _ascii(part.name)
    if key in ("thua thien hue", "tt hue", "tt-hue"):
        key = old_units.HUE
    return key if part.kind == "district" and key in old_units.DISTRICT_NAMES else None


class _Ambiguous(Exception):
    """Two units of that name, and nothing in the address tells which (e.g. "xã Hương Phong"
    alone: one joined Huế in 2021, the other is in A Lưới)."""


def _resolve(part: _Part, district: str | None, index: _Index) -> int | None:
    units = index.exact.get(part.name, []) if not part.name.isascii() else []
    units = units or index.plain.get(_ascii(part.name), [])
    if not units:
        return None
    # The kind said, then the district said, narrow the candidates where they can.
    for keep in (lambda u: u.kind == part.kind, lambda u: district in u.districts):
        narrowed = [u for u in units if keep(u)]
        if narrowed and (part.kind or district):
            units = narrowed
    ids = {u.area_id for u in units}
    if len(ids) > 1:  # today's name before an old one ("Phú Xuân" is Phường Phú Xuân)
        ids = {u.area_id for u in units if u.era == 0} or ids
    if len(ids) > 1:
        raise _Ambiguous
    return ids.pop()


# The converter's time grows with the number of comma-separated parts (~25 ms each: an anonymous
# lookup of 255 characters, "a,a,a,…", took 3 s). An address names its ward in its last few
# parts (…, ward, district, province), so only those are given to it.
CONVERTER_PARTS = 6


@lru_cache(maxsize=1)
def _converter():
    from .converter_cache import converter

    return converter()  # its tables from VAR_DIR/cache when a previous start kept them


def area_for_address(text: str) -> Area | None:
    """Find the ward of a typed address, old (before July 2025) or new.

    "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc" → Phường Phú Xuân; "xã Thủy Bằng, thị xã Hương
    Thủy" → Phường Thủy Xuân (the ward the address names, never the district's namesake);
    "xã Phú Mậu" (abolished in January 2025) → Phường Dương Nỗ. The parts of the address that
    name a ward or commune ("phường", "xã", "thị trấn", "P.", "X.", "TT.") are read first, from
    the end, then parts without a kind that are a whole name; the district the address gives
    ("thị xã", "huyện", "thành phố", "quận", "TX.", "H.", "TP.", "Q.") tells apart units of
    the same name. Names match with or without diacritics. Only when none of our names is in
    the text does the converter (which knows every unit of the country as of June 2025 and
    tolerates spelling) get a try; it is not trusted to answer with a district's namesake.
    Two units of the name and nothing to tell them apart → None (the caller asks for a pin).
    """
    text = (text or "").strip()
    if not text:
        return None
    index = _names()
    parts = _parts(text)
    district = next((key for p in reversed(parts) if (key := _district_key(p))), None)
    named = [p for p in parts if p.kind in ("phường", "xã", "thị trấn", "đặc khu")]
    bare = [p for p in parts if not p.kind and _ascii(p.name) not in _PROVINCE]
    try:
        for part in [*reversed(named), *reversed(bare)]:
            area_id = _resolve(part, district, index)
            if area_id is not None:
                return _area(area_id)
    except _Ambiguous:
        return None
    if not named and not any(re.search(r"[^\W\d_]", p.name) for p in bare):
        return None  # only districts, the province or numbers: no ward to look for
    return _from_converter(text, parts, index)


def _from_converter(text: str, parts: list[_Part], index: _Index) -> Area | None:
    """A misspelled or unknown name: the converter's guess, unless it is only the namesake of
    the district the address gives (its habit with "…, thị xã Hương Thủy")."""
    districts = {key for p in parts if (key := _district_key(p))}
    tail = ",".join(text.split(",")[-CONVERTER_PARTS:]).strip()
    candidates = [tail]
    if "huế" not in _norm(tail) and "hue" not in _ascii(tail):
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
        if not ward or "Huế" not in province or ward not in index.new_full:
            continue
        if _ascii(_fold(ward)) in districts:
            return None
        return _area(index.new_full[ward])
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
