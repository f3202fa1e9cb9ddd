"""The city's numbers on field reports, defined once (docs/kpi.md states them in words).

Every figure is about the reports **received** in a period — a cohort by ``created_at`` in
Asia/Ho_Chi_Minh — and counts what has happened to them until now:

=================  ==========================================================================
received           submitted reports, except merged duplicates (the original counts once) and
                   rejected ones (spam, out of scope, not enough information)
processed          received and resolved or closed (a result was published)
processing rate    processed / received
on time            processed with ``resolved_at <= due_at`` (the deadline after extensions and
                   pauses; no deadline counts as on time)
on-time rate       on time / processed
rated, satisfied   received with a rating; with a rating of 4 or 5
satisfaction       satisfied / rated
reopened           received reports reopened at least once after a disputed result
reopened rate      reopened / resolved at least once (processed, or reopened and not yet
                   processed again)
processing time    working hours from assignment to the result (``Report.work_hours``, set
                   when resolved); average and median over the processed reports
overdue now        received reports open and past their deadline now (``deadlines.overdue_q``)
=================  ==========================================================================

A report counts for the unit it is assigned to now, the ward it is located in now and its
current category. ``public_only`` restricts every figure to public reports, so that the public
list of reports behind a figure (:func:`drilldown`) has exactly as many rows as the figure.

Speed: counts and sums come from :class:`~reports.models.KpiRollup`, one row per received
day × unit × ward × category × public flag (``span="day"``), and the same per month
(``span="month"``): periods made of whole months (month, quarter, year, all time) read the month
rows, days and weeks the day rows. Month rows also keep a histogram of the processing time in
fixed working-hour buckets (:class:`~reports.models.KpiHours`, :data:`HOUR_BUCKETS`; per day and
month, for the city and per unit, ward, category), from which the median is interpolated
within its bucket (exact to the bucket width; exact outright for small scopes, days and weeks,
and scopes narrowed two ways, read from the report table). A report's rows change when
something happens to it, so every transition refreshes the roll-ups of the day (and month) the
report was received, in the worker after the transaction commits (:func:`rollup_touch`, hooked
to the TimelineEvent each transition writes, owes it through the outbox; rows of one day
coalesce); ``manage.py rebuild_rollups`` rebuilds them all (after
bulk loads such as the demo pack), and a nightly job refreshes the days touched in the last day
(a safety net). Only "overdue now" is read from the report table (indexed on ``due_at``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    Floor,
    TruncDate,
    TruncMonth,
    TruncQuarter,
    TruncWeek,
    TruncYear,
)
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.lib.worktime import TZ, WorkCalendar
from opencity.notifications.outbox import outbox_put
from opencity.worktime.selectors import default_calendar

from . import deadlines
from .models import KpiHours, KpiRollup, KpiSpan, Report, Status, TimelineEvent

logger = logging.getLogger(__name__)

# Sent after roll-up rows were recounted (``days``: the local days): the console's headline
# follows it (``ioc.live``), and the shared figures computed before it are not served again.
rollups_refreshed = Signal()
GENERATION_KEY = "kpi:generation"

SATISFIED_MIN_RATING = 4
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)

RECEIVED_Q = ~Q(status__in=[Status.MERGED, Status.REJECTED])
PROCESSED_Q = Q(status__in=DONE_STATUSES)
ON_TIME_Q = PROCESSED_Q & (Q(due_at__isnull=True) | Q(resolved_at__isnull=True) | Q(resolved_at__lte=F("due_at")))
LATE_Q = PROCESSED_Q & Q(resolved_at__gt=F("due_at"))
RATED_Q = Q(rating__isnull=False)
SATISFIED_Q = Q(rating__gte=SATISFIED_MIN_RATING)


def reopened_q() -> Q:
    return Q(Exists(TimelineEvent.objects.filter(report=OuterRef("pk"), action="reopen")))


# The ``status`` values of ``selectors.report_list`` that list the reports behind a figure.
# ("done" — processed — and "open" are handled by the selector itself.)
STATUS_FILTERS = {
    "received": lambda: RECEIVED_Q,
    "on_time": lambda: ON_TIME_Q,
    "late": lambda: LATE_Q,
    "rated": lambda: RATED_Q,
    "satisfied": lambda: SATISFIED_Q,
    "reopened": reopened_q,
}
# figure → the report_list status that lists it (None: no status filter)
FIGURE_STATUS = {
    "received": None,
    "processed": "done",
    "on_time": "on_time",
    "late": "late",
    "rated": "rated",
    "satisfied": "satisfied",
    "reopened": "reopened",
}


def processing_hours(assigned_at: dt.datetime | None, resolved_at: dt.datetime | None,
                     calendar: WorkCalendar | None = None) -> float | None:
    """Processing time: working hours from the (last) assignment to the result."""
    if assigned_at is None or resolved_at is None:
        return None
    return (calendar or default_calendar()).working_hours_between(assigned_at, resolved_at)


# --- periods ---------------------------------------------------------------------------------

PERIOD_KINDS = ("day", "week", "month", "quarter", "year")
_PATTERNS = (
    ("day", re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    ("week", re.compile(r"^(\d{4})-W(\d{2})$")),
    ("month", re.compile(r"^(\d{4})-(\d{2})$")),
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("year", re.compile(r"^(\d{4})$")),
)


@dataclass(frozen=True)
class Period:
    """A calendar period in local time; ``kind="all"`` is all time. ``end`` is exclusive."""

    kind: str = "all"
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def of(cls, kind: str, day: dt.date) -> Period:
        """The period of ``kind`` that contains ``day``."""
        if kind == "day":
            return cls("day", day, day + dt.timedelta(days=1))
        if kind == "week":
            start = day - dt.timedelta(days=day.weekday())
            return cls("week", start, start + dt.timedelta(days=7))
        if kind == "month":
            start = day.replace(day=1)
            return cls("month", start, _add_months(start, 1))
        if kind == "quarter":
            start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
            return cls("quarter", start, _add_months(start, 3))
        if kind == "year":
            start = day.replace(month=1, day=1)
            return cls("year", start, start.replace(year=start.year + 1))
        raise ValueError(f"unknown period kind {kind!r}")

    @classmethod
    def parse(cls, text: str | None) -> Period | None:
        """``2026``, ``2026-Q1``, ``2026-03``, ``2026-W10``, ``2026-03-05``; empty: all time."""
        text = (text or "").strip()
        if not text:
            return cls()
        for kind, pattern in _PATTERNS:
            m = pattern.match(text)
            if not m:
                continue
            n = [int(g) for g in m.groups()]
            if not 1900 <= n[0] <= 2999:  # beyond, local midnight overflows datetime (issue #13)
                return None
            try:
                if kind == "day":
                    return cls.of("day", dt.date(n[0], n[1], n[2]))
                if kind == "week":
                    return cls.of("week", dt.date.fromisocalendar(n[0], n[1], 1))
                if kind == "month":
                    return cls.of("month", dt.date(n[0], n[1], 1))
                if kind == "quarter":
                    return cls.of("quarter", dt.date(n[0], 3 * n[1] - 2, 1))
                return cls.of("year", dt.date(n[0], 1, 1))
            except ValueError:
                return None
        return None

    @property
    def key(self) -> str:
        s = self.start
        if self.kind == "all" or s is None:
            return ""
        if self.kind == "day":
            return s.isoformat()
        if self.kind == "week":
            year, week, _day = s.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{s:%Y-%m}"
        if self.kind == "quarter":
            return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
        return str(s.year)

    @property
    def label(self) -> str:
        s = self.start
        if self.kind == "all" or s is None:
            return _("All time")
        if self.kind == "day":
            return f"{s:%d/%m/%Y}"
        if self.kind == "week":
            year, week, _day = s.isocalendar()
            return _("Week %(week)d/%(year)d") % {"week": week, "year": year}
        if self.kind == "month":
            return f"{s:%m/%Y}"
        if self.kind == "quarter":
            return _("Q%(quarter)d/%(year)d") % {"quarter": (s.month - 1) // 3 + 1, "year": s.year}
        return str(s.year)

    def previous(self) -> Period:
        if self.start is None:
            return self
        return Period.of(self.kind, self.start - dt.timedelta(days=1))

    def created_filter(self) -> dict:
        """Filter on ``created_at`` (local midnight to local midnight)."""
        if self.start is None or self.end is None:
            return {}
        return {
            "created_at__gte": dt.datetime.combine(self.start, dt.time(0), TZ),
            "created_at__lt": dt.datetime.combine(self.end, dt.time(0), TZ),
        }

    def day_filter(self) -> dict:
        if self.start is None or self.end is None:
            return {}
        return {"day__gte": self.start, "day__lt": self.end}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, TZ).date()


def recent_periods(kind: str, count: int, *, today: dt.date | None = None) -> list[Period]:
    """The ``count`` latest periods of ``kind``, newest first (for filter menus)."""
    period = Period.of(kind, today or timezone.localdate(timezone=TZ))
    out = []
    for _i in range(count):
        out.append(period)
        period = period.previous()
    return out


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which reports a figure is about."""

    period: Period = field(default_factory=Period)
    unit_id: int | None = None
    area_id: int | None = None
    category_id: int | None = None
    public_only: bool = False

    def dims(self) -> dict:
        f: dict = {}
        if self.unit_id:
            f["unit_id"] = self.unit_id
        if self.area_id:
            f["area_id"] = self.area_id
        if self.category_id:
            f["category_id"] = self.category_id
        if self.public_only:
            f["is_public"] = True
        return f


