"""The public statistics page (per unit, as Hue-S publishes for its units) and the IOC console
(live figures, trend, ranking, map, overdue list and feed for the IOC, leaders, ward officials
and unit heads). Views parse, ask ``reports.kpi`` / ``ioc.selectors``, render; every figure
links to the list of the reports it counts (``kpi.drilldown``).

Every page here but the live feed reads from the read replica when one is configured
(``lib.dbrouter.read_from_replica``: read-only, a second of lag is harmless)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opencity import policy
from opencity.errors import PermissionDeniedError
from opencity.geo import selectors as geo
from opencity.geo.collation import order_by_vi
from opencity.lib.dbrouter import read_from_replica
from opencity.lib.params import parse_id
from opencity.orgs.models import Unit
from opencity.reports import kpi
from opencity.reports import selectors as report_selectors
from opencity.reports.models import Category
from opencity.reports.staff_views import code_hint

from . import live
from . import selectors as console

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
    return f"{reverse('ioc:statistics_reports')}?{urlencode(kpi.drilldown(scope, figure, **dims))}"


def _links(scope: kpi.Scope, **dims) -> dict[str, str]:
    return {figure: _link(scope, figure, **dims) for figure in HEADLINE}


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
@read_from_replica
def statistics(request: HttpRequest) -> HttpResponse:
    period = kpi.Period.parse(request.GET.get("period", "")[:12]) or kpi.Period()
    wards = list(geo.wards())
    raw_area = request.GET.get("area", "")
    area = next((a for a in wards if str(a.pk) == raw_area), None)
    scope = kpi.Scope(period=period, area_id=area.pk if area else None, public_only=True)

    city = kpi.figures(scope)
    per_unit = kpi.figures_by(scope, "unit")
    units = Unit.objects.in_bulk(list(per_unit))
    rows = [Row(units[uid], f, _links(scope, unit_id=uid)) for uid, f in per_unit.items()
            if uid in units and f.received]
    rows, sort = console.sort_rows(rows, SORTS, request.GET.get("sort", DEFAULT_SORT), DEFAULT_SORT,
                                   name=lambda r: r.unit.name)
    base = {k: v for k, v in (("period", period.key), ("area", area.pk if area else "")) if v}
    headers = console.sort_headers(SORTS, sort, lambda nxt: "?" + urlencode({**base, "sort": nxt}))

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


# What a public drill-down lists, said in its heading: the list filter → the figure's words.
DRILL_FIGURES = {
    "": pgettext_lazy("reports of a unit", "received"),
    "done": pgettext_lazy("reports of a unit", "processed"),
    "on_time": pgettext_lazy("reports of a unit", "processed on time"),
    "satisfied": pgettext_lazy("reports of a unit", "rated satisfied"),
    "overdue": pgettext_lazy("reports of a unit", "overdue now"),
}
RELATIVE_PERIODS = {
    "7d": gettext_lazy("last 7 days"),
    "30d": gettext_lazy("last 30 days"),
    "90d": gettext_lazy("last 90 days"),
    "365d": gettext_lazy("last 12 months"),
}


def drill_heading(filters: dict, *, unit: Unit | None, area, category) -> str:
    """"Reports of <the unit's full name> — overdue now, 03/2026, Phường Thuận Hóa": whose
    reports, which figure, when and where, from the list's filters (``kpi.drilldown``)."""
    key = "overdue" if filters.get("overdue") else filters.get("status", "")
    parts = [str(DRILL_FIGURES.get(key, ""))]
    raw_period = filters.get("period", "")
    if raw_period in RELATIVE_PERIODS:
        parts.append(str(RELATIVE_PERIODS[raw_period]))
    elif raw_period and (period := kpi.Period.parse(raw_period[:12])) is not None:
        parts.append(str(period.label))
    parts += [x.name for x in (category, area) if x is not None]
    detail = ", ".join(p for p in parts if p)
    if unit is not None:
        title = _("Reports of %(unit)s") % {"unit": unit.name}
    else:
        title = _("Reports in the whole city")
    return f"{title} — {detail}" if detail else title


