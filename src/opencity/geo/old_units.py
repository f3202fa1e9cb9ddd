"""Huế's commune-level units before 1 July 2025, and where each one is today.

Three arrangements changed the city's communes before the two-level government of 2025:

- 2019–2020 (Thừa Thiên Huế's commune mergers) and **1 July 2021** (Nghị quyết
  1264/NQ-UBTVQH14: Thành phố Huế took 2 communes of thị xã Hương Thủy, 6 of thị xã Hương Trà
  and 5 of huyện Phú Vang, and merged its own wards in and around the Citadel);
- **1 January 2025** (Nghị quyết 1314/NQ-UBTVQH15: Huế a centrally-run city with the districts
  Phú Xuân and Thuận Hóa, thị xã Phong Điền, huyện Nam Đông merged into huyện Phú Lộc, and
  more commune mergers);
- **1 July 2025** (Nghị quyết 1675/NQ-UBTVQH15): the 40 wards and communes of today.

The units that existed from January to June 2025 and the new unit each went into are in
``data/hue_units.geojson`` (``Area.old_units``, see data/SOURCE.md). This module adds what that
file cannot say:

- :data:`FORMER`: units abolished **before** 2025 (or that had another kind then: the 2021
  communes that became wards in 2025), each with the ward it is part of today. The way is given
  in the comment: a unit absorbed into another keeps living in the one whose official code
  (mã ĐVHC, GSO) survived, and that code is in ``old_units``.
- :func:`districts`: the district(s) a unit belonged to, from its official code (the GSO codes
  of a province's communes are numbered district by district), plus the moves of 2021 and 2025.
  An address's district tells apart two units of the same name ("xã Hương Phong, thành phố
  Huế" — today Phường Hóa Châu — against "xã Hương Phong, huyện A Lưới", today Xã A Lưới 4).
"""

from __future__ import annotations

# District keys: the district's name without its kind, lower case, without diacritics.
HUE = "hue"  # thành phố Huế, before 2025 a city of the province Thừa Thiên Huế

# Official codes, district by district (GSO list of Thừa Thiên Huế, 2008–2024).
_RANGES = (
    (19744, 19818, HUE),
    (19819, 19866, "phong dien"),
    (19867, 19899, "quang dien"),
    (19900, 19959, "phu vang"),
    (19960, 19995, "huong thuy"),
    (19996, 20043, "huong tra"),
    (20044, 20106, "a luoi"),
    (20107, 20160, "phu loc"),
    (20161, 20193, "nam dong"),
)

# Into Thành phố Huế on 1 July 2021 (Nghị quyết 1264/NQ-UBTVQH14): Thủy Vân and Thủy Bằng
# (Hương Thủy); Hương Hồ, Hương An, Hương Thọ, Hương Phong, Hương Vinh, Hải Dương (Hương Trà);
# Phú Thượng, Phú Dương, Phú Mậu, Phú Thanh and thị trấn Thuận An (Phú Vang).
MOVED_TO_HUE_2021 = frozenset({
    19963, 19981,
    20029, 20023, 20032, 20002, 20014, 19999,
    19930, 19906, 19909, 19924, 19900,
})

# Quận Phú Xuân (January–June 2025); the rest of Huế was quận Thuận Hóa.
QUAN_PHU_XUAN = frozenset({
    19750, 19753, 19756, 19759, 19762, 19768, 19774, 19803, 19804, 19810, 20014, 20023, 20029,
})

