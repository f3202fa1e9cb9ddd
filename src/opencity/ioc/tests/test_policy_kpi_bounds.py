"""Who sees which of the city's numbers (the console and the digital reports)."""

import pytest

from opencity import policy

# Marked so that pytest-django runs these with the other database tests (before the
# transactional ones that flush the wards): the users come through getfixturevalue.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["operator", "admin_user", "leader"])
def test_city_staff_see_the_whole_city(request, who):
    bounds = policy.kpi_bounds(request.getfixturevalue(who))
    assert bounds.level == "city"
    assert bounds.allows(area_id=123, unit_id=456)
    assert bounds.allows()


def test_ward_official_sees_only_the_home_ward(ward_official, phu_xuan, thuan_hoa):
    bounds = policy.kpi_bounds(ward_official)
    assert (bounds.level, bounds.area_id) == ("ward", phu_xuan.pk)
    assert bounds.allows(area_id=phu_xuan.pk)
    assert not bounds.allows(area_id=thuan_hoa.pk)
    assert not bounds.allows()  # the whole city is not theirs


def test_unit_head_sees_only_the_unit(unit_head, urban_works, other_unit):
    bounds = policy.kpi_bounds(unit_head)
    assert bounds.level == "unit" and bounds.unit_ids == {urban_works.pk}
    assert bounds.allows(unit_id=urban_works.pk)
    assert not bounds.allows(unit_id=other_unit.pk)
    assert not bounds.allows()


@pytest.mark.parametrize("who", ["citizen", "officer", "hotline"])
def test_others_have_no_console(request, who):
    user = request.getfixturevalue(who)
    assert policy.kpi_bounds(user) is None
    assert not policy.can_view_console(user)
    assert not policy.navigation(user)["console"]


def test_visitor_has_no_console():
    from django.contrib.auth.models import AnonymousUser

    assert policy.kpi_bounds(AnonymousUser()) is None
