"""Addresses written before July 2025, across every former district of the city, against the
official 2025 arrangement (issue #14, operators 4).

The expected ward of each row was written from the sources, not from ``area_for_address``:
for units that existed from January to June 2025, the ``old_units`` column of
``geo/data/hue_units.csv`` (Nghị quyết 1675/NQ-UBTVQH15, see data/SOURCE.md); for units
abolished earlier (2019–2021, January 2025), the unit that kept their official code or took them
in, as written in ``geo/old_units.py`` (Nghị quyết 1264/NQ-UBTVQH14 and 1314/NQ-UBTVQH15).
Rows are written as people write them: with the district, with and without diacritics, with
"P."/"X."/"TT."/"TX."/"TP."/"H." abbreviations.
"""

from __future__ import annotations

import pytest

from opencity.geo import old_units, selectors
from opencity.geo.models import Area

pytestmark = pytest.mark.django_db

ADDRESSES = [
    # Thành phố Huế (its wards before 2021 and from 2021 to 2024)
    ("12 Lê Lợi, phường Vĩnh Ninh, thành phố Huế", "Phường Thuận Hóa"),
    ("phường Phú Hội, TP. Huế, tỉnh Thừa Thiên Huế", "Phường Thuận Hóa"),
    ("P. Phú Nhuận, TP Huế", "Phường Thuận Hóa"),
    ("phuong Truong An, tp Hue", "Phường Thuận Hóa"),
    ("phường Phước Vĩnh, thành phố Huế", "Phường Thuận Hóa"),
    ("phường Xuân Phú, thành phố Huế", "Phường Vỹ Dạ"),
    ("phường Vĩ Dạ, thành phố Huế", "Phường Vỹ Dạ"),
    ("phuong Vy Da, thanh pho Hue", "Phường Vỹ Dạ"),
    ("phường An Đông, thành phố Huế", "Phường An Cựu"),
    ("P. An Tây, TP. Huế", "Phường An Cựu"),
    ("phường Thủy Biều, thành phố Huế", "Phường Thủy Xuân"),
    ("phường Hương Long, thành phố Huế", "Phường Kim Long"),
    ("phường Hương Sơ, thành phố Huế", "Phường Hương An"),
    ("P. An Hòa, TP. Huế", "Phường Hương An"),
    ("phường Tây Lộc, thành phố Huế", "Phường Phú Xuân"),
    ("phường Thuận Thành, thành phố Huế", "Phường Phú Xuân"),
    ("phường Phú Cát, thành phố Huế", "Phường Phú Xuân"),
    ("phường Phú Hiệp, thành phố Huế", "Phường Phú Xuân"),
    ("phường Phú Hòa, TP Huế", "Phường Phú Xuân"),
    ("phuong Phu Binh, thanh pho Hue", "Phường Phú Xuân"),
    ("phường Phú Thuận, thành phố Huế", "Phường Phú Xuân"),
    ("phường Gia Hội, quận Phú Xuân", "Phường Phú Xuân"),
    ("phường Đông Ba, quận Phú Xuân, thành phố Huế", "Phường Phú Xuân"),
    # From Hương Trà, Phú Vang and Hương Thủy into Thành phố Huế in 2021
    ("xã Hương Vinh, thành phố Huế", "Phường Hóa Châu"),
    ("xã Hương Phong, thành phố Huế", "Phường Hóa Châu"),
    ("xã Hương Phong, thị xã Hương Trà", "Phường Hóa Châu"),
    ("phường Hương Hồ, thị xã Hương Trà", "Phường Kim Long"),
    ("phường Hương An, thị xã Hương Trà", "Phường Hương An"),
    ("xã Hải Dương, thị xã Hương Trà", "Phường Thuận An"),
    ("xã Phú Mậu, huyện Phú Vang", "Phường Dương Nỗ"),
    ("X. Phú Mậu, TP. Huế", "Phường Dương Nỗ"),
    ("xa Phu Thanh, thanh pho Hue", "Phường Dương Nỗ"),
    ("xã Phú Dương, thành phố Huế", "Phường Dương Nỗ"),
    ("xã Phú Thượng, huyện Phú Vang", "Phường Mỹ Thượng"),
    ("thị trấn Thuận An, huyện Phú Vang", "Phường Thuận An"),
    ("xã Thủy Vân, thị xã Hương Thủy", "Phường Vỹ Dạ"),
    ("xã Thủy Bằng, thị xã Hương Thủy", "Phường Thủy Xuân"),
    ("X. Thủy Bằng, TX. Hương Thủy", "Phường Thủy Xuân"),
    ("xa Thuy Bang, thi xa Huong Thuy, Thua Thien Hue", "Phường Thủy Xuân"),
    # Thị xã Hương Thủy
    ("phường Thủy Dương, thị xã Hương Thủy", "Phường Thanh Thủy"),
    ("phường Thủy Phương, TX Hương Thủy", "Phường Thanh Thủy"),
    ("xã Thủy Thanh, thị xã Hương Thủy", "Phường Thanh Thủy"),
    ("phường Thủy Châu, thị xã Hương Thủy", "Phường Hương Thủy"),
    ("phuong Thuy Luong, thi xa Huong Thuy", "Phường Hương Thủy"),
    ("xã Thủy Tân, thị xã Hương Thủy", "Phường Hương Thủy"),
    ("xã Thủy Phù, thị xã Hương Thủy", "Phường Phú Bài"),
    ("xã Dương Hòa, thị xã Hương Thủy", "Phường Phú Bài"),
    ("xã Phú Sơn, TX. Hương Thủy", "Phường Phú Bài"),
    # Thị xã Hương Trà
    ("phường Tứ Hạ, thị xã Hương Trà", "Phường Hương Trà"),
    ("phường Hương Văn, thị xã Hương Trà", "Phường Hương Trà"),
    ("phuong Huong Van, thi xa Huong Tra", "Phường Hương Trà"),
    ("phường Hương Xuân, thị xã Hương Trà", "Phường Kim Trà"),
    ("phường Hương Chữ, TX. Hương Trà", "Phường Kim Trà"),
    ("xã Hương Toàn, thị xã Hương Trà", "Phường Kim Trà"),
    ("xã Hương Bình, thị xã Hương Trà", "Xã Bình Điền"),
    ("xã Bình Thành, thị xã Hương Trà", "Xã Bình Điền"),
    ("xã Hồng Tiến, thị xã Hương Trà", "Xã Bình Điền"),
    # Huyện (from 2025 thị xã) Phong Điền
    ("thị trấn Phong Điền, huyện Phong Điền", "Phường Phong Điền"),
    ("xã Phong Mỹ, huyện Phong Điền", "Phường Phong Điền"),
    ("xã Phong Xuân, huyện Phong Điền", "Phường Phong Điền"),
    ("phường Phong Thu, thị xã Phong Điền", "Phường Phong Điền"),
    ("xã Phong Sơn, huyện Phong Điền", "Phường Phong Thái"),
    ("xã Phong An, huyện Phong Điền", "Phường Phong Thái"),
    ("xã Phong Hiền, H. Phong Điền", "Phường Phong Thái"),
    ("xã Phong Bình, huyện Phong Điền", "Phường Phong Dinh"),
    ("xa Phong Chuong, huyen Phong Dien", "Phường Phong Dinh"),
    ("xã Phong Hòa, huyện Phong Điền", "Phường Phong Dinh"),
    ("xã Phong Thạnh, huyện Phong Điền", "Phường Phong Phú"),
    ("xã Điền Hương, huyện Phong Điền", "Phường Phong Phú"),
    ("xã Phong Hải, huyện Phong Điền", "Phường Phong Quảng"),
    ("xã Điền Hải, huyện Phong Điền", "Phường Phong Quảng"),
    # Huyện Quảng Điền
    ("thị trấn Sịa, huyện Quảng Điền", "Xã Quảng Điền"),
    ("TT. Sịa, H. Quảng Điền", "Xã Quảng Điền"),
    ("xã Quảng Phước, huyện Quảng Điền", "Xã Quảng Điền"),
    ("xã Quảng Thành, huyện Quảng Điền", "Phường Hóa Châu"),
    ("xã Quảng Ngạn, huyện Quảng Điền", "Phường Phong Quảng"),
    ("xa Quang Cong, huyen Quang Dien", "Phường Phong Quảng"),
    ("xã Quảng Thái, huyện Quảng Điền", "Xã Đan Điền"),
    ("xã Quảng Vinh, huyện Quảng Điền", "Xã Đan Điền"),
    # Huyện Phú Vang
    ("thôn Lương Viện, xã Phú Xuân, huyện Phú Vang", "Xã Phú Hồ"),
    ("xã Phú Lương, huyện Phú Vang", "Xã Phú Hồ"),
    ("xã Phú An, huyện Phú Vang", "Phường Mỹ Thượng"),
    ("xã Phú Mỹ, H. Phú Vang", "Phường Mỹ Thượng"),
    ("thị trấn Phú Đa, huyện Phú Vang", "Xã Phú Vang"),
    ("xã Vinh Hà, huyện Phú Vang", "Xã Phú Vang"),
    ("xã Vinh Thái, huyện Phú Vang", "Xã Phú Vang"),
    ("xã Phú Diên, huyện Phú Vang", "Xã Phú Vinh"),
    ("xa Vinh Thanh, huyen Phu Vang", "Xã Phú Vinh"),
    ("xã Phú Thuận, huyện Phú Vang", "Phường Thuận An"),
    ("xã Phú Hải, huyện Phú Vang", "Phường Thuận An"),
    # Huyện Phú Lộc
    ("thị trấn Phú Lộc, huyện Phú Lộc", "Xã Phú Lộc"),
    ("xã Lộc Trì, huyện Phú Lộc", "Xã Phú Lộc"),
    ("thị trấn Lăng Cô, huyện Phú Lộc", "Xã Chân Mây – Lăng Cô"),
    ("xã Lộc Tiến, huyện Phú Lộc", "Xã Chân Mây – Lăng Cô"),
    ("xã Vinh Hiền, huyện Phú Lộc", "Xã Vinh Lộc"),
    ("xã Vinh Giang, huyện Phú Lộc", "Xã Vinh Lộc"),
    ("xã Lộc Sơn, huyện Phú Lộc", "Xã Hưng Lộc"),
    ("xã Xuân Lộc, huyện Phú Lộc", "Xã Hưng Lộc"),
    ("xã Lộc Điền, huyện Phú Lộc", "Xã Lộc An"),
    # Huyện Nam Đông (in huyện Phú Lộc from January 2025)
    ("thị trấn Khe Tre, huyện Nam Đông", "Xã Khe Tre"),
    ("xã Thượng Lộ, huyện Nam Đông", "Xã Khe Tre"),
    ("xã Hương Xuân, huyện Nam Đông", "Xã Nam Đông"),
    ("xã Hương Giang, huyện Nam Đông", "Xã Nam Đông"),
    ("xã Thượng Nhật, huyện Phú Lộc", "Xã Nam Đông"),
    ("xã Thượng Quảng, huyện Nam Đông", "Xã Long Quảng"),
    ("xã Hương Hữu, H. Nam Đông", "Xã Long Quảng"),
    # Huyện A Lưới
    ("thị trấn A Lưới, huyện A Lưới", "Xã A Lưới 2"),
    ("xã Hồng Bắc, huyện A Lưới", "Xã A Lưới 2"),
    ("xã Nhâm, huyện A Lưới", "Xã A Lưới 2"),
    ("xã Hồng Kim, huyện A Lưới", "Xã A Lưới 1"),
    ("xã Hồng Trung, huyện A Lưới", "Xã A Lưới 1"),
    ("xã Phú Vinh, huyện A Lưới", "Xã A Lưới 3"),
    ("xã Hồng Thái, huyện A Lưới", "Xã A Lưới 3"),
    ("xã Hương Phong, huyện A Lưới", "Xã A Lưới 4"),
    ("xã A Roằng, huyện A Lưới", "Xã A Lưới 4"),
    ("xa A Dot, huyen A Luoi", "Xã A Lưới 4"),
    ("xã Hồng Hạ, huyện A Lưới", "Xã A Lưới 5"),
]


