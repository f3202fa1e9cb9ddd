"""``python -m bench.gen_load``: 500 reports on the test database (COPY on PostgreSQL, executemany on
SQLite), checked for counts, spread and legal timelines. No assertion on time."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import override_settings

from bench import gen_load, loadgen
from opencity.geo.selectors import area_id_for_point
from opencity.lib.worktime import TZ
from opencity.reports import deadlines, kpi
from opencity.reports.models import Follow, Report, Status, TimelineEvent
from opencity.reports.workflow import TRANSITIONS
from opencity.worktime.selectors import default_calendar

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
REPORTS = 500


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Generated once for the module, inside a transaction rolled back at its end (with the
    demo pack's reference data where the test database has none: its photos go to a temporary
    folder)."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast), \
            transaction.atomic():
        summary = loadgen.gen_load(reports=REPORTS, seed=11, citizens=60, years=0.5, now=NOW,
                                   rollups=False, log=lambda _line: None)
        yield summary
        transaction.set_rollback(True)


def test_it_writes_the_reports_timelines_and_follows(loaded, db):
    assert loaded.reports == REPORTS
    assert Report.objects.count() == REPORTS
    assert TimelineEvent.objects.count() == loaded.events
    assert loaded.events > 2 * REPORTS  # a few events per report
    assert Follow.objects.count() == loaded.follows > 0
    assert sum(loaded.statuses.values()) == REPORTS


def test_every_state_is_present(loaded, db):
    present = set(Report.objects.values_list("status", flat=True))
    assert present == set(Status.values)


def test_reports_spread_over_wards_categories_and_time(loaded, db):
    assert Report.objects.values("area").distinct().count() >= 20
    assert Report.objects.values("category").distinct().count() >= 15
    first = Report.objects.order_by("created_at").first().created_at
    assert NOW - first > dt.timedelta(days=150)
    assert Report.objects.filter(created_at__gt=NOW).count() == 0


def test_timelines_are_legal_runs_of_the_workflow(loaded, db):
    events = defaultdict(list)
    for e in TimelineEvent.objects.order_by("created_at", "id"):
        events[e.report_id].append(e)
    for report in Report.objects.all():
        run = events[report.pk]
        assert run[0].action == "submit" and run[0].from_status == "" and run[0].created_at == report.created_at
        status = ""
        for e in run:
            t = TRANSITIONS[e.action]
            assert status in t.sources, (report.pk, e.action, status)
            assert e.from_status == status
            assert e.to_status == (t.target or status)
            assert e.is_public == t.public or e.action == "note"
            assert e.created_at <= NOW
            status = e.to_status
        assert status == report.status
        assert report.version == len(run)
        assert report.updated_at == run[-1].created_at


def test_fields_agree_with_the_state(loaded, db):
    calendar = default_calendar()
    for r in Report.objects.select_related("category"):
        routed = r.status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED)
        assert (r.unit_id is not None) == routed == (r.due_at is not None)
        assert (r.merged_into_id is not None) == (r.status == Status.MERGED)
        if r.merged_into_id:
            assert r.merged_into_id < r.pk
        assert bool(r.reject_reason) == (r.status == Status.REJECTED)
        done = r.status in (Status.RESOLVED, Status.CLOSED)
        assert (r.resolved_at is not None) == done == (r.work_hours is not None)
        assert (r.closed_at is not None) == (r.status == Status.CLOSED)
        if r.rating is not None:
            assert r.status == Status.CLOSED and 1 <= r.rating <= 5
        if done:
            # its KPI contribution as the services compute it when the result is published
            assert r.work_hours == pytest.approx(kpi.processing_hours(r.assigned_at, r.resolved_at), abs=0.01)
        if routed:
            # the deadline the product gives: from the (last) routing or reopening, in working hours
            start = r.assigned_at
            if r.events.filter(action="reopen").exists():
                start = r.events.filter(action="reopen").latest("created_at").created_at
            expected = calendar.add_working_hours(start, deadlines.deadline_hours(r.category, r.priority))
            assert abs((r.due_at - expected).total_seconds()) <= 1, r.pk
        if r.events.filter(action="route", actor__isnull=True).exists():  # an automatic rule
            assert r.events.get(action="route").created_at == r.created_at  # in the submit's transaction
        assert area_id_for_point(r.lat, r.lon) == r.area_id


def test_follows_are_by_other_citizens_and_me_too_is_counted(loaded, db):
    assert not Follow.objects.filter(report__reporter=F("user")).exists()
    counts = Counter(Follow.objects.filter(me_too=True).values_list("report_id", flat=True))
    for r in Report.objects.filter(Q(me_too_count__gt=0) | Q(pk__in=list(counts))):
        assert r.me_too_count == counts[r.pk]
    assert not Follow.objects.values("report", "user").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_the_same_seed_draws_the_same_rows(loaded, db):
    ref = loadgen.load_reference(seed=3, points_per_ward=50)
    citizens, _created = loadgen.ensure_citizens(60, seed=3, log=lambda _line: None)

    def draw():
        planner = loadgen.Planner(ref, citizens, reports=300, seed=3, now=NOW, years=1,
                                  first_id=10**6, ts=loadgen._timestamps(""))
        return planner.plan(0, 300, 0)[:3]

    assert draw() == draw()


def test_the_command_adds_reports_and_says_how_fast(loaded, db):
    out = io.StringIO()
    assert gen_load.main(["--reports", "40", "--citizens", "20", "--no-rollups"], stdout=out) == 0
    assert "40 reports" in out.getvalue() and "reports/s" in out.getvalue()
    assert Report.objects.count() == REPORTS + 40


def test_the_array_clock_is_the_calendars_arithmetic():
    """The load generator hands ``reports.effects`` a vectorised clock; it must give the same
    moments and hours as the product's calendar, across nights, weekends and Tết."""
    import random

    import numpy as np

    from bench.worktime import ArrayClock, WorkIndex
    from opencity.lib.worktime import DEFAULT_CALENDAR

    first = dt.date(2026, 1, 1)
    clock = ArrayClock(WorkIndex(DEFAULT_CALENDAR, first, dt.date(2026, 6, 30)))
    r = random.Random(5)
    starts = [dt.datetime(2026, 1, 1, tzinfo=TZ) + dt.timedelta(seconds=r.randrange(120 * 86_400))
              for _ in range(300)]
    hours = [r.choice((0.5, 4, 8, 16, 40, 80)) for _ in starts]
    epoch = np.array([int(s.timestamp()) for s in starts])
    due = clock.add_working_hours(epoch, np.array(hours))
    between = clock.working_hours_between(epoch, due)
    for s, h, d, w in zip(starts, hours, due.tolist(), between.tolist(), strict=True):
        expected = DEFAULT_CALENDAR.add_working_hours(s, h)
        assert d == int(expected.timestamp()), (s, h)
        assert w == pytest.approx(DEFAULT_CALENDAR.working_hours_between(s, expected)), (s, h)