# (official code, name with its kind then, the ward or commune it is part of since 1 July 2025)
FORMER: tuple[tuple[int, str, str], ...] = (
    # Thành phố Huế, 2021: the Citadel's wards and Gia Hội islet merged into Tây Lộc, Thuận Lộc,
    # Thuận Hòa, Gia Hội and Đông Ba, all of them today in Phường Phú Xuân.
    (19744, "Phường Phú Thuận", "Phường Phú Xuân"),
    (19747, "Phường Phú Bình", "Phường Phú Xuân"),
    (19756, "Phường Phú Hiệp", "Phường Phú Xuân"),  # its code went to Gia Hội
    (19765, "Phường Thuận Thành", "Phường Phú Xuân"),
    (19768, "Phường Phú Hòa", "Phường Phú Xuân"),  # its code went to Đông Ba
    (19771, "Phường Phú Cát", "Phường Phú Xuân"),
    (19777, "Phường Vĩ Dạ", "Phường Vỹ Dạ"),  # the older spelling
    # Hương Trà's units that joined Huế in 2021.
    (20029, "Phường Hương Hồ", "Phường Kim Long"),  # its code went to Long Hồ (2025)
    (20032, "Xã Hương Thọ", "Phường Kim Long"),  # into Long Hồ (2025)
    (19999, "Xã Hải Dương", "Phường Thuận An"),  # into Thuận An (2025)
    (20002, "Xã Hương Phong", "Phường Hóa Châu"),  # a ward from 2025
    (20014, "Xã Hương Vinh", "Phường Hóa Châu"),  # a ward from 2025
    # Hương Thủy's communes that joined Huế in 2021 (wards from 2025).
    (19963, "Xã Thủy Vân", "Phường Vỹ Dạ"),
    (19981, "Xã Thủy Bằng", "Phường Thủy Xuân"),
    # Phú Vang's units that joined Huế in 2021: Phú Dương, Phú Mậu and Phú Thanh became
    # Phường Dương Nỗ in 2025 (it kept Phú Mậu's code, 19909), Phú Thượng a ward.
    (19906, "Xã Phú Dương", "Phường Dương Nỗ"),
    (19909, "Xã Phú Mậu", "Phường Dương Nỗ"),
    (19924, "Xã Phú Thanh", "Phường Dương Nỗ"),
    (19930, "Xã Phú Thượng", "Phường Mỹ Thượng"),
    (19900, "Thị trấn Thuận An", "Phường Thuận An"),
    # Phú Vang, 2020: Vinh Phú and Vinh Thái became Xã Phú Gia (it kept Vinh Thái's code).
    (19951, "Xã Vinh Phú", "Xã Phú Vang"),
    (19954, "Xã Vinh Thái", "Xã Phú Vang"),
    # Hương Trà, 2020: Bình Điền and Hồng Tiến became Xã Bình Tiến (Bình Điền's code).
    (20035, "Xã Bình Điền", "Xã Bình Điền"),
    (20038, "Xã Hồng Tiến", "Xã Bình Điền"),
    # Phong Điền, 2020: thị trấn Phong Điền and Phong Thu became Phong Thu (the town's code);
    # Điền Hương and Điền Môn Xã Phong Thạnh (Điền Môn's code); Điền Lộc and Điền Hòa Xã Phong
    # Phú (Điền Lộc's code); Điền Hải and Phong Hải Xã Phong Hải (Điền Hải's code). In 2025
    # (thị xã Phong Điền) its communes of the plain became wards.
    (19819, "Thị trấn Phong Điền", "Phường Phong Điền"),
    (19849, "Xã Phong Thu", "Phường Phong Điền"),
    (19822, "Xã Điền Hương", "Phường Phong Phú"),
    (19825, "Xã Điền Môn", "Phường Phong Phú"),
    (19828, "Xã Điền Lộc", "Phường Phong Phú"),
    (19834, "Xã Điền Hòa", "Phường Phong Phú"),
    (19828, "Xã Phong Phú", "Phường Phong Phú"),
    (19843, "Xã Điền Hải", "Phường Phong Quảng"),
    (19843, "Xã Phong Hải", "Phường Phong Quảng"),
    (19846, "Xã Phong Hòa", "Phường Phong Dinh"),
    (19852, "Xã Phong Hiền", "Phường Phong Thái"),
    (19858, "Xã Phong An", "Phường Phong Thái"),
    # A Lưới, 2019–2020: Hồng Trung and Bắc Sơn became Trung Sơn; Nhâm and Hồng Quảng Quảng
    # Nhâm; Hương Lâm and A Đớt Lâm Đớt.
    (20056, "Xã Hồng Trung", "Xã A Lưới 1"),
    (20062, "Xã Bắc Sơn", "Xã A Lưới 1"),
    (20083, "Xã Nhâm", "Xã A Lưới 2"),
    (20077, "Xã Hồng Quảng", "Xã A Lưới 2"),
    (20092, "Xã Hương Lâm", "Xã A Lưới 4"),
    (20101, "Xã A Đớt", "Xã A Lưới 4"),
    (20095, "Xã A Roằng", "Xã A Lưới 4"),  # another spelling of A Roàng
    # Phú Lộc: Vinh Hải and Vinh Giang became Giang Hải; xã Lộc Sơn a town (thị trấn) in 2025.
    (20119, "Xã Vinh Hải", "Xã Vinh Lộc"),
    (20122, "Xã Vinh Giang", "Xã Vinh Lộc"),
    (20131, "Xã Lộc Sơn", "Xã Hưng Lộc"),
    # Nam Đông: Hương Giang became Hương Xuân (it kept Hương Giang's code).
    (20179, "Xã Hương Giang", "Xã Nam Đông"),
)

# The district-level names as written before 2025 (and their keys). Their bare names are
# also names of today's wards ("thị xã Hương Thủy" / Phường Hương Thủy): a part of an address
# that says it is a district is never read as a ward.
DISTRICT_NAMES = {
    "hue", "thua thien hue", "phong dien", "quang dien", "phu vang", "huong thuy", "huong tra",
    "a luoi", "phu loc", "nam dong", "phu xuan", "thuan hoa",
}


def districts(code: int | str | None) -> frozenset[str]:
    """The districts (keys) an official commune code belonged to, over the years."""
    try:
        code = int(code or 0)
    except (TypeError, ValueError):
        return frozenset()
    found = {key for first, last, key in _RANGES if first <= code <= last}
    if code in MOVED_TO_HUE_2021:
        found.add(HUE)
    if HUE in found:
        found.add("phu xuan" if code in QUAN_PHU_XUAN else "thuan hoa")
    if "nam dong" in found:
        found.add("phu loc")  # huyện Nam Đông was merged into huyện Phú Lộc in January 2025
    return frozenset(found)
