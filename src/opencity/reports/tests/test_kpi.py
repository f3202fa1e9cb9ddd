"""Every KPI figure (reports/kpi.py, docs/kpi.md) against a small history counted by hand.

The history, played through the services on chosen days (times in Huế; deadlines 16 working
hours, so a report routed Mon 2/3 08:00 is due Wed 4/3 09:00, one routed Tue 3/3 08:00 is due
Thu 5/3 09:00). HEPCO handles street lights, HUEWACO water.

====  ======  =========  ================================================  ===============
id    unit    ward       life                                              processing (h)
====  ======  =========  ================================================  ===============
R1    HEPCO   Phú Xuân   Mon 2/3 routed 08:00, resolved Tue 10:00, ★5      7 + 2.5 = 9.5
R2    HEPCO   Phú Xuân   Mon 2/3 08:00, resolved Wed 4/3 10:00 (late), ★3  7 + 7.5 + 2.5 = 17
R3    HEPCO   Thuận Hóa  Tue 3/3 08:00, resolved Tue 15:00, not rated      3.5 + 1.5 = 5
R4    HEPCO   Phú Xuân   Mon 2/3 08:00, still in progress: overdue         —
R5    HEPCO   Phú Xuân   PRIVATE; Mon 2/3 08:00, resolved Tue 10:00, ★4    9.5
R6    HUEWACO Phú Xuân   Mon 2/3 08:00, resolved Mon 16:00, ★4             3.5 + 2.5 = 6
R7    HUEWACO Phú Xuân   Mon 2/3 08:00, resolved Mon 15:00, ★1, disputed,  7 + 7.5 + 2.5 = 17
                         reopened Tue 08:00, resolved again Wed 10:00        (from Mon 08:00)
R8    —       Phú Xuân   received Wed 4/3, not routed yet                  —
R9    —       Phú Xuân   Mon 2/3, merged into R1: not counted              —
R10   —       Phú Xuân   Mon 2/3, rejected as spam: not counted            —
R11   HEPCO   Phú Xuân   received Fri 27/2, resolved on time, ★5           —
R12   —       Phú Xuân   received Sun 1/3 00:15 in Huế (Sat 28/2 in UTC)   —
====  ======  =========  ================================================  ===============

The figures are read on Fri 20/3/2026 10:00. (The ``history`` fixture is in helpers.py, so the
statistics page's tests use the same history.)
"""

from __future__ import annotations

import datetime as dt

import pytest

from opencity.reports import kpi, selectors, services
from opencity.reports.models import KpiHours, KpiRollup, Report

from .helpers import NOW

pytestmark = pytest.mark.django_db

MARCH = kpi.Period.parse("2026-03")


def test_the_city_figures_for_march(history):
    f = kpi.figures(kpi.Scope(period=MARCH), now=NOW)
    assert f.received == 9  # R1–R8 and R12 (R9 merged, R10 rejected, R11 in February)
    assert f.processed == 6  # R1, R2, R3, R5, R6, R7 (R4 in progress, R8 and R12 new)
    assert f.processing_rate == pytest.approx(6 / 9)
    assert f.on_time == 5  # all processed but R2
    assert f.late == 1  # R2
    assert f.on_time_rate == pytest.approx(5 / 6)
    assert f.rated == 4  # R1 ★5, R2 ★3, R5 ★4, R6 ★4 (R7's ★1 was cleared when it was reopened)
    assert f.satisfied == 3  # R1, R5, R6
    assert f.satisfaction_rate == pytest.approx(3 / 4)
    assert f.reopened == 1  # R7
    assert f.resolved_ever == 6  # the six processed (R7 among them)
    assert f.reopened_rate == pytest.approx(1 / 6)
    assert f.work_hours_sum == pytest.approx(64.0)  # 9.5 + 17 + 5 + 9.5 + 6 + 17
    assert f.average_work_hours == pytest.approx(64.0 / 6)
    assert f.median_work_hours == pytest.approx(9.5)  # 5, 6, 9.5, 9.5, 17, 17
    assert f.overdue_now == 1  # R4 (due Wed 4/3 09:00)


def test_public_figures_leave_private_reports_out(history):
    f = kpi.figures(kpi.Scope(period=MARCH, public_only=True), now=NOW)
    assert f.received == 8  # without R5
    assert f.processed == 5
    assert f.on_time == 4  # R1, R3, R6, R7
    assert f.rated == 3 and f.satisfied == 2  # R1 ★5, R2 ★3, R6 ★4
    assert f.work_hours_sum == pytest.approx(54.5)  # 9.5 + 17 + 5 + 6 + 17
    assert f.median_work_hours == pytest.approx(9.5)  # 5, 6, 9.5, 17, 17
    assert f.overdue_now == 1