@dataclass
class Figures:
    received: int = 0
    processed: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    reopened: int = 0
    resolved_ever: int = 0
    work_hours_sum: float = 0.0
    work_hours_count: int = 0
    overdue_now: int = 0
    median_work_hours: float | None = None

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def late(self) -> int:
        return self.processed - self.on_time

    @property
    def processing_rate(self) -> float | None:
        return self._share(self.processed, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return self._share(self.on_time, self.processed)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._share(self.satisfied, self.rated)

    @property
    def reopened_rate(self) -> float | None:
        return self._share(self.reopened, self.resolved_ever)

    @property
    def average_work_hours(self) -> float | None:
        return self.work_hours_sum / self.work_hours_count if self.work_hours_count else None


COUNTS = ("received", "processed", "on_time", "rated", "satisfied", "reopened", "resolved_ever",
          "work_hours_sum", "work_hours_count")
GROUPS = {"unit": "unit_id", "area": "area_id", "category": "category_id"}
_TRUNC = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}


MONTHLY_KINDS = ("month", "quarter", "year", "all")


def _span(scope: Scope, by: str | None = None) -> str:
    """Month rows for periods made of whole months (unless grouped by day or week)."""
    if scope.period.kind in MONTHLY_KINDS and by not in ("day", "week"):
        return KpiSpan.MONTH
    return KpiSpan.DAY


