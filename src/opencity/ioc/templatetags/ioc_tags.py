"""Formatting of KPI figures: shares as percentages, working hours, in the page's language."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.975 → "97.5%" ("97,5%" in Vietnamese); no value → "—"."""
    if value is None:
        return "—"
    return f"{floatformat(value * 100, 1)}%"


@register.filter
def hours(value) -> str:
    if value is None:
        return "—"
    return str(floatformat(value, 1))