def test_figures_by_unit(history, urban_works, other_unit):
    by = kpi.figures_by(kpi.Scope(period=MARCH), "unit", now=NOW)
    assert set(by) == {urban_works.pk, other_unit.pk}  # R8 and R12 have no unit yet
    hepco, huewaco = by[urban_works.pk], by[other_unit.pk]
    assert (hepco.received, hepco.processed, hepco.on_time) == (
        5,
        4,
        3,
    )  # R1–R5; R1 R2 R3 R5; R1 R3 R5
    assert (hepco.rated, hepco.satisfied, hepco.overdue_now) == (3, 2, 1)  # R1 R2 R5; R1 R5; R4
    assert hepco.work_hours_sum == pytest.approx(41.0)  # 9.5 + 17 + 5 + 9.5
    assert (huewaco.received, huewaco.processed, huewaco.on_time) == (2, 2, 2)  # R6, R7
    assert (huewaco.rated, huewaco.satisfied, huewaco.reopened) == (1, 1, 1)  # R6 ★4; R7 reopened
    assert huewaco.overdue_now == 0


def test_figures_by_ward_and_category(history, phu_xuan, thuan_hoa, lighting):
    wards = kpi.figures_by(kpi.Scope(period=MARCH), "area", now=NOW)
    assert wards[thuan_hoa.pk].received == 1 and wards[thuan_hoa.pk].processed == 1  # R3
    assert wards[phu_xuan.pk].received == 8  # R1 R2 R4 R5 R6 R7 R8 R12
    cats = kpi.figures_by(kpi.Scope(period=MARCH), "category", now=NOW)
    assert cats[lighting.pk].received == 7  # R1–R5, R8, R12
    assert sum(f.received for f in cats.values()) == 9  # + R6, R7 (water)
    hepco_in_thuan_hoa = kpi.figures(kpi.Scope(period=MARCH, area_id=thuan_hoa.pk), now=NOW)
    assert (
        hepco_in_thuan_hoa.received == 1
        and hepco_in_thuan_hoa.median_work_hours == pytest.approx(5.0)
    )


def test_figures_by_period_use_the_local_day(history):
    months = kpi.figures_by(kpi.Scope(), "month", now=NOW)
    feb, mar = kpi.Period.parse("2026-02"), kpi.Period.parse("2026-03")
    assert list(months) == [feb, mar]
    assert (months[feb].received, months[feb].processed, months[feb].satisfied) == (1, 1, 1)  # R11
    assert months[mar].received == 9  # R12 counts in March: 00:15 on 1/3 in Huế
    weeks = kpi.figures_by(kpi.Scope(), "week", now=NOW)
    assert weeks[kpi.Period.parse("2026-W09")].received == 2  # R11 (Fri 27/2), R12 (Sun 1/3)
    assert weeks[kpi.Period.parse("2026-W10")].received == 8  # R1–R8
    assert weeks[kpi.Period.parse("2026-W10")].overdue_now == 1  # R4
    days = kpi.figures_by(kpi.Scope(period=MARCH), "day", now=NOW)
    assert days[kpi.Period.parse("2026-03-02")].received == 6  # R1 R2 R4 R5 R6 R7
    assert days[kpi.Period.parse("2026-03-01")].received == 1  # R12
    quarter = kpi.figures(kpi.Scope(period=kpi.Period.parse("2026-Q1")), now=NOW)
    year = kpi.figures(kpi.Scope(period=kpi.Period.parse("2026")), now=NOW)
    assert quarter.received == year.received == 10  # March's 9 and R11
    assert (
        kpi.figures_by(kpi.Scope(), "quarter", now=NOW)[kpi.Period.parse("2026-Q1")].received == 10
    )
    assert kpi.figures(kpi.Scope(period=kpi.Period.parse("2026-04")), now=NOW).received == 0


def test_each_figure_lists_exactly_the_reports_it_counts(history, urban_works):
    scope = kpi.Scope(period=MARCH, unit_id=urban_works.pk, public_only=True)
    f = kpi.figures(scope, now=NOW)
    for figure, count in [
        ("received", f.received),
        ("processed", f.processed),
        ("on_time", f.on_time),
        ("late", f.late),
        ("rated", f.rated),
        ("satisfied", f.satisfied),
        ("reopened", f.reopened),
        ("overdue", f.overdue_now),
    ]:
        filters = {**kpi.drilldown(scope, figure), "public_only": True}
        listed = selectors.report_list(user=None, filters=filters)
        assert listed.count() == count, figure
    # HEPCO, public, March: R1 R2 R3 R4 received; R1 R2 R3 processed; R2 late; R4 overdue
    assert (f.received, f.processed, f.late, f.overdue_now) == (4, 3, 1, 1)


