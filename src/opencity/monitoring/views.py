"""The monitoring pages: the events list and an event's page with what people do with it (for
the IOC, the city leaders and ward officials: the policy says who reads and who acts), the
station map and a station's charts (staff), and the public water-levels and air-quality pages.

Views read through ``selectors_pages`` and write through ``services``; they raise DomainErrors,
which the error middleware answers (``opencity/errors.py``): a refused or stale form comes back
to the page it was sent from with the message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencity import policy
from opencity.errors import ValidationError
from opencity.lib.params import posted_version

from . import selectors_pages as selectors
from . import services
from .models import SEVERITY_RANK, EventStatus, Severity, StationKind
from .permissions import access_event, access_station, require_monitoring
from .workflow import EVENT, event_label

PAGE_SIZE = 25


# --- events --------------------------------------------------------------------------------------


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    require_monitoring(request.user)
    filters = {"status": request.GET.get("status", ""), "station_kind": request.GET.get("kind", ""),
               "severity": request.GET.get("severity", "")}
    qs = selectors.event_list(user=request.user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/events.html", {
        "page": page, "events": page.object_list, "filters": filters,
        "statuses": EventStatus.choices, "kinds": StationKind.choices,
        "severities": [(s, Severity(s).label) for s in SEVERITY_RANK],
    })


def _event_actions(user, event) -> dict:
    acts = policy.can_act_on_monitoring_event(user, event)
    return {
        "can_act": acts,
        "can_acknowledge": acts and EVENT.allowed(event, "acknowledge"),
        "can_resolve": acts and EVENT.allowed(event, "resolve"),
        "can_warn": acts and policy.can_issue_warnings(user),
        "can_report": acts and event.report_id is None,
        "can_link": acts and event.incident_id is None,
    }


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = access_event(request.user, pk)
    actions = _event_actions(request.user, event)
    return render(request, "monitoring/event_detail.html", {
        "event": event, **actions,
        "headline": services.event_headline(event),
        "steps": [(s, event_label(s.action)) for s in selectors.event_steps(event)],
        "chart": selectors.event_chart(event),
        "categories": selectors.report_categories() if actions["can_report"] else [],
        "incidents": selectors.open_incidents(user=request.user) if actions["can_link"] else [],
    })


def _back(pk: int) -> HttpResponse:
    return redirect("monitoring:event", pk)


@login_required
@require_POST
def event_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    access_event(request.user, pk)
    services.event_acknowledge(actor=request.user, event_id=pk, expected_version=posted_version(request),
                               note=request.POST.get("note", ""))
    messages.success(request, _("The event is acknowledged."))
    return _back(pk)


@login_required
@require_POST
def event_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    access_event(request.user, pk)
    services.event_resolve(actor=request.user, event_id=pk, note=request.POST.get("note", ""),
                           expected_version=posted_version(request))
    messages.success(request, _("The event is resolved."))
    return _back(pk)


@login_required
@require_POST
def event_warning(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the warning composer prefilled from the event (the person reviews and publishes)."""
    access_event(request.user, pk)
    return redirect(services.event_to_warning(actor=request.user, event_id=pk))


@login_required
@require_POST
def event_report(request: HttpRequest, pk: int) -> HttpResponse:
    access_event(request.user, pk)
    category = request.POST.get("category", "")
    if not category:
        raise ValidationError(_("Choose a category."), field="category")
    report = services.event_to_report(actor=request.user, event_id=pk, category_id=category,
                                      description=request.POST.get("description", ""),
                                      client_token=request.POST.get("client_token") or None)
    messages.success(request, format_html(_("The field report {} was created."), report.ref))
    return _back(pk)


@login_required
@require_POST
def event_incident(request: HttpRequest, pk: int) -> HttpResponse:
    access_event(request.user, pk)
    incident = request.POST.get("incident", "")
    if not incident:
        raise ValidationError(_("Choose an incident."), field="incident")
    services.event_link_incident(actor=request.user, event_id=pk, incident_id=incident)
    messages.success(request, _("The event is linked to the incident."))
    return _back(pk)


# --- stations (staff) ------------------------------------------------------------------------------


@login_required
@require_GET
def station_map(request: HttpRequest) -> HttpResponse:
    require_monitoring(request.user)
    return render(request, "monitoring/stations.html", {
        "rows": selectors.station_rows(user=request.user),
    })


@login_required
@require_GET
def stations_json(request: HttpRequest) -> JsonResponse:
    """The stations as GeoJSON, each with the worst severity of its open events (the station map;
    ``?open=1``: only those with open events, the console's layer)."""
    require_monitoring(request.user)
    response = JsonResponse(selectors.stations_geojson(user=request.user, only_open=request.GET.get("open") == "1"),
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    station = access_station(request.user, code)
    range_key = request.GET.get("range", "24h")
    if range_key not in selectors.RANGES:
        range_key = "24h"
    charts = selectors.station_charts(station, range_key)
    events = selectors.event_list(user=request.user).filter(station=station)[:10]
    return render(request, "monitoring/station_detail.html", {
        "station": station, "charts": charts, "range": range_key, "events": events,
        "ranges": [("24h", _("24 hours")), ("7d", _("7 days")), ("30d", _("30 days"))],
        "chart_data": {c["data"]["code"]: c["data"] for c in charts},
    })


# --- public pages ------------------------------------------------------------------------------------


def _public(request: HttpRequest, kinds, template: str) -> HttpResponse:
    stations = selectors.public_stations(kinds)
    rows = [(station, [(r, selectors.level_text(r.level) if r.chart["levels"] else "") for r in readings])
            for station, readings in stations]
    charts = {r.chart["code"]: r.chart for _station, readings in stations for r in readings if r.drawn}
    return render(request, template, {"rows": rows, "chart_data": charts, "now": timezone.now()})


@require_GET
def water_levels(request: HttpRequest) -> HttpResponse:
    return _public(request, selectors.PUBLIC_WATER_KINDS, "monitoring/water_levels.html")


@require_GET
def air_quality(request: HttpRequest) -> HttpResponse:
    return _public(request, selectors.PUBLIC_AIR_KINDS, "monitoring/air_quality.html")
