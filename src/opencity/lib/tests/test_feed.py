"""The console feed's interface (lib.feed): what a happening must say, and that it reaches the
subscribers."""

from __future__ import annotations

import pytest

from opencity.lib import feed


@pytest.mark.django_db  # the console (ioc) is subscribed in every installation of the project
def test_a_happening_reaches_every_subscriber(published):
    h = feed.publish(kind="incident.open", subject="incident", subject_id=7, ref="SC-7", area_id=3,
                     severity=feed.URGENT, payload={"people": 2})
    assert published == [h] and h.ref == "SC-7" and h.severity == "urgent"


@pytest.mark.parametrize("fields", [
    {"kind": "report.submit", "subject": "report", "severity": "loud"},  # not a severity
    {"kind": "submit", "subject": "report"},  # the kind names its subject first
    {"kind": "rescue.file", "subject": "report"},
])
def test_a_malformed_happening_is_refused(fields):
    with pytest.raises(ValueError):
        feed.publish(**fields)
