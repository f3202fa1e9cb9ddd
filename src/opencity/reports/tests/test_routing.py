"""Routing: category × area → unit (reports/routing.py)."""

from __future__ import annotations

import pytest

from opencity.orgs.models import Unit
from opencity.reports import routing
from opencity.reports.models import Category, RoutingRule

pytestmark = pytest.mark.django_db


def adjust(report, rule):
    """A city's hook (used below through OPENCITY_ROUTING_HOOKS): urgent reports go to the IOC."""
    return None if report.priority >= 3 else rule


@pytest.fixture
def hooks(settings):
    routing._hooks.cache_clear()
    yield settings
    routing._hooks.cache_clear()


def test_the_city_wide_rule_applies_everywhere(
    lighting, lighting_rule, phu_xuan, thuan_hoa, urban_works
):
    assert routing.find_rule(lighting.pk, phu_xuan.pk).unit == urban_works
    assert routing.find_rule(lighting.pk, thuan_hoa.pk).unit == urban_works
    assert routing.find_rule(lighting.pk, None).unit == urban_works


def test_a_ward_rule_wins_in_its_ward_only(
    lighting, lighting_rule, phu_xuan, thuan_hoa, ward_unit, urban_works
):
    RoutingRule.objects.create(category=lighting, area=phu_xuan, unit=ward_unit)
    assert routing.find_rule(lighting.pk, phu_xuan.pk).unit == ward_unit
    assert routing.find_rule(lighting.pk, thuan_hoa.pk).unit == urban_works


def test_without_a_rule_the_report_waits_for_the_ioc(lighting, lighting_rule, phu_xuan):
    water = Category.objects.create(code="cap-nuoc", name_vi="Cấp nước", name_en="Water")
    assert routing.find_rule(water.pk, phu_xuan.pk) is None


def test_a_rule_for_an_inactive_unit_is_skipped(
    lighting, lighting_rule, phu_xuan, ward_unit, urban_works
):
    RoutingRule.objects.create(category=lighting, area=phu_xuan, unit=ward_unit)
    Unit.objects.filter(pk=ward_unit.pk).update(is_active=False)
    assert routing.find_rule(lighting.pk, phu_xuan.pk).unit == urban_works
    Unit.objects.filter(pk=urban_works.pk).update(is_active=False)
    assert routing.find_rule(lighting.pk, phu_xuan.pk) is None


def test_only_an_automatic_rule_routes_without_an_operator(make_report, lighting_rule):
    report = make_report()
    assert routing.propose(report) == lighting_rule
    assert routing.should_route_automatically(report) is None
    lighting_rule.automatic = True
    lighting_rule.save()
    assert routing.should_route_automatically(report) == lighting_rule


def test_a_city_hook_can_change_the_proposal(make_report, lighting_rule, hooks):
    hooks.OPENCITY_ROUTING_HOOKS = __name__
    report = make_report()
    assert routing.propose(report) == lighting_rule
    report.priority = 3
    assert routing.propose(report) is None


def test_the_default_hook_takes_the_rule_as_found(make_report, lighting_rule, hooks):
    hooks.OPENCITY_ROUTING_HOOKS = "opencity.reports.routing_hooks.default"
    report = make_report()
    report.priority = 3
    assert routing.propose(report) == lighting_rule
