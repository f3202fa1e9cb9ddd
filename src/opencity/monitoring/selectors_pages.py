"""What the monitoring pages read: the events list, an event's facts and steps, the stations with
the worst level of their open events, a datastream's series for a chart (raw readings for
48 hours or less, the hourly roll-ups beyond) with the levels of its threshold rule, and the
public stations. Visibility comes from the policy (``monitoring_event_scope_q``,
``station_scope_q``), applied here once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy

from . import selectors
from .models import (
    PRIVATE_KINDS,
    SEVERITY_RANK,
    Datastream,
    EventStatus,
    MonitoringEvent,
    Rule,
    RuleKind,
    Station,
    StationKind,
)

RANGES = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30)}
PUBLIC_WATER_KINDS = (StationKind.HYDRO, StationKind.DAM)
PUBLIC_AIR_KINDS = (StationKind.AIR,)


# --- events --------------------------------------------------------------------------------------


def event_list(*, user, status: str = "", station_kind: str = "", severity: str = "") -> QuerySet[MonitoringEvent]:
    """The events ``user`` may read, open ones first (then acknowledged, then resolved), newest
    first within each; filtered by status, station kind and severity when given."""
    qs = MonitoringEvent.objects.filter(policy.monitoring_event_scope_q(user))
    if status in EventStatus.values:
        qs = qs.filter(status=status)
    if station_kind in StationKind.values:
        qs = qs.filter(station__kind=station_kind)
    if severity in SEVERITY_RANK:
        qs = qs.filter(severity=severity)
    order = Case(When(status=EventStatus.OPEN, then=Value(0)), When(status=EventStatus.ACKNOWLEDGED, then=Value(1)),
                 default=Value(2), output_field=IntegerField())
    return (qs.select_related("station", "datastream__observed_property")
            .annotate(open_order=order).order_by("open_order", "-last_seen", "-id"))


def event_steps(event: MonitoringEvent) -> list:
    return list(event.steps.select_related("actor").order_by("created_at", "id"))


def open_incidents(*, user) -> list:
    """The incidents an operator may link an event to: open ones they command."""
    from opencity.incidents.models import Incident

    incidents = Incident.objects.exclude(status="closed").order_by("-started_at")[:50]
    return [i for i in incidents if policy.can_command_incident(user, i)]


def report_categories() -> list:
    from opencity.reports.models import Category

    return list(Category.objects.filter(is_active=True).order_by("order", "name_vi"))


# --- levels and series -----------------------------------------------------------------------------


def levels_of(stream: Datastream, rule: Rule | None = None) -> list[dict]:
    """The levels a chart draws: ``rule``'s (an event's), else those of every threshold rule that
    judges ``stream`` (``selectors.threshold_levels``)."""
    if rule is None:
        return selectors.threshold_levels(stream)
    return [{"code": lv.code, "name": lv.name, "value": lv.value, "severity": lv.severity,
             "direction": rule.direction, "rule": rule.name}
            for lv in sorted(rule.levels.all(), key=lambda lv: lv.value)]


def level_reached(value: float | None, levels: list[dict], direction: str = "above") -> dict | None:
    """The highest level ``value`` has reached (for a rule "above"), or None."""
    if value is None:
        return None
    reached = None
    for lv in levels:
        if (value >= lv["value"]) if direction != "below" else (value <= lv["value"]):
            reached = lv
    return reached


def series(stream: Datastream, start: dt.datetime, end: dt.datetime) -> list[list]:
    """[[epoch ms, value], …] for a chart: ``selectors.datastream_series`` (every reading up to
    48 hours, hourly means — totals for rainfall — beyond)."""
    return [[int(p["time"].timestamp() * 1000), round(p["value"], 6)]
            for p in selectors.datastream_series(stream, start, end).points]


def chart_data(stream: Datastream, start: dt.datetime, end: dt.datetime, *, rule: Rule | None = None,
               mark: tuple[dt.datetime, dt.datetime] | None = None) -> dict:
    """What a chart script draws: the series, the unit, the decimals and the levels (markLines)."""
    prop = stream.observed_property
    data = {
        "name": prop.display_name(), "unit": prop.unit, "decimals": prop.decimals,
        "start": int(start.timestamp() * 1000), "end": int(end.timestamp() * 1000),
        "points": series(stream, start, end), "levels": levels_of(stream, rule),
        "hourly": end - start > selectors.RAW_WINDOW, "cumulative": prop.cumulative,
    }
    if mark:
        data["mark"] = [int(mark[0].timestamp() * 1000), int(mark[1].timestamp() * 1000)]
    return data


def event_chart(event: MonitoringEvent, *, now: dt.datetime | None = None) -> dict | None:
    """The datastream around the episode: from 6 hours before it began to 6 hours after its
    last reading (or now), the rule's levels drawn."""
    if event.datastream is None:
        return None
    now = now or timezone.now()
    until = max(event.last_seen, event.cleared_at or event.last_seen)
    start = event.first_seen - dt.timedelta(hours=6)
    end = min(until + dt.timedelta(hours=6), now)
    end = max(end, event.last_seen)
    rule = event.rule if event.rule.kind == RuleKind.THRESHOLD else None
    return chart_data(event.datastream, start, end, rule=rule, mark=(event.first_seen, until))


