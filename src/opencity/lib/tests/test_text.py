"""The text rules shared by every way in (``lib.text``)."""

from __future__ import annotations

import pytest

from opencity.errors import ValidationError
from opencity.lib.text import find_nul, is_blank, refuse_nul, strip_invisible


@pytest.mark.parametrize("text", ["", " ", "\u200b", "\u200b\u200c\u200d\u2060\ufeff", " \n\t\u00a0\u200b ",
                                  "\u202e\u2066", "\x01"])
def test_invisible_text_is_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u200bđèn\u200b", "🚧", "1"])
def test_visible_text_is_not_blank(text):
    assert not is_blank(text)


def test_strip_invisible_keeps_the_inside():
    assert strip_invisible(" \u200bĐèn\u200bhỏng \ufeff") == "Đèn\u200bhỏng"


def test_a_nul_is_refused_with_the_field():
    assert refuse_nul("ok", field="x") == "ok"
    with pytest.raises(ValidationError) as caught:
        refuse_nul("a\x00b", field="description")
    assert caught.value.field == "description" and caught.value.code == "nul_character"


def test_find_nul_names_the_top_level_field():
    assert find_nul({"text": "fine", "n": 1}) is None
    assert find_nul({"text": ["a", {"b": "\x00"}]}) == "text"
    assert find_nul({"a\x00": "x"}) == ""
    assert find_nul(["\x00"]) == ""
    assert find_nul("x\x00") == ""