@require_GET
@read_from_replica
def statistics_reports(request: HttpRequest) -> HttpResponse:
    """The public reports behind a figure of the statistics page, under a heading that says whose
    they are and which figure (issue 14): the same filters and rows as the public list."""
    keys = ("unit", "area", "category", "period", "status", "overdue")
    filters = {k: request.GET.get(k, "").strip()[:40] for k in keys}
    filters = {k: v for k, v in filters.items() if v}
    ids = {k: parse_id(filters.get(k)) for k in ("unit", "area", "category")}
    for k, v in ids.items():
        if k in filters and v is None:
            filters.pop(k)  # not an id: ignored, as the public list ignores it
    unit = Unit.objects.filter(pk=ids["unit"]).first() if ids["unit"] else None
    area = next((a for a in geo.wards() if a.pk == ids["area"]), None) if ids["area"] else None
    category = Category.objects.filter(pk=ids["category"]).first() if ids["category"] else None
    qs = report_selectors.report_list(user=None, filters={**filters, "public_only": True})
    page = Paginator(qs.prefetch_related("photos"), 20).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unit": unit,
        "heading": drill_heading(filters, unit=unit, area=area, category=category),
        "all_link": f"{reverse('reports:list')}?{urlencode({k: v for k, v in filters.items() if k != 'unit'})}",
    }
    return render(request, "ioc/statistics_reports.html", context)


# --- The IOC console -----------------------------------------------------------------------


def _console_context(request: HttpRequest, filters: console.ConsoleFilters) -> dict:
    return {"filters": filters, "query": filters.query(), "headline": console.headline(filters)}


def _filter_choices(filters: console.ConsoleFilters) -> dict:
    bounds = filters.bounds
    wards = list(geo.wards()) if bounds.level == "city" else [filters.area] if filters.area else []
    units = order_by_vi(Unit.objects.filter(is_active=True))
    if bounds.level == "unit":
        units = units.filter(pk__in=bounds.unit_ids)
    return {"wards": wards, "units": list(units), "categories": list(Category.objects.all()),
            "periods": _period_menu(filters.period)}


@login_required
@require_GET
@read_from_replica
def console_page(request: HttpRequest) -> HttpResponse:
    filters = console.console_filters(request.user, request.GET)
    rows, sort = console.ranking(filters, request.GET.get("sort", console.DEFAULT_RANKING_SORT))
    overdue, overdue_total = console.overdue_reports(request.user, filters)
    points = console.trend(filters)
    choices = _filter_choices(filters)
    by_category = kpi.figures_by(filters.scope, "category")
    categories = {c.pk: c for c in choices["categories"]}  # the filter's list: every category, read once
    top = sorted(((categories[c], f) for c, f in by_category.items() if c in categories and f.received),
                 key=lambda cf: -cf[1].received)[:10]
    charts = {
        "trend": {
            "labels": [p.period.label for p in points],
            "series": {
                "received": [p.figures.received for p in points],
                "processed": [p.figures.processed for p in points],
                "on_time_rate": [round(p.figures.on_time_rate * 100, 1) if p.figures.on_time_rate is not None
                                 else None for p in points],
            },
            "links": {"received": [p.links["received"] for p in points],
                      "processed": [p.links["processed"] for p in points]},
            "names": {"received": pgettext("number of reports", "Received"),
                      "processed": pgettext("number of reports", "Processed"), "on_time_rate": _("On time (%)")},
        },
        "categories": {
            "labels": [c.name for c, _f in reversed(top)],
            "values": [f.received for _c, f in reversed(top)],
            "links": [console.list_url(filters, "received", category_id=c.pk) for c, _f in reversed(top)],
            "name": pgettext("number of reports", "Received"),
        },
    }
    hotline = _hotline_counts(request, filters)
    if hotline is not None:
        charts["hotline"] = {
            "labels": [f"{d.day:%d/%m}" for d in hotline.days],
            "series": {"inbound": [d.inbound for d in hotline.days], "outbound": [d.outbound for d in hotline.days]},
            "names": {"inbound": _("Inbound"), "outbound": _("Outbound")},
        }
    context = {
        **_console_context(request, filters),
        **choices,
        "rows": rows,
        "sort": sort,
        "headers": console.ranking_headers(filters, sort),
        "overdue": overdue,
        "overdue_total": overdue_total,
        "overdue_link": console.list_url(filters, "overdue"),
        "trend": points,
        "charts": charts,
        "feed": live.recent(filters.bounds),
        "live_after": live.latest_id(),
        "hotline": hotline,
        "dossiers_overdue": _dossiers_overdue(request),
        "press_queue": _press_queue(request),
    }
    return render(request, "ioc/console.html", context)


