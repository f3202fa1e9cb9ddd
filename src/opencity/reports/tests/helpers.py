"""Test helpers for deadlines and KPIs: a settable clock and reports received at a given time.

The clock replaces ``django.utils.timezone.now`` (which the services, the workflow and the
deadline code read), so a report's whole life can be played on chosen days of 2026.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from shapely.geometry import shape

from opencity.lib.worktime import TZ
from opencity.notifications.models import OutboxMessage
from opencity.worktime.selectors import reset_default_calendar


def at(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


class Clock:
    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self.now: dt.datetime | None = None

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment
        self._monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def fresh_calendar():
    """Drop the cached working calendar before and after (a test that configures days)."""
    reset_default_calendar()
    yield
    reset_default_calendar()


def received_at(report, moment: dt.datetime):
    """Date a report's reception (``created_at`` is set by the model default, not the clock)."""
    type(report).objects.filter(pk=report.pk).update(created_at=moment)
    report.created_at = moment
    return report


NOW = dt.datetime(2026, 3, 20, 10, 0, tzinfo=TZ)


@pytest.fixture
def history(
    make_report,
    lighting,
    lighting_rule,
    operator,
    officer,
    other_officer,
    citizen,
    citizen2,
    urban_works,
    other_unit,
    thuan_hoa,
    clock,
):
    """Twelve reports played on chosen days: the table in test_kpi.py's docstring. The clock is
    left at ``NOW`` and the roll-ups are built."""
    from opencity.reports import kpi, services
    from opencity.reports.tests.factories import CategoryFactory

    water = CategoryFactory(
        code="cap-nuoc", name_vi="Cấp nước", name_en="Water supply", deadline_hours=16
    )
    point = shape(thuan_hoa.boundary).representative_point()

    def play(
        received,
        *,
        routed=None,
        unit=urban_works,
        worker=officer,
        resolved=None,
        rating=None,
        category=lighting,
        reporter=citizen,
        **submit,
    ):
        clock.set(received)
        r = received_at(make_report(category=category, reporter=reporter, **submit), received)
        if routed:
            clock.set(routed)
            services.report_route(report_id=r.pk, actor=operator, unit_id=unit.pk)
            clock.set(routed + dt.timedelta(minutes=20))
            services.report_accept(report_id=r.pk, actor=worker)
        if resolved:
            clock.set(resolved)
            services.report_resolve(report_id=r.pk, actor=worker, result="Đã xử lý xong")
        if rating:
            clock.set(resolved + dt.timedelta(minutes=30))
            services.report_rate(report_id=r.pk, actor=reporter, rating=rating)
        return r

    mon8, tue8 = at(2026, 3, 2, 8), at(2026, 3, 3, 8)
    h = {}
    h["R1"] = play(at(2026, 3, 2, 7), routed=mon8, resolved=at(2026, 3, 3, 10), rating=5)
    h["R2"] = play(at(2026, 3, 2, 7), routed=mon8, resolved=at(2026, 3, 4, 10), rating=3)
    h["R3"] = play(
        at(2026, 3, 3, 7), routed=tue8, resolved=at(2026, 3, 3, 15), lat=point.y, lon=point.x
    )
    h["R4"] = play(at(2026, 3, 2, 7), routed=mon8)
    h["R5"] = play(
        at(2026, 3, 2, 7), routed=mon8, resolved=at(2026, 3, 3, 10), rating=4, is_public=False
    )
    h["R6"] = play(
        at(2026, 3, 2, 7),
        routed=mon8,
        unit=other_unit,
        worker=other_officer,
        category=water,
        resolved=at(2026, 3, 2, 16),
        rating=4,
    )
    r7 = h["R7"] = play(
        at(2026, 3, 2, 7),
        routed=mon8,
        unit=other_unit,
        worker=other_officer,
        category=water,
        resolved=at(2026, 3, 2, 15),
        rating=1,
    )
    clock.set(at(2026, 3, 2, 16))
    services.report_dispute(report_id=r7.pk, actor=citizen, reason="Nước vẫn đục")
    clock.set(tue8)
    services.report_decide_dispute(report_id=r7.pk, actor=operator, agree=True)
    clock.set(at(2026, 3, 4, 10))
    services.report_resolve(report_id=r7.pk, actor=other_officer, result="Đã súc rửa đường ống")
    h["R8"] = play(at(2026, 3, 4, 9))
    h["R9"] = play(at(2026, 3, 2, 7, 30), reporter=citizen2)
    clock.set(at(2026, 3, 2, 8, 5))
    services.report_merge(report_id=h["R9"].pk, actor=operator, into_id=h["R1"].pk)
    h["R10"] = play(at(2026, 3, 2, 7, 40))
    services.report_reject(report_id=h["R10"].pk, actor=operator, reason="spam")
    h["R11"] = play(
        at(2026, 2, 27, 7), routed=at(2026, 2, 27, 8), resolved=at(2026, 2, 27, 15), rating=5
    )
    h["R12"] = play(at(2026, 3, 1, 0, 15))
    clock.set(NOW)
    kpi.rollups_rebuild()
    # the past's side effects (notifications, recounts: rebuilt above) are not played again by
    # the next drain of the outbox (a test's own services kick one)
    OutboxMessage.objects.filter(done_at__isnull=True).update(done_at=NOW)
    return h
