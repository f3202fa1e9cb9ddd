"""The public statistics page: per unit, as Hue-S publishes for its units — received, processed,
on time, satisfied — with the city's headline figures. Views parse, ask ``reports.kpi``, render;
every figure links to the public list of the reports it counts (``kpi.drilldown``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opencity.geo import selectors as geo
from opencity.orgs.models import Unit
from opencity.reports import kpi

# sort key → (what is compared, the direction of a first click)
SORTS = {
    "name": (lambda row: row.unit.name.lower(), "asc"),
    "received": (lambda row: row.figures.received, "desc"),
    "processed": (lambda row: row.figures.processing_rate, "desc"),
    "on_time": (lambda row: row.figures.on_time_rate, "desc"),
    "satisfied": (lambda row: row.figures.satisfaction_rate, "desc"),
}
DEFAULT_SORT = "-received"
HEADLINE = ("received", "processed", "on_time", "satisfied", "overdue")


@dataclass
class Row:
    unit: Unit
    figures: kpi.Figures
    links: dict[str, str]


def _link(scope: kpi.Scope, figure: str, **dims) -> str:
    return f"{reverse('reports:list')}?{urlencode(kpi.drilldown(scope, figure, **dims))}"


def _links(scope: kpi.Scope, **dims) -> dict[str, str]:
    return {figure: _link(scope, figure, **dims) for figure in HEADLINE}


def _sorted(rows: list[Row], sort: str) -> tuple[list[Row], str]:
    key = sort.lstrip("-")
    if key not in SORTS:
        return _sorted(rows, DEFAULT_SORT)
    value, _first = SORTS[key]
    descending = sort.startswith("-")
    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]  # no figure yet: always last
    present.sort(key=lambda r: (value(r), r.unit.name), reverse=descending)
    return present + sorted(missing, key=lambda r: r.unit.name), sort


def _period_menu(current: kpi.Period) -> list[tuple[str, list[kpi.Period]]]:
    groups = [
        (_("Months"), kpi.recent_periods("month", 12)),
        (_("Quarters"), kpi.recent_periods("quarter", 8)),
        (_("Years"), kpi.recent_periods("year", 5)),
    ]
    if current.key and all(current != p for _label, periods in groups for p in periods):
        groups.insert(0, (_("Chosen"), [current]))
    return groups


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    period = kpi.Period.parse(request.GET.get("period", "")[:12]) or kpi.Period()
    wards = list(geo.wards())
    raw_area = request.GET.get("area", "")
    area = next((a for a in wards if raw_area.isdigit() and a.pk == int(raw_area)), None)
    scope = kpi.Scope(period=period, area_id=area.pk if area else None, public_only=True)

    city = kpi.figures(scope)
    per_unit = kpi.figures_by(scope, "unit")
    units = Unit.objects.in_bulk(list(per_unit))
    rows = [Row(units[uid], f, _links(scope, unit_id=uid)) for uid, f in per_unit.items()
            if uid in units and f.received]
    rows, sort = _sorted(rows, request.GET.get("sort", DEFAULT_SORT))

    base = {k: v for k, v in (("period", period.key), ("area", area.pk if area else "")) if v}
    headers = {}
    for key, (_value, first) in SORTS.items():
        active = sort.lstrip("-") == key
        if active:
            next_sort = key if sort.startswith("-") else f"-{key}"
            state = "descending" if sort.startswith("-") else "ascending"
        else:
            next_sort, state = (f"-{key}" if first == "desc" else key), ""
        headers[key] = {"url": "?" + urlencode({**base, "sort": next_sort}), "state": state}

    context = {
        "period": period,
        "area": area,
        "wards": wards,
        "periods": _period_menu(period),
        "city": city,
        "city_links": _links(scope),
        "rows": rows,
        "sort": sort,
        "headers": headers,
    }
    return render(request, "ioc/statistics.html", context)
