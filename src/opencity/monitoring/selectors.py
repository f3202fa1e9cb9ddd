"""Reads of monitoring data: the stations a person may see, one datastream, its series for a
chart, and the threshold levels drawn on it. The public API (``monitoring.api``) and the pages'
charts both read through these, so visibility is decided once (``policy.station_scope_q``):
visitors see public water, rain and air stations only, never a camera, a vessel or a network
sensor; IOC staff and leaders see every station.

Series: a range of up to :data:`RAW_WINDOW` (48 h) answers the readings themselves; a longer one
answers the hourly roll-ups (``ObservationHour``: a month is 744 rows, whatever the number of
readings). Either way at most :data:`MAX_POINTS` points, the most recent ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from opencity.errors import NotFoundError
from opencity.policy.monitoring import station_scope_q

from . import rules
from .models import Datastream, Observation, ObservationHour, RuleKind, Station

RAW_WINDOW = dt.timedelta(hours=48)
MAX_POINTS = 5000


def _scoped(user, prefix: str) -> Q:
    """The scope Q rewritten for a related model (``station__``): every lookup prefixed."""

    def rewrite(q: Q) -> Q:
        out = Q()
        out.connector, out.negated = q.connector, q.negated
        for child in q.children:
            out.children.append(rewrite(child) if isinstance(child, Q) else (f"{prefix}{child[0]}", child[1]))
        return out

    return rewrite(station_scope_q(user))


def station_list(*, user=None) -> list[Station]:
    """The active stations ``user`` may read (None: a visitor), by kind and name, each with
    ``datastream_list``: its active datastreams (``observed_property`` loaded), each with
    ``levels``: its threshold levels (:func:`threshold_levels`)."""
    streams = Datastream.objects.filter(is_active=True).select_related("observed_property", "station")
    stations = list(Station.objects.filter(station_scope_q(user), is_active=True)
                    .select_related("area")
                    .prefetch_related(Prefetch("datastreams", queryset=streams, to_attr="datastream_list"))
                    .order_by("kind", "name", "pk"))
    all_streams = [s for st in stations for s in st.datastream_list]
    by_stream = rules.rules_for(all_streams, kinds=(RuleKind.THRESHOLD,))
    for stream in all_streams:
        stream.levels = _levels(by_stream.get(stream.pk, []))
    return stations


def datastream_get(*, user=None, code: str) -> Datastream:
    """The active datastream ``code`` of a station ``user`` may read (``station`` and
    ``observed_property`` loaded), or :class:`NotFoundError` (also when it exists but is not
    visible: a visitor cannot tell a camera's datastream from none)."""
    stream = (Datastream.objects.filter(_scoped(user, "station__"), code=code, is_active=True,
                                        station__is_active=True)
              .select_related("station", "station__area", "observed_property").first())
    if stream is None:
        raise NotFoundError()
    return stream


def threshold_levels(datastream: Datastream) -> list[dict]:
    """The levels of the active threshold rules that judge ``datastream`` (its own rules and its
    property's), lowest first: ``{"code", "name", "value", "severity", "direction", "rule"}`` —
    what a chart draws as lines (BĐ1/BĐ2/BĐ3 at Kim Long)."""
    return _levels(rules.rules_for([datastream], kinds=(RuleKind.THRESHOLD,)).get(datastream.pk, []))


def _levels(rule_list) -> list[dict]:
    out = [{"code": lv.code, "name": lv.name, "value": lv.value, "severity": lv.severity,
            "direction": rule.direction, "rule": rule.name}
           for rule in rule_list for lv in rule.levels.all()]
    return sorted(out, key=lambda lv: (lv["value"], lv["code"]))


@dataclass
class Series:
    """Points of one datastream between ``start`` and ``end``.

    ``resolution`` is ``"raw"`` (points: ``{"time", "value", "quality"}``) or ``"hourly"``
    (points: ``{"time", "value", "mean", "min", "max", "count"}``, where ``value`` is the mean —
    or the hour's total for amounts that add up, rainfall). ``truncated``: more points than
    :data:`MAX_POINTS` fell in the range and only the most recent ones are here."""

    resolution: str
    start: dt.datetime
    end: dt.datetime
    points: list[dict] = field(default_factory=list)
    truncated: bool = False


def datastream_series(datastream: Datastream, start: dt.datetime, end: dt.datetime, *,
                      limit: int = MAX_POINTS) -> Series:
    """The points of ``datastream`` with ``start <= time <= end`` (aware datetimes), oldest
    first: the readings for a range of up to 48 h, hourly roll-ups beyond. Visibility is the
    caller's business (:func:`datastream_get`)."""
    if end - start <= RAW_WINDOW:
        rows = list(Observation.objects.filter(datastream_id=datastream.pk, phenomenon_time__gte=start,
                                               phenomenon_time__lte=end)
                    .order_by("-phenomenon_time").values_list("phenomenon_time", "value", "quality")[:limit + 1])
        points = [{"time": t, "value": v, "quality": q} for t, v, q in reversed(rows[:limit])]
        return Series("raw", start, end, points, truncated=len(rows) > limit)
    cumulative = datastream.observed_property.cumulative
    hours = list(ObservationHour.objects.filter(datastream_id=datastream.pk, hour__gte=_hour(start),
                                                hour__lte=end).order_by("-hour")[:limit + 1])
    points = [{"time": h.hour, "value": h.total if cumulative else h.mean, "mean": h.mean, "min": h.minimum,
               "max": h.maximum, "count": h.count} for h in reversed(hours[:limit])]
    return Series("hourly", start, end, points, truncated=len(hours) > limit)


def _hour(when: dt.datetime) -> dt.datetime:
    return when.replace(minute=0, second=0, microsecond=0)
