"""Writes on areas: load the city and its wards from the official list and boundary data."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from django.db import transaction
from shapely.geometry import shape
from shapely.ops import unary_union

from .models import Area, AreaKind

DATA_DIR = Path(__file__).resolve().parent / "data"


def _key(name: str) -> str:
    name = unicodedata.normalize("NFC", name).replace("–", "-").replace("—", "-").lower()
    return re.sub(r"\s+", " ", name).strip()


@transaction.atomic
def areas_load_city(*, province_code: int = 46, area_model=None) -> int:
    """Create or update the province and its communes.

    Codes and names come from ``vietnam-provinces`` (the final 2025 list); boundaries,
    population and the pre-2025 units from ``data/hue_units.geojson`` (see data/SOURCE.md),
    joined by name. Idempotent.
    """
    import vietnam_provinces as vp

    Area_ = area_model or Area  # a migration passes its historical model

    province = vp.Province.from_code(vp.ProvinceCode(province_code))
    features = {}
    boundary_file = DATA_DIR / "hue_units.geojson"
    if province_code == 46 and boundary_file.exists():
        for f in json.loads(boundary_file.read_text())["features"]:
            features[_key(f["properties"]["name"])] = f

    geoms = []
    kinds = {"phường": AreaKind.WARD, "xã": AreaKind.COMMUNE, "đặc khu": AreaKind.SPECIAL}
    city, _ = Area_.objects.update_or_create(
        code=str(province.code.value),
        defaults={"name": province.name, "kind": AreaKind.CITY, "parent": None},
    )
    count = 0
    for ward in vp.Ward.iter_all():
        if ward.province_code != province.code:
            continue
        feature = features.get(_key(ward.name))
        defaults = {
            "name": ward.name,
            "kind": kinds.get(ward.division_type.value, AreaKind.WARD),
            "parent": city,
        }
        if feature:
            geom = shape(feature["geometry"])
            geoms.append(geom)
            minx, miny, maxx, maxy = geom.bounds
            point = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
            defaults.update(
                boundary=feature["geometry"],
                lat=round(point.y, 6),
                lon=round(point.x, 6),
                min_lat=miny, min_lon=minx, max_lat=maxy, max_lon=maxx,
                old_units=feature["properties"].get("old_units", []),
                population=feature["properties"].get("population"),
                area_km2=feature["properties"].get("area_km2"),
            )
        Area_.objects.update_or_create(code=str(ward.code.value), defaults=defaults)
        count += 1
    if geoms:
        union = unary_union(geoms)
        minx, miny, maxx, maxy = union.bounds
        city.min_lat, city.min_lon, city.max_lat, city.max_lon = miny, minx, maxy, maxx
        city.lat, city.lon = 16.4637, 107.5909
        city.save()
    from .selectors import reset_index

    transaction.on_commit(reset_index)
    return count
