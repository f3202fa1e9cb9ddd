"""Vietnamese alphabetical order (geo/collation.py) and the ward lists that use it."""

from __future__ import annotations

import pytest

from opencity.geo import selectors
from opencity.geo.collation import sort_key, sorted_vi


def test_d_with_stroke_comes_right_after_d():
    names = ["Xã Vinh Lộc", "Xã Đan Điền", "Xã Dương Hòa", "Xã Ea Súp", "Xã Bình Điền"]
    assert sorted_vi(names) == ["Xã Bình Điền", "Xã Dương Hòa", "Xã Đan Điền", "Xã Ea Súp", "Xã Vinh Lộc"]


def test_code_point_order_was_wrong():
    # What the databases did: "Đ" (U+0110) after every Latin letter.
    assert sorted(["Đan Điền", "Vinh Lộc"]) == ["Vinh Lộc", "Đan Điền"]
    assert sorted_vi(["Đan Điền", "Vinh Lộc"]) == ["Đan Điền", "Vinh Lộc"]


@pytest.mark.parametrize(("first", "second"), [
    ("a", "ă"), ("ă", "â"), ("â", "b"), ("d", "đ"), ("đ", "e"), ("e", "ê"), ("ê", "g"),
    ("o", "ô"), ("ô", "ơ"), ("ơ", "p"), ("u", "ư"), ("ư", "v"), ("v", "x"), ("x", "y"),
])
def test_the_vietnamese_alphabet(first, second):
    assert sort_key(first) < sort_key(second)
    assert sort_key(first.upper()) < sort_key(second.upper())


def test_tone_marks_only_break_ties_in_dictionary_order():
    # none, huyền, hỏi, ngã, sắc, nặng
    assert sorted_vi(["má", "mạ", "mà", "mã", "ma", "mả"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    # the letters decide before any tone: "Hòa" < "Hóa" < "Hoan"
    assert sorted_vi(["Hoan", "Hóa", "Hòa"]) == ["Hòa", "Hóa", "Hoan"]


def test_words_then_numbers_by_value():
    assert sorted_vi(["An Cựu", "A Lưới 10", "A Lưới 2", "A Lưới 1"]) == [
        "A Lưới 1", "A Lưới 2", "A Lưới 10", "An Cựu"]


def test_composed_and_decomposed_text_sort_alike():
    import unicodedata

    name = "Phường Đông Ba"
    assert sort_key(unicodedata.normalize("NFD", name)) == sort_key(name)


def test_punctuation_and_case_do_not_decide_first():
    assert sorted_vi(["xã Chân Mây – Lăng Cô", "Xã Chân Mây - Lăng Cô", "Xã Bình Điền"])[0] == "Xã Bình Điền"
    assert sort_key(None) == sort_key("")


def test_sorted_vi_takes_a_key():
    rows = [{"name": "Đông Ba"}, {"name": "Dương Nỗ"}, {"name": "Vỹ Dạ"}]
    assert [r["name"] for r in sorted_vi(rows, key=lambda r: r["name"])] == ["Dương Nỗ", "Đông Ba", "Vỹ Dạ"]


@pytest.mark.django_db
def test_the_ward_list_is_in_vietnamese_order():
    names = list(selectors.wards().values_list("name", flat=True))
    assert names == sorted_vi(names)
    communes = [n for n in names if n.startswith("Xã ")]
    # Đan Điền right after the communes in D (none) — before Hưng Lộc, not after Vinh Lộc
    assert communes.index("Xã Đan Điền") < communes.index("Xã Hưng Lộc")
    assert communes[-1] == "Xã Vinh Lộc"


@pytest.mark.django_db
def test_the_ward_list_keeps_working_as_a_queryset():
    wards = selectors.wards()
    assert wards.filter(name__startswith="Xã").first().name == "Xã A Lưới 1"
    assert wards.only("pk", "name").count() == 40
    assert wards.get(name="Xã Đan Điền").kind == "commune"


@pytest.mark.django_db
def test_the_api_lists_wards_in_vietnamese_order(client):
    names = [a["name"] for a in client.get("/api/v1/areas").json()]
    assert names == sorted_vi(names)


@pytest.mark.django_db
def test_order_by_vi_orders_any_queryset_and_keeps_it_a_queryset():
    from opencity.geo.collation import order_by_vi
    from opencity.geo.models import Area

    communes = order_by_vi(Area.objects.filter(name__startswith="Xã "))
    names = list(communes.values_list("name", flat=True))
    assert names == sorted_vi(names) and names.index("Xã Đan Điền") < names.index("Xã Hưng Lộc")
    assert communes.filter(name="Xã Đan Điền").exists()
    assert list(order_by_vi(Area.objects.none())) == []