def _press_queue(request: HttpRequest) -> dict | None:
    """The press and social items waiting for an operator, linking to the queue."""
    from opencity.press import selectors as press

    counts = press.queue_counts(user=request.user)
    if counts is None:
        return None
    queue = reverse("press:items")
    return {**counts, "link": f"{queue}?status=new",
            "high_link": f"{queue}?{urlencode({'status': 'new', 'min_score': counts['min_score']})}"}


def _dossiers_overdue(request: HttpRequest) -> dict | None:
    """The one-stop dossiers overdue now (that this person may see), linking to their list."""
    if not policy.can_view_dossier_figures(request.user):
        return None
    from opencity.dossiers import selectors as dossiers

    return {"count": dossiers.overdue_now_count(user=request.user),
            "link": f"{reverse('dossiers:list')}?figure=overdue_now"}


def _hotline_counts(request: HttpRequest, filters: console.ConsoleFilters):
    """The hotline's calls by day, direction and topic for the console's period (city level)."""
    if filters.bounds.level != "city":
        return None
    try:
        from opencity.hotline import selectors as hotline
    except ImportError:
        return None
    start = filters.period.start or console.default_period().start
    end = filters.period.end or console.default_period().end
    return hotline.call_counts(user=request.user, start=start, end=end)


@login_required
@require_GET
@read_from_replica
def console_cards(request: HttpRequest) -> HttpResponse:
    """The headline cards alone (htmx refreshes them when the live feed moves)."""
    filters = console.console_filters(request.user, request.GET)
    return render(request, "ioc/partials/console_cards.html", _console_context(request, filters))


@login_required
@require_GET
@read_from_replica
def console_overdue(request: HttpRequest) -> HttpResponse:
    filters = console.console_filters(request.user, request.GET)
    overdue, total = console.overdue_reports(request.user, filters)
    return render(request, "ioc/partials/console_overdue.html",
                  {"overdue": overdue, "overdue_total": total, "overdue_link": console.list_url(filters, "overdue")})


@login_required
@require_GET
@read_from_replica
def console_map(request: HttpRequest) -> JsonResponse:
    filters = console.console_filters(request.user, request.GET)
    return JsonResponse(console.map_data(filters))


@login_required
@require_GET
@read_from_replica
def console_list(request: HttpRequest) -> HttpResponse:
    """The reports behind a console figure, in the viewer's scope."""
    qs = console.drilldown_list(request.user, request.GET).prefetch_related("photos")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    # the search box keeps the figure's filters; the page links keep them all (lib/paging.py)
    keep = [(k, v) for k, values in request.GET.lists() if k not in ("q", "page") for v in values]
    return render(request, "ioc/list.html", {"page": page, "keep": keep, "q": request.GET.get("q", ""),
                                             "back": reverse("ioc:console"), **code_hint(request, page)})


@require_GET
def live_stream(request: HttpRequest) -> HttpResponse:
    """Server-sent events of the console's live feed (see ``ioc.live``)."""
    bounds = policy.kpi_bounds(request.user)
    if bounds is None:
        raise PermissionDeniedError(_("The operations console is for the IOC, leaders, ward officials and unit heads."))
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    # ASCII digits only: "²".isdigit() is true, but int("²") fails
    after = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else live.latest_id()
    language = get_language()
    if isinstance(request, ASGIRequest):
        body = live.astream(bounds, after, language=language)
    else:
        body = live.stream(bounds, after, language=language)
    response = StreamingHttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response
