"""What the IOC console shows, read through ``reports.kpi`` (the only place figures are
computed) and bounded by ``policy.kpi_bounds`` (the only place that says who sees what).

Every figure comes with the filters of the list that shows the reports behind it
(:func:`kpi.drilldown`), so a number on the console and the length of its list are the same by
construction; the tests check it anyway.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError
from opencity.geo.models import Area, LocationPrecision
from opencity.lib.worktime import TZ
from opencity.orgs.models import Unit
from opencity.reports import deadlines, kpi
from opencity.reports import selectors as report_selectors
from opencity.reports.models import OPEN_STATUSES, Category, Report

HEADLINE = ("received", "processed", "on_time", "satisfied", "overdue")
MAP_POINTS_MAX = 3000
OVERDUE_LIST_MAX = 50
# sort key → (value of a row, the direction that puts the worst first)
RANKING_SORTS = {
    "overdue": (lambda r: r.figures.overdue_now, "desc"),
    "received": (lambda r: r.figures.received, "desc"),
    "processed": (lambda r: r.figures.processing_rate, "asc"),
    "on_time": (lambda r: r.figures.on_time_rate, "asc"),
    "satisfied": (lambda r: r.figures.satisfaction_rate, "asc"),
    "name": (lambda r: r.unit.name.lower(), "asc"),
}
DEFAULT_RANKING_SORT = "-overdue"


@dataclass(frozen=True)
class ConsoleFilters:
    """The console's filters after bounding: what the viewer asked for, within what they may see."""

    bounds: policy.KpiBounds
    period: kpi.Period
    area: Area | None = None
    unit: Unit | None = None
    category: Category | None = None

    @property
    def scope(self) -> kpi.Scope:
        return kpi.Scope(period=self.period, area_id=self.area.pk if self.area else None,
                         unit_id=self.unit.pk if self.unit else None,
                         category_id=self.category.pk if self.category else None)

    def query(self, **extra) -> str:
        """The filters as a query string (for links that keep them)."""
        q = {"period": self.period.key or "all", "area": self.area.pk if self.area else "",
             "unit": self.unit.pk if self.unit else "", "category": self.category.pk if self.category else ""}
        q.update(extra)
        return urlencode({k: v for k, v in q.items() if v not in ("", None)})