def _rollups(scope: Scope, by: str | None = None):
    return KpiRollup.objects.filter(span=_span(scope, by), **scope.period.day_filter(), **scope.dims())


def _reports(scope: Scope):
    qs = Report.objects.filter(RECEIVED_Q, **scope.period.created_filter(), **scope.dims())
    # the public figures are about the reports the public list shows (the roll-ups keep the
    # is_public flag as a dimension for that: RECEIVED_Q with it is the same set, tested)
    return qs.filter(policy.listed_report_q()) if scope.public_only else qs


def _sums() -> dict:
    return {name: Coalesce(Sum(name), 0) for name in COUNTS if name != "work_hours_sum"} | {
        "work_hours_sum": Coalesce(Sum("work_hours_sum"), 0.0)
    }


def _cached(name: str, scope: Scope, compute, now: dt.datetime | None, *extra):
    """``compute()`` shared by everyone asking the same question (``lib.cache.cached``) for
    ``OPENCITY_KPI_CACHE_SECONDS`` (public figures) or ``OPENCITY_KPI_STAFF_CACHE_SECONDS``
    (figures with private reports: the IOC console, which the live feed refreshes); a question
    about a fixed moment (``now``) is not cached."""
    from django.conf import settings

    from opencity.lib.cache import cached

    if now is not None:
        return compute()
    fresh = settings.OPENCITY_KPI_CACHE_SECONDS
    if not scope.public_only:
        fresh = min(fresh, settings.OPENCITY_KPI_STAFF_CACHE_SECONDS)
    if fresh <= 0:
        return compute()
    key = ":".join(str(x) for x in ("kpi", _generation(), name, scope.period.kind, scope.period.key,
                                    scope.unit_id, scope.area_id, scope.category_id, scope.public_only, *extra))
    return cached(key, compute, fresh=fresh)


