"""Point → ward and address → ward (geo/selectors.py) on Huế's 40 wards and communes."""

from __future__ import annotations

import pytest

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.geo import selectors
from opencity.geo.models import Area

pytestmark = pytest.mark.django_db


def _name(area: Area | None) -> str | None:
    return area.name if area else None


def test_the_city_has_its_40_wards_and_communes_with_boundaries():
    wards = selectors.wards()
    assert wards.count() == 40
    assert not wards.filter(boundary=None).exists()
    assert selectors.city().name == "Thành phố Huế"


def test_the_story_point_is_in_phu_xuan():
    assert _name(selectors.area_for_point(STORY_LAT, STORY_LON)) == "Phường Phú Xuân"


@pytest.mark.parametrize("name", ["Phường Phú Xuân", "Phường Thuận Hóa", "Phường An Cựu", "Phường Kim Long",
                                  "Xã A Lưới 2", "Xã Chân Mây – Lăng Cô", "Phường Phong Điền", "Xã Phú Vinh"])
def test_a_wards_own_centre_point_lies_in_that_ward(name):
    area = Area.objects.get(name=name)
    assert selectors.area_for_point(area.lat, area.lon) == area


def test_every_wards_centre_point_lies_in_that_ward():
    wrong = [w.name for w in selectors.wards() if selectors.area_id_for_point(w.lat, w.lon) != w.pk]
    assert wrong == []


@pytest.mark.parametrize(("lat", "lon"), [(21.0285, 105.8542), (10.7769, 106.7009), (16.0544, 108.2022),
                                          (0.0, 0.0)], ids=["hanoi", "saigon", "da-nang", "null-island"])
def test_a_point_outside_the_city_has_no_ward(lat, lon):
    assert selectors.area_for_point(lat, lon) is None


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("Kiệt 32 Lê Văn Hưu, phường Thuận Lộc", "Phường Phú Xuân"),
        ("phường Vĩnh Ninh", "Phường Thuận Hóa"),
        ("Phường Tây Lộc", "Phường Phú Xuân"),
        ("12 Lê Lợi, phường Vĩnh Ninh, thành phố Huế", "Phường Thuận Hóa"),
        ("Thuận Lộc", "Phường Phú Xuân"),
        # Thuận Hòa (old, in the Citadel) is not Thuận Hóa (new): the tone mark matters
        ("Phường Thuận Hòa", "Phường Phú Xuân"),
        ("Phường Thuận Hoà", "Phường Phú Xuân"),  # old-style tone placement
        ("phường Thủy Biều", "Phường Thủy Xuân"),
        ("phường Thuỷ Biều", "Phường Thủy Xuân"),
        # the old commune of Phú Xuân is today Xã Phú Hồ, not Phường Phú Xuân
        ("thôn Lương Viện, xã Phú Xuân", "Xã Phú Hồ"),
        ("phường Phường Đúc", "Phường Thuận Hóa"),
        ("Kiệt 32 Lê Văn Hưu phường Thuận Lộc", "Phường Phú Xuân"),  # no commas
    ],
)
def test_an_old_address_finds_the_new_ward(text, ward):
    assert _name(selectors.area_for_address(text)) == ward


@pytest.mark.parametrize(("text", "ward"), [("Phú Xuân", "Phường Phú Xuân"),
                                            ("Phường Thuận Hóa", "Phường Thuận Hóa"),
                                            ("15 Kim Long, phường An Cựu", "Phường An Cựu"),
                                            ("xã Chân Mây - Lăng Cô", "Xã Chân Mây – Lăng Cô")])
def test_a_new_ward_name_is_matched_directly(text, ward):
    assert _name(selectors.area_for_address(text)) == ward


def test_the_converter_reads_an_address_typed_without_diacritics():
    assert _name(selectors.area_for_address("12 Le Loi, phuong Vinh Ninh, Hue")) == "Phường Thuận Hóa"


def test_a_long_address_still_finds_its_ward_in_the_last_parts():
    text = "Tổ 3, " * 30 + "12 Le Loi, phuong Vinh Ninh, Hue"
    assert _name(selectors.area_for_address(text)) == "Phường Thuận Hóa"


def test_the_converter_is_given_only_the_last_parts(monkeypatch):
    # Its time grows with the number of parts: 127 of them ("a,a,a,…") took 3 s per anonymous lookup.
    seen = []

    class Converter:  # stands in for the outside library, to see what it is given
        def auto_convert_address(self, text):
            seen.append(text)
            return {}

    monkeypatch.setattr(selectors, "_converter", Converter)
    assert selectors.area_for_address("a," * 127) is None
    assert seen and all(text.count(",") <= selectors.CONVERTER_PARTS for text in seen), seen


@pytest.mark.parametrize("text", ["", "   ", "asdf qwer", "phường Hàng Bạc, quận Hoàn Kiếm, Hà Nội"])
def test_nonsense_or_another_city_gives_no_ward(text):
    assert selectors.area_for_address(text) is None


def test_boundaries_are_served_as_geojson():
    data = selectors.boundaries_geojson()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 40
    assert {f["geometry"]["type"] for f in data["features"]} <= {"Polygon", "MultiPolygon"}
