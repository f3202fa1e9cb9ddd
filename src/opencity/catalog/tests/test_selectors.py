"""Search matches Vietnamese with or without diacritics and case, đ as d."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from opencity.catalog.selectors import service_groups, service_search
from opencity.lib.text import fold

pytestmark = pytest.mark.django_db
VISITOR = AnonymousUser()


def _names(q: str) -> list[str]:
    return [s.name for s in service_search(user=VISITOR, q=q)]


def test_fold_drops_case_and_diacritics_and_maps_d():
    assert fold("  Điện   LỰC  Huế ") == "dien luc hue"
    assert fold("đường") == fold("Đường") == fold("duong") == "duong"


@pytest.mark.parametrize("q", ["dien", "điện", "ĐIỆN", "Dien", "đien", "diện"])
def test_the_electricity_service_is_found_however_it_is_typed(electricity, water, sos, q):
    assert _names(q) == ["Điện lực Huế"]


def test_words_in_no_single_service_find_each(electricity, water, sos):
    assert set(_names("dien nuoc")) == {"Điện lực Huế", "Cấp nước Huế (HueWACO)"}


def test_words_all_in_one_service_find_only_it(electricity, water, sos):
    assert _names("dien luc") == ["Điện lực Huế"]


def test_description_and_keywords_are_searched(electricity, water, sos):
    assert _names("evn") == ["Điện lực Huế"]
    assert _names("tien nuoc") == ["Cấp nước Huế (HueWACO)"]


def test_a_name_starting_with_the_word_comes_first(make_service, electricity):
    make_service("thue", "Thuế điện tử", order=1)
    assert _names("dien") == ["Điện lực Huế", "Thuế điện tử"]


def test_nothing_matches_nonsense_and_inactive_services_are_not_found(electricity):
    assert _names("xyzzy") == []
    electricity.active = False
    electricity.save()
    assert _names("dien") == []


def test_groups_keep_their_services_in_order(make_service):
    make_service("b", "Bảo hiểm xã hội", order=3)
    make_service("a", "Điện lực Huế", order=1)
    make_service("c", "Cấp nước Huế", order=2)
    (entry,) = service_groups(user=VISITOR)
    assert [s.code for s in entry.services] == ["a", "c", "b"]