def figures(scope: Scope, *, now: dt.datetime | None = None, median: bool = True) -> Figures:
    """Every figure for ``scope``, a few seconds old at most (``_cached``)."""
    return _cached("figures", scope, lambda: _figures(scope, now=now, median=median), now, median)


def _figures(scope: Scope, *, now: dt.datetime | None, median: bool) -> Figures:
    row = _rollups(scope).aggregate(**_sums())
    result = Figures(**{name: row[name] for name in COUNTS})
    result.overdue_now = _reports(scope).filter(deadlines.overdue_q(now)).count()
    if median:
        result.median_work_hours = median_work_hours(scope)
    return result


def _group_key(by: str):
    if by in GROUPS:
        return GROUPS[by]
    if by == "day":
        return "day"
    if by in _TRUNC:
        return _TRUNC[by]("day")
    raise ValueError(f"cannot group by {by!r}")


def figures_by(scope: Scope, by: str, *, now: dt.datetime | None = None) -> dict:
    """Figures per unit / area / category (keys: ids; reports with no unit are left out of
    "unit") or per period ("day", "week", "month", "quarter", "year"; keys: :class:`Period`),
    a few seconds old at most (``_cached``)."""
    return _cached("by", scope, lambda: _figures_by(scope, by, now=now), now, by)


def _figures_by(scope: Scope, by: str, *, now: dt.datetime | None) -> dict:
    key = _group_key(by)
    rows = (
        _rollups(scope, by).annotate(group=F(key) if isinstance(key, str) else key)
        .values("group").annotate(**_sums()).order_by("group")
    )
    out: dict = {}
    for row in rows:
        group = row["group"]
        if group is None:
            continue
        if by not in GROUPS:
            group = Period.of(by, group if isinstance(group, dt.date) and not isinstance(group, dt.datetime)
                              else group.date())
        out[group] = Figures(**{name: row[name] for name in COUNTS})
    overdue = _reports(scope).filter(deadlines.overdue_q(now))
    if by in GROUPS:
        for group, n in overdue.values_list(GROUPS[by]).annotate(n=Count("pk")).order_by():
            if group is not None:
                out.setdefault(group, Figures()).overdue_now = n
    else:
        for created in overdue.values_list("created_at", flat=True).iterator():
            period = Period.of(by, local_date(created))
            out.setdefault(period, Figures()).overdue_now += 1
    return out


# Processing-time histogram: bucket i covers [lower, lower + width) working hours.
#   0–48 h in 0.5 h buckets (0–95), 48–240 h in 4 h buckets (96–143), 240–1,200 h in 24 h
#   buckets (144–183), then one open bucket from 1,200 h (184).
HOUR_BUCKET_STEPS = ((0.0, 48.0, 0.5), (48.0, 240.0, 4.0), (240.0, 1200.0, 24.0))
OPEN_BUCKET_FROM = 1200.0
# Up to this many processed reports in a scope, the median is read exactly from the report table
# (a small, indexed read); above, from the month roll-ups' histograms.
EXACT_MEDIAN_MAX = 1000


