"""The processing-time histogram of the month roll-ups and the median read from it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencity.reports import kpi
from opencity.reports.models import KpiHours, KpiRollup, Report

HOURS = [1.2, 3.7, 10.0, 50.0, 300.0]


@pytest.mark.parametrize(("hours", "bucket"), [
    (0, 0), (0.49, 0), (0.5, 1), (47.9, 95), (48, 96), (51.9, 96), (52, 97), (239.9, 143),
    (240, 144), (263.9, 144), (1199, 183), (1200, 184), (5000, 184),
])
def test_each_processing_time_falls_in_its_bucket(hours, bucket):
    assert kpi.hour_bucket(hours) == bucket
    low, width = kpi.HOUR_BUCKETS[bucket]
    assert low <= hours and (width is None or hours < low + width)


def test_the_buckets_are_half_hours_then_four_hours_then_days():
    assert len(kpi.HOUR_BUCKETS) == 185
    assert kpi.HOUR_BUCKETS[0] == (0.0, 0.5) and kpi.HOUR_BUCKETS[96] == (48.0, 4.0)
    assert kpi.HOUR_BUCKETS[144] == (240.0, 24.0) and kpi.HOUR_BUCKETS[184] == (1200.0, None)


@pytest.mark.parametrize(("counts", "median"), [
    ({}, None),
    ({4: 3}, 2.25),  # three reports in 2.0–2.5 h: half of them (1.5) is 3/6 into the bucket
    ({0: 1, 1: 1}, 0.5),  # two reports, 0–0.5 and 0.5–1: the median is where the first ends
    ({2: 1, 10: 2, 100: 1}, 5.25),  # n = 4, target 2: 1 before bucket 10 (5.0–5.5), 1 of its 2
    ({184: 5}, 1200.0),  # the open bucket: its lower bound
])
def test_the_median_is_interpolated_within_its_bucket(counts, median):
    assert kpi.median_from_histogram(counts) == (pytest.approx(median) if median is not None else None)


@pytest.fixture
def processed(make_report):
    reports = [make_report(description=f"Phản ánh {i}") for i in range(len(HOURS))]
    for report, hours in zip(reports, HOURS, strict=True):
        Report.objects.filter(pk=report.pk).update(status="closed", work_hours=hours,
                                                  assigned_at=report.created_at, resolved_at=report.created_at)
    kpi.rollups_rebuild()
    return reports


def test_the_month_rows_keep_the_histogram_counted_in_sql(processed, lighting):
    month = KpiRollup.objects.get(span="month")
    assert month.work_hours_count == 5
    expected = {kpi.hour_bucket(h): 1 for h in HOURS}  # buckets 2, 7, 20, 96, 146
    for span in ("day", "month"):
        city = KpiHours.objects.filter(span=span, dim="city")
        assert dict(city.values_list("bucket", "n")) == expected
    assert kpi.hour_histogram(kpi.Scope()) == expected
    assert kpi.hour_histogram(kpi.Scope(category_id=lighting.pk, public_only=True)) == expected
    assert kpi.hour_histogram(kpi.Scope(category_id=lighting.pk + 1000)) == {}
    assert kpi.hour_histogram(kpi.Scope(category_id=lighting.pk, area_id=processed[0].area_id)) is None
    assert kpi.rollups_check() == []


def test_a_scope_narrowed_two_ways_reads_the_report_table(processed, lighting, monkeypatch):
    monkeypatch.setattr(kpi, "EXACT_MEDIAN_MAX", 0)
    scope = kpi.Scope(category_id=lighting.pk, area_id=processed[0].area_id)
    assert kpi.median_work_hours(scope) == 10.0  # exact


def test_a_large_scope_takes_the_median_from_the_histogram(processed, monkeypatch):
    assert kpi.median_work_hours(kpi.Scope()) == 10.0  # few reports: exact, from the report table
    monkeypatch.setattr(kpi, "EXACT_MEDIAN_MAX", 0)
    # n = 5, target 2.5: two reports below bucket 20 (10.0–10.5 h), half of its one report
    assert kpi.median_work_hours(kpi.Scope()) == pytest.approx(10.25)


def test_the_headline_reads_the_report_table_only_for_overdue_now(processed, monkeypatch):
    monkeypatch.setattr(kpi, "EXACT_MEDIAN_MAX", 0)
    with CaptureQueriesContext(connection) as ctx:
        figures = kpi.figures(kpi.Scope(public_only=True))
        kpi.figures_by(kpi.Scope(public_only=True), "unit")
    on_reports = [q["sql"] for q in ctx.captured_queries if '"reports_report"' in q["sql"]]
    assert len(on_reports) == 2 and all("due_at" in sql for sql in on_reports)  # overdue now, twice
    assert figures.processed == 5 and figures.median_work_hours == pytest.approx(10.25)


def test_days_and_weeks_read_the_day_rows(processed):
    today = kpi.local_date(processed[0].created_at)
    for kind in ("day", "week"):
        f = kpi.figures(kpi.Scope(period=kpi.Period.of(kind, today)))
        assert (f.received, f.processed, f.median_work_hours) == (5, 5, 10.0)
    assert kpi.figures(kpi.Scope(period=kpi.Period.of("month", today))).received == 5
    assert len(kpi.figures_by(kpi.Scope(period=kpi.Period.of("month", today)), "day")) == 1
