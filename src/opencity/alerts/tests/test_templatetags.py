"""Template helpers: labels of stored codes, Vietnam time, numbers grouped per language."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from opencity.alerts.templatetags.alert_tags import cap_label, count, severity_badge, vn_when


def test_numbers_are_grouped_as_each_language_writes_them():
    with translation.override("vi"):
        assert count(506115) == "506.115"
    with translation.override("en"):
        assert count(506115) == "506,115"
    assert count(None) == "" and count("x") == ""


def test_codes_are_shown_translated_and_unknown_ones_as_they_are():
    with translation.override("en"):
        assert cap_label("heavy_rain", "event") == "Heavy rain"
        assert cap_label("Severe", "severity") == "Severe"
    assert cap_label("meteor", "event") == "meteor"
    assert 'class="badge sev sev-extreme"' in severity_badge("Extreme")


def test_times_are_shown_in_vietnam_time():
    assert vn_when(dt.datetime(2025, 10, 27, 2, 0, tzinfo=dt.UTC)) == "27/10/2025 09:00"
    assert vn_when(None) == ""