def _bucket_table() -> list[tuple[float, float | None]]:
    table: list[tuple[float, float | None]] = []
    for low, high, width in HOUR_BUCKET_STEPS:
        n = round((high - low) / width)
        table += [(low + i * width, width) for i in range(n)]
    return table + [(OPEN_BUCKET_FROM, None)]


HOUR_BUCKETS = _bucket_table()  # index → (lower bound, width; None: open-ended)


def hour_bucket(hours: float) -> int:
    """The histogram bucket of a processing time (as :func:`_bucket_sql` computes it)."""
    first = 0
    for low, high, width in HOUR_BUCKET_STEPS:
        if hours < high:
            return first + int((max(hours, low) - low) // width)
        first += round((high - low) / width)
    return first


def _bucket_sql():
    whens, first = [], 0
    for low, high, width in HOUR_BUCKET_STEPS:
        whens.append(When(work_hours__lt=high, then=Cast(
            Value(float(first)) + Floor((F("work_hours") - Value(low)) / Value(width)), IntegerField())))
        first += round((high - low) / width)
    return Case(*whens, default=Value(first), output_field=IntegerField())


def median_from_histogram(counts: dict[int, int]) -> float | None:
    """The median of a histogram ``{bucket: count}``, interpolated linearly within the bucket
    that holds it (so exact to that bucket's width); the open last bucket gives its lower bound."""
    n = sum(counts.values())
    if not n:
        return None
    target, seen = n / 2, 0
    for bucket in sorted(counts):
        c = counts[bucket]
        if c and seen + c >= target:
            low, width = HOUR_BUCKETS[bucket]
            if width is None:
                return low
            return low + (target - seen) / c * width
        seen += c
    return None  # unreachable


HISTOGRAM_DIMS = {"unit": "unit_id", "area": "area_id", "category": "category_id"}  # and "city"


def hour_histogram(scope: Scope) -> dict[int, int] | None:
    """``{bucket: processed reports}`` for a scope of whole months, from the month histograms
    (kept for the whole city and per unit, ward or category); None for a scope narrowed by more
    than one of those (not kept: read the report table)."""
    narrowed = [(dim, getattr(scope, f"{dim}_id")) for dim in HISTOGRAM_DIMS if getattr(scope, f"{dim}_id")]
    if len(narrowed) > 1:
        return None
    dim, dim_id = narrowed[0] if narrowed else ("city", None)
    qs = KpiHours.objects.filter(span=KpiSpan.MONTH, dim=dim, dim_id=dim_id, **scope.period.day_filter())
    if scope.public_only:
        qs = qs.filter(is_public=True)
    rows = qs.values("bucket").annotate(total=Sum("n")).order_by()
    return {row["bucket"]: row["total"] for row in rows}


def _exact_median(scope: Scope) -> float | None:
    values = (_reports(scope).filter(PROCESSED_Q, work_hours__isnull=False)
              .order_by("work_hours").values_list("work_hours", flat=True))
    n = values.count()
    if not n:
        return None
    if n % 2:
        return values[n // 2]
    low, high = values[n // 2 - 1: n // 2 + 1]
    return (low + high) / 2


def median_work_hours(scope: Scope) -> float | None:
    """The median processing time (working hours) of the processed reports of ``scope``.

    For periods of whole months with more than :data:`EXACT_MEDIAN_MAX` processed reports, for
    the whole city or one unit, ward or category: from the month histograms (one indexed sum
    over the period's rows, never the report table), interpolated within its bucket — exact to the bucket width (0.5 h below
    48 h, 4 h to 240 h, 24 h to 1,200 h). Otherwise exact, from the report table."""
    if _span(scope) == KpiSpan.MONTH:
        counts = hour_histogram(scope)
        if counts is not None:
            n = sum(counts.values())
            if not n:
                return None
            if n > EXACT_MEDIAN_MAX:
                return median_from_histogram(counts)
    return _exact_median(scope)


def drilldown(scope: Scope, figure: str, *, unit_id: int | None = None, area_id: int | None = None,
              category_id: int | None = None, period: Period | None = None) -> dict[str, str]:
    """The ``selectors.report_list`` filters that list exactly the reports behind ``figure``
    (with ``public_only`` for the public list)."""
    f: dict[str, str] = {}
    for name, value in (("unit", unit_id or scope.unit_id), ("area", area_id or scope.area_id),
                        ("category", category_id or scope.category_id)):
        if value:
            f[name] = str(value)
    key = (period or scope.period).key
    if key:
        f["period"] = key
    if figure == "overdue":
        f["overdue"] = "1"
    elif figure == "received" and not scope.public_only:
        # staff lists show merged and rejected reports too; the public list never does
        f["status"] = "received"
    elif FIGURE_STATUS.get(figure):
        f["status"] = FIGURE_STATUS[figure]
    elif figure not in FIGURE_STATUS:
        raise ValueError(f"unknown figure {figure!r}")
    return f


# --- roll-ups --------------------------------------------------------------------------------


def _aggregates() -> dict:
    reopened = reopened_q()
    return {
        "received": Count("pk"),
        "processed": Count("pk", filter=PROCESSED_Q),
        "on_time": Count("pk", filter=ON_TIME_Q),
        "rated": Count("pk", filter=RATED_Q),
        "satisfied": Count("pk", filter=SATISFIED_Q),
        "reopened": Count("pk", filter=reopened),
        "resolved_ever": Count("pk", filter=PROCESSED_Q | reopened),
        "work_hours_sum": Coalesce(Sum("work_hours", filter=PROCESSED_Q), 0.0),
        "work_hours_count": Count("work_hours", filter=PROCESSED_Q),
    }


DIMENSIONS = ("unit_id", "area_id", "category_id", "is_public")


LOCK_KEY = 0x4B5049  # "KPI"


def _lock(*, wait: bool = True) -> bool:
    """Serialise roll-up writers for the rest of the transaction (PostgreSQL; SQLite serialises
    writers anyway). With ``wait=False``, return False instead of waiting (a rebuild runs)."""
    conn = transaction.get_connection()
    if conn.vendor != "postgresql":
        return True
    with conn.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _day_range(day: dt.date) -> dict:
    return Period.of("day", day).created_filter()


HOURS_COLUMNS = ("span", "day", "is_public", "dim", "dim_id", "bucket", "n")


def _insert_hours(qs) -> None:
    """``INSERT INTO reports_kpihours … SELECT …``: the rows of ``qs`` (``values()`` in the order
    of :data:`HOURS_COLUMNS`) written by the database itself — a month holds tens of thousands
    of histogram rows, which as Python objects took seconds."""
    conn = transaction.get_connection()
    q = conn.ops.quote_name
    sql, params = qs.query.sql_with_params()
    columns = ", ".join(q(KpiHours._meta.get_field(c).column) for c in HOURS_COLUMNS)
    with conn.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(KpiHours._meta.db_table)} ({columns}) {sql}", params)


def _day_hours(period: Period) -> None:
    """(Re)write the day histograms of the days of ``period`` from its processed reports: for
    the whole city and per unit, ward and category (four GROUP BYs, written in SQL)."""
    KpiHours.objects.filter(span=KpiSpan.DAY, **period.day_filter()).delete()
    processed = Report.objects.filter(RECEIVED_Q, PROCESSED_Q, work_hours__isnull=False, **period.created_filter())
    for dim, column in (("city", None), *HISTOGRAM_DIMS.items()):
        qs = processed.filter(**{f"{column}__isnull": False}) if column else processed
        qs = (qs.annotate(h_span=Value(KpiSpan.DAY.value, output_field=CharField()),
                          h_day=TruncDate("created_at", tzinfo=TZ),
                          h_dim=Value(dim, output_field=CharField()),
                          h_dim_id=F(column) if column else Value(None, output_field=IntegerField()),
                          h_bucket=_bucket_sql())
              .values("h_span", "h_day", "is_public", "h_dim", "h_dim_id", "h_bucket")
              .annotate(h_n=Count("pk")).order_by())
        _insert_hours(qs)


def _month_rows(month: Period) -> int:
    """(Re)write the month rows of ``month`` — roll-ups and histograms — as sums of its day rows
    (O(day rows), the report table untouched). Inside a transaction holding the lock."""
    KpiRollup.objects.filter(span=KpiSpan.MONTH, day=month.start).delete()
    sums = (KpiRollup.objects.filter(span=KpiSpan.DAY, **month.day_filter())
            .values(*DIMENSIONS).annotate(**_sums()).order_by())
    objs = KpiRollup.objects.bulk_create(
        [KpiRollup(span=KpiSpan.MONTH, day=month.start, **row) for row in sums], batch_size=1000)
    KpiHours.objects.filter(span=KpiSpan.MONTH, day=month.start).delete()
    _insert_hours(
        KpiHours.objects.filter(span=KpiSpan.DAY, **month.day_filter())
        .annotate(h_span=Value(KpiSpan.MONTH.value, output_field=CharField()),
                  h_day=Value(month.start, output_field=DateField()))
        .values("h_span", "h_day", "is_public", "dim", "dim_id", "bucket").annotate(h_n=Sum("n")).order_by())
    return len(objs)


def rollup_refresh_days(days: Iterable[dt.date], *, wait: bool = True) -> int:
    """Recount the roll-up rows of the reports received on ``days`` (their day rows, then their
    months' rows and histograms). Returns day rows written.
    With ``wait=False`` a day is skipped while a full rebuild holds the lock (the nightly
    refresh recounts it), so that people's actions never wait for a rebuild."""
    written = 0
    refreshed: list[dt.date] = []
    by_month: dict[dt.date, list[dt.date]] = {}
    for day in sorted(set(days)):
        by_month.setdefault(day.replace(day=1), []).append(day)
    for first, month_days in by_month.items():
        with transaction.atomic():
            if not _lock(wait=wait):
                logger.info("KPI roll-up refresh of %s skipped: a rebuild is running", month_days)
                continue
            refreshed += month_days
            for day in month_days:
                KpiRollup.objects.filter(span=KpiSpan.DAY, day=day).delete()
                rows = (Report.objects.filter(RECEIVED_Q, **_day_range(day))
                        .values(*DIMENSIONS).annotate(**_aggregates()).order_by())
                objs = KpiRollup.objects.bulk_create([KpiRollup(day=day, **row) for row in rows])
                written += len(objs)
                _day_hours(Period.of("day", day))
            _month_rows(Period.of("month", first))
    if refreshed:
        _new_generation()
        rollups_refreshed.send(sender=KpiRollup, days=refreshed)
    return written


def _new_generation() -> None:
    """Figures cached before now are not served again (``_cached`` keys carry the generation)."""
    try:
        cache.set(GENERATION_KEY, time.time_ns(), None)
    except Exception:  # an unreachable cache: the figures it holds expire by themselves
        logger.warning("KPI cache generation not renewed", exc_info=True)


def _generation() -> int:
    try:
        return cache.get(GENERATION_KEY) or 0
    except Exception:  # lib.cache computes without an unreachable cache
        return 0


REFRESH_KIND = "reports.kpi_refresh"  # {"day"}, dedup_key "kpi-day:<day>"
# A submit must not wait for a day's aggregate (measured in bench/: 37 submits/s with the
# recount in the request, 357 without): the worker recounts, after the commit.


def rollup_refresh_owed(payload: dict) -> None:
    """The outbox handler of :data:`REFRESH_KIND`: recount one day (and its month)."""
    rollup_refresh_days([dt.date.fromisoformat(payload["day"])])


def rollup_touch(report: Report) -> None:
    """Something happened to ``report``: owe a recount of its day's roll-up, in this transaction
    (the outbox; the worker recounts after the commit). The rows of one day coalesce: a burst of
    submits gives one recount per drain, not one per submit; the nightly job repairs any miss."""
    if report.created_at is None:
        return
    day = local_date(report.created_at).isoformat()
    outbox_put(kind=REFRESH_KIND, payload={"day": day}, dedup_key=f"kpi-day:{day}")


def rollups_refresh_recent(*, since: dt.datetime) -> int:
    """Refresh the days of every report with a timeline event since ``since`` (the nightly
    safety net for a refresh that failed)."""
    created = (Report.objects.filter(Exists(TimelineEvent.objects.filter(report=OuterRef("pk"),
                                                                         created_at__gte=since)))
               .values_list("created_at", flat=True))
    return rollup_refresh_days({local_date(c) for c in created.iterator()})


def work_hours_backfill(*, chunk_size: int = 2000) -> int:
    """Set ``work_hours`` on processed reports that lack it (rows written in bulk, e.g. by the
    demo pack or before this field existed). Returns how many were set."""
    calendar = default_calendar()
    qs = Report.objects.filter(PROCESSED_Q, work_hours__isnull=True, assigned_at__isnull=False,
                               resolved_at__isnull=False).order_by("pk")
    done, last = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last).only("pk", "assigned_at", "resolved_at")[:chunk_size])
        if not chunk:
            return done
        for r in chunk:
            r.work_hours = processing_hours(r.assigned_at, r.resolved_at, calendar)
        Report.objects.bulk_update(chunk, ["work_hours"], batch_size=500)
        done += len(chunk)
        last = chunk[-1].pk


