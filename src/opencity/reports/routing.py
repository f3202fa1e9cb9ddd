"""Routing: category × area → unit. The only place that decides where a report goes.

Most specific rule wins: a rule for the report's ward before the city-wide rule for the
category. A city can adjust the proposal with a hook module (``OPENCITY_ROUTING_HOOKS``), the
way MapIt picks a country package.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_module

from .models import Report, RoutingRule


@lru_cache(maxsize=1)
def _hooks():
    return import_module(settings.OPENCITY_ROUTING_HOOKS)


def find_rule(category_id: int, area_id: int | None) -> RoutingRule | None:
    rules = list(
        RoutingRule.objects.filter(category_id=category_id, unit__is_active=True)
        .filter(area_id__in=[area_id] if area_id else [])
        .select_related("unit")
    ) or list(
        RoutingRule.objects.filter(category_id=category_id, area__isnull=True, unit__is_active=True)
        .select_related("unit")
    )
    return rules[0] if rules else None


def propose(report: Report) -> RoutingRule | None:
    """The rule that applies to ``report`` (after the city's hook), or None: IOC triage."""
    rule = find_rule(report.category_id, report.area_id)
    return _hooks().adjust(report, rule)


def should_route_automatically(report: Report) -> RoutingRule | None:
    rule = propose(report)
    return rule if rule is not None and rule.automatic else None