def _int(raw: str | None, name: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:  # "²".isdigit(), int("²") fails
        raise ValidationError(_("“%(value)s” is not a valid %(name)s.") % {"value": raw[:20], "name": name},
                              field=name)
    return int(raw)


def default_period(today: dt.date | None = None) -> kpi.Period:
    return kpi.Period.of("year", today or timezone.localdate(timezone=TZ))


def console_filters(user, params) -> ConsoleFilters:
    """Parse the console's query string for ``user``: 403 if the console is not theirs or a
    ward/unit outside their bounds is asked for, 400 for malformed values. A ward official is
    held to the home ward and a unit head to their unit even when nothing is asked."""
    bounds = policy.kpi_bounds(user)
    if bounds is None:
        raise PermissionDeniedError(_("The operations console is for the IOC, leaders, ward officials and unit heads."))
    raw_period = (params.get("period") or "").strip()[:12]
    if raw_period in ("", None):
        period = default_period()
    elif raw_period == "all":
        period = kpi.Period()
    else:
        period = kpi.Period.parse(raw_period)
        if period is None:
            raise ValidationError(_("“%(value)s” is not a period (use 2026, 2026-Q1, 2026-03 or 2026-03-05).")
                                  % {"value": raw_period}, field="period")
    area_id = _int(params.get("area"), "area")
    unit_id = _int(params.get("unit"), "unit")
    category_id = _int(params.get("category"), "category")
    if bounds.level == "ward":
        if area_id not in (None, bounds.area_id):
            raise PermissionDeniedError(_("You can see the numbers of your own ward or commune only."))
        area_id = bounds.area_id
    if bounds.level == "unit":
        if unit_id is not None and unit_id not in bounds.unit_ids:
            raise PermissionDeniedError(_("You can see the numbers of your own unit only."))
        unit_id = unit_id or min(bounds.unit_ids)

    def get(model, pk, what):
        if pk is None:
            return None
        obj = model.objects.filter(pk=pk).first()
        if obj is None:
            raise NotFoundError(_("No such %(what)s.") % {"what": what})
        return obj

    return ConsoleFilters(bounds=bounds, period=period, area=get(Area, area_id, _("ward or commune")),
                          unit=get(Unit, unit_id, _("unit")), category=get(Category, category_id, _("category")))


def list_url(filters: ConsoleFilters, figure: str, **dims) -> str:
    """The console's list of the reports behind ``figure`` (the viewer's own scope applies)."""
    return f"{reverse('ioc:list')}?{urlencode(kpi.drilldown(filters.scope, figure, **dims))}"


@dataclass
class Headline:
    figures: kpi.Figures
    links: dict[str, str]


def headline(filters: ConsoleFilters) -> Headline:
    figures = kpi.figures(filters.scope)
    return Headline(figures, {f: list_url(filters, f) for f in HEADLINE})


@dataclass
class TrendPoint:
    period: kpi.Period
    figures: kpi.Figures
    links: dict[str, str]


def trend(filters: ConsoleFilters, *, months: int = 12) -> list[TrendPoint]:
    """Month by month: the months of the chosen period when it is a year or a quarter, else the
    last ``months`` months up to the period's end (or now)."""
    p = filters.period
    if p.kind in ("year", "quarter") and p.start and p.end:
        first, end = p.start, p.end
    else:
        last = (p.end - dt.timedelta(days=1)) if p.end else timezone.localdate(timezone=TZ)
        first = kpi.Period.of("month", last).start
        for _i in range(months - 1):
            first = kpi.Period.of("month", first - dt.timedelta(days=1)).start
        end = kpi.Period.of("month", last).end
    span = kpi.Period("custom", first, end)
    scope = kpi.Scope(period=span, area_id=filters.scope.area_id, unit_id=filters.scope.unit_id,
                      category_id=filters.scope.category_id)
    by_month = kpi.figures_by(scope, "month")
    out = []
    month = kpi.Period.of("month", first)
    while month.start < end:
        f = by_month.get(month, kpi.Figures())
        out.append(TrendPoint(month, f, {x: list_url(filters, x, period=month) for x in ("received", "processed")}))
        month = kpi.Period.of("month", month.end)
    return out


@dataclass
class RankingRow:
    unit: Unit
    figures: kpi.Figures
    links: dict[str, str] = field(default_factory=dict)


def sort_rows(rows: list, sorts: dict, sort: str, default: str, *, name) -> tuple[list, str]:
    """Sort table rows on the server: ``sorts`` maps a key to (the value of a row, the direction
    of a first click); ``-key`` is descending. Rows without a value go last, by ``name``."""
    key = sort.lstrip("-")
    if key not in sorts:
        sort, key = default, default.lstrip("-")
    value, _first = sorts[key]
    present = sorted((r for r in rows if value(r) is not None), key=name)
    present.sort(key=value, reverse=sort.startswith("-"))
    missing = sorted((r for r in rows if value(r) is None), key=name)
    return present + missing, sort


def sort_headers(sorts: dict, sort: str, url) -> dict[str, dict]:
    """Per column: the link that sorts by it (``url(next_sort)``) and its ``aria-sort`` state."""
    out = {}
    for key, (_value, first) in sorts.items():
        if sort.lstrip("-") == key:
            nxt = key if sort.startswith("-") else f"-{key}"
            state = "descending" if sort.startswith("-") else "ascending"
        else:
            nxt, state = (f"-{key}" if first == "desc" else key), ""
        out[key] = {"url": url(nxt), "state": state}
    return out


def ranking(filters: ConsoleFilters, sort: str = DEFAULT_RANKING_SORT) -> tuple[list[RankingRow], str]:
    """Units with reports in the filters, worst overdue first by default."""
    per_unit = kpi.figures_by(filters.scope, "unit")
    if filters.bounds.level == "unit":
        per_unit = {k: v for k, v in per_unit.items() if k in filters.bounds.unit_ids}
    units = Unit.objects.in_bulk(list(per_unit))
    rows = [RankingRow(units[uid], f, {x: list_url(filters, x, unit_id=uid) for x in HEADLINE})
            for uid, f in per_unit.items() if uid in units and (f.received or f.overdue_now)]
    return sort_rows(rows, RANKING_SORTS, sort, DEFAULT_RANKING_SORT, name=lambda r: r.unit.name.lower())


def ranking_headers(filters: ConsoleFilters, sort: str) -> dict[str, dict]:
    return sort_headers(RANKING_SORTS, sort, lambda nxt: "?" + filters.query(sort=nxt) + "#ranking")


def overdue_reports(user, filters: ConsoleFilters) -> tuple[QuerySet[Report], int]:
    """The reports overdue now in the filters, most overdue first (the first ``OVERDUE_LIST_MAX``)
    and how many there are in all."""
    qs = drilldown_list(user, kpi.drilldown(filters.scope, "overdue"), bounds=filters.bounds)
    total = qs.count()
    return qs.order_by("due_at", "pk")[:OVERDUE_LIST_MAX], total


def drilldown_list(user, params, *, bounds: policy.KpiBounds | None = None) -> QuerySet[Report]:
    """The reports behind a figure: ``reports.selectors.report_list`` (the viewer's scope), held
    to the viewer's bounds like the figures are."""
    bounds = bounds or policy.kpi_bounds(user)
    if bounds is None:
        raise PermissionDeniedError(_("The operations console is for the IOC, leaders, ward officials and unit heads."))
    filters = {k: params.get(k) for k in ("category", "area", "unit", "status", "period", "overdue", "q")
               if params.get(k)}
    for name in ("category", "area", "unit"):
        _int(filters.get(name), name)
    if filters.get("period") and filters["period"] != "all" and kpi.Period.parse(filters["period"][:12]) is None:
        raise ValidationError(_("“%(value)s” is not a period (use 2026, 2026-Q1, 2026-03 or 2026-03-05).")
                              % {"value": filters["period"][:12]}, field="period")
    if filters.get("period") == "all":
        filters.pop("period")
    if bounds.level == "ward":
        if filters.get("area") not in (None, str(bounds.area_id)):
            raise PermissionDeniedError(_("You can see the numbers of your own ward or commune only."))
        filters["area"] = str(bounds.area_id)
    if bounds.level == "unit":
        if filters.get("unit") is None or int(filters["unit"]) not in bounds.unit_ids:
            raise PermissionDeniedError(_("You can see the numbers of your own unit only."))
    return report_selectors.report_list(user=user, filters=filters).order_by("-created_at", "-pk")


def map_data(filters: ConsoleFilters) -> dict:
    """Per ward: received and overdue in the filters, and reports per km² (the density layer);
    the open reports in the filters as points (the newest ``MAP_POINTS_MAX``), marked overdue.

    A point is drawn where the report was placed; one placed by a typed address is marked
    approximate (the sixth item), and one known only by its ward (``location_precision`` "area",
    stored at the ward's centre) is not drawn at all — a dot at a ward's centre would say that
    something happened there. Those are counted in ``unplaced`` and in the ward's shading."""
    per_area = kpi.figures_by(filters.scope, "area")
    km2 = dict(Area.objects.filter(pk__in=list(per_area)).values_list("pk", "area_km2"))
    areas = {
        str(pk): {"received": f.received, "overdue": f.overdue_now,
                  "density": round(f.received / km2[pk], 2) if km2.get(pk) else None}
        for pk, f in per_area.items()
    }
    scope = filters.scope
    qs = Report.objects.filter(kpi.RECEIVED_Q, status__in=OPEN_STATUSES, **scope.period.created_filter(),
                               **scope.dims())
    placed = qs.exclude(location_precision=LocationPrecision.AREA)
    overdue_ids = set(placed.filter(deadlines.overdue_q()).values_list("pk", flat=True)[:MAP_POINTS_MAX])
    rows = list(placed.order_by("-created_at")
                .values_list("pk", "lat", "lon", "status", "location_precision")[:MAP_POINTS_MAX + 1])
    points = [[round(lat, 6), round(lon, 6), pk, status, pk in overdue_ids, precision != LocationPrecision.EXACT]
              for pk, lat, lon, status, precision in rows[:MAP_POINTS_MAX]]
    unplaced = qs.filter(location_precision=LocationPrecision.AREA).count()
    return {"areas": areas, "points": points, "truncated": len(rows) > MAP_POINTS_MAX, "unplaced": unplaced}