def rollups_rebuild() -> int:
    """Rebuild every roll-up row from the reports, month by month (bounded memory), in one
    transaction (readers see the old rows until it commits). Returns day rows written."""
    written = 0
    with transaction.atomic():
        _lock()
        KpiHours.objects.all().delete()
        KpiRollup.objects.all().delete()
        bounds = Report.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is None:
            return 0
        month = Period.of("month", local_date(bounds["first"]))
        last = local_date(bounds["last"])
        while month.start <= last:
            rows = (Report.objects.filter(RECEIVED_Q, **month.created_filter())
                    .annotate(day=TruncDate("created_at", tzinfo=TZ))
                    .values("day", *DIMENSIONS).annotate(**_aggregates()).order_by())
            objs = KpiRollup.objects.bulk_create([KpiRollup(**row) for row in rows], batch_size=1000)
            written += len(objs)
            _day_hours(month)
            _month_rows(month)
            month = Period.of("month", month.end)
    return written


def rollups_check(scope: Scope | None = None) -> list[str]:
    """Differences between the roll-ups and a direct count (empty when they agree)."""
    scope = scope or Scope()
    direct = _reports(scope).aggregate(**_aggregates())
    problems = []
    spans = [KpiSpan.DAY, KpiSpan.MONTH] if _span(scope) == KpiSpan.MONTH else [KpiSpan.DAY]
    for span in spans:
        stored = (KpiRollup.objects.filter(span=span, **scope.period.day_filter(), **scope.dims())
                  .aggregate(**_sums()))
        for f in fields(Figures):
            if f.name in direct and abs((direct[f.name] or 0) - (stored[f.name] or 0)) > 1e-6:
                problems.append(f"{f.name}: {span} roll-up {stored[f.name]} ≠ reports {direct[f.name]}")
    counts = hour_histogram(scope) if _span(scope) == KpiSpan.MONTH else None
    if counts is not None and sum(counts.values()) != direct["work_hours_count"]:
        problems.append(f"histogram: {sum(counts.values())} ≠ reports {direct['work_hours_count']}")
    return problems