# --- stations ------------------------------------------------------------------------------------


@dataclass
class StationRow:
    station: Station
    worst: str = ""  # the worst severity of its open events ("" none)
    open_events: int = 0
    streams: list = field(default_factory=list)


def _worst_open(user, station_ids) -> dict[int, tuple[str, int]]:
    worst: dict[int, tuple[str, int]] = {}
    events = (MonitoringEvent.objects.filter(policy.monitoring_event_scope_q(user), station_id__in=station_ids)
              .exclude(status=EventStatus.RESOLVED).values_list("station_id", "severity"))
    for station_id, severity in events:
        current, n = worst.get(station_id, ("", 0))
        if not current or SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK.get(current, 0):
            current = severity
        worst[station_id] = (current, n + 1)
    return worst


def station_rows(*, user, only_open: bool = False) -> list[StationRow]:
    """The active stations ``user`` may see, with the worst level of their open events; with
    ``only_open``, just the stations that have some (the console's layer)."""
    stations = list(Station.objects.filter(policy.station_scope_q(user), is_active=True)
                    .prefetch_related("datastreams__observed_property"))
    worst = _worst_open(user, [s.pk for s in stations])
    rows = []
    for s in stations:
        severity, n = worst.get(s.pk, ("", 0))
        if only_open and not n:
            continue
        rows.append(StationRow(station=s, worst=severity, open_events=n,
                               streams=[d for d in s.datastreams.all() if d.is_active]))
    return rows


def stations_geojson(*, user, only_open: bool = False) -> dict:
    features = []
    for row in station_rows(user=user, only_open=only_open):
        s = row.station
        if s.lat is None or s.lon is None:
            continue
        last = [f"{d.observed_property.display_name()}: {_fmt(d.last_value, d.observed_property.decimals)} "
                f"{d.unit}" for d in row.streams if d.last_value is not None][:3]
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                         "properties": {"code": s.code, "name": s.name, "kind": s.get_kind_display(),
                                        "worst": row.worst, "open": row.open_events, "last": last,
                                        "url": f"/monitoring/stations/{s.code}/"}})
    return {"type": "FeatureCollection", "features": features}


def _fmt(value, decimals: int) -> str:
    from opencity.lib.numbers import fmt_number

    return fmt_number(value, decimals)


def station_charts(station: Station, range_key: str, *, now: dt.datetime | None = None) -> list[dict]:
    """One chart per active datastream of ``station`` over the range (24 h, 7 days, 30 days)."""
    now = now or timezone.now()
    span = RANGES.get(range_key, RANGES["24h"])
    charts = []
    for stream in station.datastreams.filter(is_active=True).select_related("observed_property", "station"):
        data = chart_data(stream, now - span, now)
        data["code"] = stream.code
        charts.append({"stream": stream, "data": data})
    return charts


# --- public pages --------------------------------------------------------------------------------


@dataclass
class PublicReading:
    stream: Datastream
    level: dict | None
    chart: dict
    drawn: bool = True  # a chart of the last 24 hours; flows are read as their figure only


# A reservoir's flows beside its level: a citizen reads them as figures; the level is the chart.
FIGURE_ONLY = ("inflow", "discharge")
# What a citizen looks for first at a station: the level, the air quality index.
FIRST = ("water_level", "reservoir_level", "aqi")


def public_stations(kinds, *, now: dt.datetime | None = None) -> list[tuple[Station, list[PublicReading]]]:
    """The public stations of ``kinds`` (never a camera, a vessel or a network sensor), each with
    its datastreams' last value, the level reached and a chart of the last 24 hours (not for a
    reservoir's flows: their figures are enough)."""
    now = now or timezone.now()
    kinds = [k for k in kinds if k not in PRIVATE_KINDS]
    stations = (Station.objects.filter(policy.station_scope_q(None), is_active=True, kind__in=kinds)
                .order_by("kind", "name"))
    out = []
    for station in stations:
        readings = []
        for stream in station.datastreams.filter(is_active=True).select_related("observed_property", "station"):
            levels = levels_of(stream)
            drawn = stream.observed_property.code not in FIGURE_ONLY
            if drawn:
                data = chart_data(stream, now - RANGES["24h"], now)
            else:
                prop = stream.observed_property
                data = {"name": prop.display_name(), "unit": prop.unit, "decimals": prop.decimals, "levels": levels}
            data["code"] = stream.code
            reached = level_reached(stream.last_value, levels, levels[0]["direction"] if levels else "above")
            readings.append(PublicReading(stream=stream, level=reached, chart=data, drawn=drawn))
        readings.sort(key=lambda r: (r.stream.observed_property.code not in FIRST, not r.drawn,
                                     r.stream.observed_property.code))
        out.append((station, readings))
    return out


def level_text(level: dict | None) -> str:
    """The level reached, as the rule's admin named it ("Báo động II", an AQI band "Kém")."""
    if level is None:
        return _("No alert level reached")
    return level["name"]
