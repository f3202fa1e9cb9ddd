"""Issue 14: numbers were written two ways — "1802" next to "1,802" (Django's Vietnamese formats
have no digit grouping, so intcomma grouped in English only) and chart labels in ECharts' own
"1,802" on a Vietnamese page. One way now, per language: Vietnamese "1.802" and "12,5%",
English "1,802" and "12.5%"."""

from __future__ import annotations

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.utils import translation

from opencity.lib.numbers import fmt_number, fmt_percent

CASES = {
    "vi": {"int": "1.802", "big": "1.234.567", "dec": "12,5", "pct": "12,5%", "third": "66,7%"},
    "en": {"int": "1,802", "big": "1,234,567", "dec": "12.5", "pct": "12.5%", "third": "66.7%"},
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_numbers_are_grouped_and_pointed_in_the_pages_language(lang):
    want = CASES[lang]
    with translation.override(lang):
        assert fmt_number(1802) == want["int"]
        assert fmt_number(1234567) == want["big"]
        assert fmt_number(12.5) == want["dec"]
        assert fmt_percent(0.125) == want["pct"]
        assert fmt_percent(2 / 3) == want["third"]  # rounded, not cut: 66.66… → 66.7
        assert intcomma(1802) == want["int"]  # Django's own filter takes the same path (was "1802" in vi)


def test_small_and_missing_values():
    with translation.override("vi"):
        assert fmt_number(0) == "0"
        assert fmt_number(999) == "999"
        assert fmt_number(2.0) == "2"
        assert fmt_number(0.05, 1) == "0,1"
        assert fmt_number(-1234) == "-1.234"
        assert fmt_number(None) == "—" and fmt_percent(None) == "—"


@pytest.mark.parametrize(("lang", "want"), [("vi", "1.802 · 97,5% · 12,3"), ("en", "1,802 · 97.5% · 12.3")])
def test_the_template_filters(lang, want):
    template = Template("{% load numbers ioc_tags %}{{ n|num }} · {{ share|pct }} · {{ h|hours }}")
    with translation.override(lang):
        assert template.render(Context({"n": 1802, "share": 0.975, "h": 12.34})) == want


def test_ids_in_templates_stay_ungrouped():
    """Grouping is opt-in: an id in a URL or an attribute is never "1.924"."""
    with translation.override("vi"):
        assert Template("{{ pk }}").render(Context({"pk": 1924})) == "1924"