def test_the_roll_ups_follow_every_transition(
    make_report, lighting_rule, operator, officer, citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report()
    assert KpiRollup.objects.get(span="day").received == 1
    assert KpiRollup.objects.get(span="month").received == 1  # its month's row follows too
    with django_capture_on_commit_callbacks(execute=True):
        services.report_route(report_id=report.pk, actor=operator)
        services.report_accept(report_id=report.pk, actor=officer)
        services.report_resolve(report_id=report.pk, actor=officer, result="Đã thay bóng")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_rate(report_id=report.pk, actor=citizen, rating=5)
    for span in ("day", "month"):  # the day's row and its month's row (with the histogram)
        row = KpiRollup.objects.get(span=span)
        assert (row.received, row.processed, row.rated, row.satisfied) == (1, 1, 1, 1)
        assert row.unit_id == lighting_rule.unit_id
    for span in ("day", "month"):  # the histograms: the city, the unit, the ward, the category
        assert sorted(KpiHours.objects.filter(span=span).values_list("dim", "n")) == [
            ("area", 1), ("category", 1), ("city", 1), ("unit", 1)]
    assert kpi.rollups_check() == []


def test_rebuild_fills_missing_processing_times(history):
    Report.objects.filter(pk=history["R1"].pk).update(work_hours=None)  # as a bulk load leaves it
    assert kpi.work_hours_backfill() == 1
    assert Report.objects.get(pk=history["R1"].pk).work_hours == pytest.approx(9.5)
    assert kpi.rollups_rebuild() == KpiRollup.objects.filter(span="day").count() > 0
    assert kpi.rollups_check() == []


def test_the_rebuild_command(history, capsys):
    from django.core.management import call_command

    KpiHours.objects.all().delete()
    KpiRollup.objects.all().delete()
    call_command("rebuild_rollups")
    assert "KPI roll-ups rebuilt" in capsys.readouterr().out
    call_command("rebuild_rollups", "--check")
    assert "agree" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("2026-12", dt.date(2026, 12, 1), dt.date(2027, 1, 1)),
        ("2026-W01", dt.date(2025, 12, 29), dt.date(2026, 1, 5)),
        ("2026-03-05", dt.date(2026, 3, 5), dt.date(2026, 3, 6)),
    ],
)
def test_periods_parse_and_print_back(text, start, end):
    period = kpi.Period.parse(text)
    assert (period.start, period.end, period.key) == (start, end, text)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-02-30", "x", "2026-W60"])
def test_nonsense_periods_are_refused(text):
    assert kpi.Period.parse(text) is None


def test_the_numbers_are_shared_for_a_while_and_a_fixed_moment_is_not_cached(history, settings):
    from django.core.cache import cache
    from django.db.models import F

    settings.OPENCITY_KPI_CACHE_SECONDS = 60
    city, public = kpi.Scope(period=MARCH), kpi.Scope(period=MARCH, public_only=True)
    assert kpi.figures(city).received == 9 and kpi.figures(public).received == 8
    assert kpi.figures_by(city, "unit")
    KpiRollup.objects.update(received=F("received") + 1)  # the roll-ups move on
    assert kpi.figures(city).received == 9  # asked again within the minute: the same answer
    assert kpi.figures(public).received == 8  # another question has its own answer
    assert kpi.figures(city, now=NOW).received > 9  # a fixed moment is always counted
    cache.clear()
    assert kpi.figures(city).received > 9


def test_figures_with_private_reports_are_shared_for_less_time(history, settings, monkeypatch):
    from opencity.lib import cache as shared

    seen = []
    real = shared.cached

    def spy(key, compute, *, fresh):
        seen.append(fresh)
        return real(key, compute, fresh=fresh)

    monkeypatch.setattr(shared, "cached", spy)
    settings.OPENCITY_KPI_CACHE_SECONDS, settings.OPENCITY_KPI_STAFF_CACHE_SECONDS = 30, 5
    kpi.figures(kpi.Scope(period=MARCH, public_only=True))
    kpi.figures(kpi.Scope(period=MARCH))
    assert seen == [30, 5]



def test_figures_shared_before_a_recount_are_not_served_after_it(history, settings):
    from django.core.cache import cache
    from django.db.models import F

    settings.OPENCITY_KPI_CACHE_SECONDS = settings.OPENCITY_KPI_STAFF_CACHE_SECONDS = 60
    city = kpi.Scope(period=MARCH)
    assert kpi.figures(city).received == 9
    KpiRollup.objects.update(received=F("received") + 1)  # the roll-ups move on...
    assert kpi.figures(city).received == 9  # ...unseen while the shared answer is fresh
    heard = []
    kpi.rollups_refreshed.connect(lambda sender, days, **kw: heard.append(days), weak=False,
                                  dispatch_uid="test-heard")
    before = cache.get(kpi.GENERATION_KEY)
    try:
        kpi.rollup_refresh_days([MARCH.start])  # a recount of one day...
    finally:
        kpi.rollups_refreshed.disconnect(dispatch_uid="test-heard")
    assert heard == [[MARCH.start]]  # ...is announced (the console's headline reloads on it)
    assert cache.get(kpi.GENERATION_KEY) != before  # ...and retires every shared answer
    assert kpi.figures(city).received == kpi.figures(city, now=NOW).received


@pytest.mark.parametrize("text", ["0001", "0001-01", "0001-01-01", "9999-12-31", "9999-Q4", "1899-W01"])
def test_a_period_outside_the_calendar_the_city_uses_is_not_a_period(text):
    """Issue #13: /statistics/?period=9999-12-31 and /ioc/?period=0001-01-01 gave HTTP 500 (the
    local midnight of year 1 or 9999 overflows datetime)."""
    assert kpi.Period.parse(text) is None
