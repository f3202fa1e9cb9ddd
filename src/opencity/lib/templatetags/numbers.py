"""``{% load numbers %}``: ``{{ n|num }}``, ``{{ x|num:1 }}``, ``{{ share|pct }}`` in the page's
language (:mod:`opencity.lib.numbers`)."""

from __future__ import annotations

from django import template

from opencity.lib.numbers import fmt_number, fmt_percent

register = template.Library()


@register.filter
def num(value, places=None) -> str:
    return fmt_number(value, None if places in (None, "") else int(places))


@register.filter
def pct(share, places=1) -> str:
    return fmt_percent(share, int(places))