def test_the_table_covers_every_former_district():
    assert len(ADDRESSES) >= 60
    text = " ".join(a for a, _ in ADDRESSES).lower()
    for district in ("thành phố huế", "hương thủy", "hương trà", "phong điền", "quảng điền",
                     "phú vang", "phú lộc", "nam đông", "a lưới"):
        assert district in text, district


@pytest.mark.parametrize(("text", "ward"), ADDRESSES)
def test_a_pre_2025_address_finds_its_ward_today(text, ward):
    area = selectors.area_for_address(text)
    assert (area.name if area else None) == ward


def test_every_expected_ward_is_a_ward_of_the_city():
    names = set(selectors.wards().values_list("name", flat=True))
    assert {ward for _, ward in ADDRESSES} <= names


def test_every_former_unit_points_to_a_ward_of_today():
    names = set(Area.objects.values_list("name", flat=True))
    assert [today for _, _, today in old_units.FORMER if today not in names] == []


def test_the_commune_wins_over_its_districts_namesake():
    # "Hương Thủy" is both the old thị xã and today's ward; the address's commune decides.
    assert selectors.area_for_address("xã Thủy Bằng, thị xã Hương Thủy").name == "Phường Thủy Xuân"
    assert selectors.area_for_address("Phường Hương Thủy").name == "Phường Hương Thủy"


@pytest.mark.parametrize("text", ["thị xã Hương Thủy", "12 Nguyễn Tất Thành, thị xã Hương Thủy",
                                  "huyện Phú Vang, Thừa Thiên Huế"])
def test_a_district_alone_is_not_a_ward(text):
    assert selectors.area_for_address(text) is None


def test_two_communes_of_one_name_need_the_district():
    # One Hương Phong joined Huế in 2021 (today Hóa Châu), the other is in A Lưới, 60 km away.
    assert selectors.area_for_address("xã Hương Phong") is None
    assert selectors.area_for_address("xã Hương Phong, TP. Huế").name == "Phường Hóa Châu"


@pytest.mark.parametrize(("code", "expected"), [
    (19909, {"phu vang", "hue", "thuan hoa"}),  # Phú Mậu: Phú Vang, Huế from 2021
    (20179, {"nam dong", "phu loc"}),  # Nam Đông in Phú Lộc from January 2025
    (19753, {"hue", "phu xuan"}),
    (None, set()),
])
def test_a_units_districts_come_from_its_official_code(code, expected):
    assert old_units.districts(code) == expected
