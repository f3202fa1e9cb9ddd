"""Judging readings and items against the admin's rules, and the episodes they raise.

Every rule kind is reduced to one question — *which level is this measure at?* — asked with
hysteresis: a level is reached when the measure reaches its value and left only when the
measure falls below ``value - hysteresis``. Levels come from the rule's :class:`RuleLevel` rows
(threshold and rolling-total rules: BĐ1/BĐ2/BĐ3, the AQI bands) or, for the other kinds, one
level at the rule's ``limit``. A rule "below" (a reservoir too low) negates measure and levels.

The measure of each kind: the value (threshold); its rise over the window (rate of rise); the
sum over the window (rolling total); the margin above the operating curve (curve); 1 when no
reading came for the window (silence, judged by the periodic job); the number of items of the
same subject in the window (repeat); 1 outside the permitted zone (zone exit).

An episode is the time a rule spends above level 0 for one key (a datastream, a plate, a
vessel). It raises **one** :class:`MonitoringEvent`; while it lasts each reading counts on that
event (``count``, ``last_seen``, ``peak_value``), a higher level escalates it, and coming back
to level 0 clears it. Everything happens in the caller's transaction, under a lock on the rule's
state row, so two workers judging the same datastream cannot raise two events.

No expression is ever evaluated: a rule is numbers, a curve and a polygon.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    ITEM_RULES,
    NUMERIC_RULES,
    Datastream,
    EventStatus,
    Item,
    MonitoringEvent,
    Observation,
    Rule,
    RuleKind,
    RuleLevel,
    RuleState,
    Severity,
)
from .workflow import EVENT

# --- validation (the admin's form calls Rule.clean) --------------------------------------------


def _curve_points(curve) -> list[tuple[int, float]]:
    """[["MM-DD", value], …] → [(day of a non-leap year, value)], sorted; ValueError if malformed."""
    if not isinstance(curve, list) or len(curve) < 2 or len(curve) > 400:
        raise ValueError
    points = []
    for point in curve:
        if not isinstance(point, (list, tuple)) or len(point) != 2:
            raise ValueError
        day, value = point
        when = dt.datetime.strptime(f"2023-{day}", "%Y-%m-%d")  # ValueError for 02-30
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError
        points.append((when.timetuple().tm_yday, float(value)))
    points.sort()
    return points


def _zone(zone):
    from shapely.geometry import shape

    if not isinstance(zone, dict) or zone.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError
    geom = shape(zone)
    if geom.is_empty or not geom.is_valid:
        raise ValueError
    return geom


def validate_rule(rule: Rule) -> None:
    errors: dict[str, str] = {}
    kind = rule.kind
    if kind in NUMERIC_RULES:
        if rule.datastream_id is None and rule.observed_property_id is None:
            errors["datastream"] = _("Choose a datastream or a property.")
        if rule.item_kind:
            errors["item_kind"] = _("Only rules on items have an item kind.")
    if kind in ITEM_RULES:
        if not rule.item_kind:
            errors["item_kind"] = _("Choose the kind of items this rule judges.")
        if rule.datastream_id or rule.observed_property_id:
            errors["datastream"] = _("A rule on items has no datastream.")
    if kind in (RuleKind.RATE_OF_RISE, RuleKind.ROLLING_SUM, RuleKind.SILENCE, RuleKind.REPEAT) \
            and not rule.window_minutes:
        errors["window_minutes"] = _("This kind of rule needs a window.")
    if kind in (RuleKind.RATE_OF_RISE, RuleKind.REPEAT) and (rule.limit is None or rule.limit <= 0):
        errors["limit"] = _("This kind of rule needs a limit above zero.")
    if kind == RuleKind.CURVE:
        try:
            _curve_points(rule.curve)
        except (ValueError, TypeError):
            errors["curve"] = _('The curve is a list of ["MM-DD", value] points, at least two.')
    if kind == RuleKind.ZONE_EXIT:
        try:
            _zone(rule.zone)
        except Exception:  # noqa: BLE001 — shapely raises many kinds for bad geometry
            errors["zone"] = _("The zone must be a valid GeoJSON Polygon or MultiPolygon.")
    if errors:
        raise ValidationError(errors)


# --- levels with hysteresis --------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    number: int  # 1, 2, 3…
    code: str
    name: str
    value: float  # in "above" terms (negated for a rule "below")
    severity: str


def levels_of(rule: Rule) -> list[Level]:
    sign = -1.0 if rule.direction == "below" else 1.0
    if rule.kind in (RuleKind.THRESHOLD, RuleKind.ROLLING_SUM):
        rows = sorted(rule.levels.all(), key=lambda lv: sign * lv.value)
        return [Level(i + 1, lv.code, lv.name, sign * lv.value, lv.severity) for i, lv in enumerate(rows)]
    if rule.kind in (RuleKind.SILENCE, RuleKind.ZONE_EXIT):
        return [Level(1, "", rule.name, 1.0, rule.severity)]
    limit = rule.limit if rule.limit is not None else 0.0
    return [Level(1, "", rule.name, limit, rule.severity)]


def step_level(current: int, measure: float, levels: list[Level], hysteresis: float) -> int:
    """The level after ``measure``, from ``current``: up as far as the measure reaches, down only
    past each level by the hysteresis."""
    level = current
    while level < len(levels) and measure >= levels[level].value:
        level += 1
    while level > 0 and measure < levels[level - 1].value - hysteresis:
        level -= 1
    return level


# --- episodes ----------------------------------------------------------------------------------


@dataclass
class Subject:
    """What an episode is about: a datastream, or a subject seen by a station."""

    key: str
    station: object
    datastream: Datastream | None = None
    subject: str = ""
    unit: str = ""


class Judge:
    """Moves the rule states of one batch and collects the events it raised or moved."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.event_ids: list[int] = []
        self._touch: dict[int, list] = {}
        self._known: dict[tuple[int, str], tuple[int, int | None]] = {}  # (rule, key) → (level, event id)

    def preload(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Read, in one query and without locking, where the rules stand for ``pairs`` — so that
        the common case (nothing reached, no episode running) costs no lock and no write."""
        pairs = set(pairs)
        if not pairs:
            return
        rows = RuleState.objects.filter(rule_id__in={r for r, _k in pairs}, key__in={k for _r, k in pairs})
        for rule_id, key, level, event_id in rows.values_list("rule_id", "key", "level", "event_id"):
            if (rule_id, key) in pairs:
                self._known[(rule_id, key)] = (level, event_id)
        for pair in pairs:
            self._known.setdefault(pair, (0, None))

    def state(self, rule: Rule, key: str) -> RuleState:
        locked = RuleState.objects.select_for_update(of=("self",)).select_related("event")
        state = locked.filter(rule=rule, key=key).first()
        if state is None:
            state, _created = RuleState.objects.get_or_create(rule=rule, key=key)
            state = locked.get(pk=state.pk)
        return state

    def run(self, rule: Rule, subject: Subject, measures: Iterable[tuple[dt.datetime, float, float | None]]) -> None:
        """``measures``: (time, measure, the value to show) in time order."""
        levels = levels_of(rule)
        if not levels:
            return
        measures = list(measures)
        known = self._known.get((rule.pk, subject.key))
        if known is not None and known[1] is None:
            level = known[0]
            for _when, measure, _shown in measures:
                if step_level(level, measure, levels, rule.hysteresis or 0.0) != level:
                    break
            else:
                return  # nothing reached or left, no episode to count on: nothing to write
        state = self.state(rule, subject.key)
        level = state.level
        event = state.event if state.event is not None and state.event.is_open else None
        for when, measure, shown in measures:
            new = step_level(level, measure, levels, rule.hysteresis or 0.0)
            if new > level:
                top = levels[new - 1]
                if event is None:
                    event = self._raise(rule, subject, top, when, shown)
                elif new > event.level:
                    self._flush(event)
                    self._escalate(event, top, when, shown)
                else:
                    self._count(event, when, shown)
            elif new == 0 and level > 0:
                if event is not None:
                    self._flush(event)
                    self._clear(event, when, shown)
                event = None
            elif new > 0 and event is not None:
                self._count(event, when, shown)
            elif new > 0 and event is None and state.event is not None and not state.event.is_open:
                pass  # resolved by a person while the data stayed up: wait for the next episode
            level = new
        if event is not None:
            self._flush(event)
        if state.level == level and state.event_id == (event.pk if event else None):
            return
        state.level = level
        state.event = event
        state.updated_at = self.now
        state.save(update_fields=["level", "event", "updated_at"])

    # each change of the event goes through the lifecycle kernel; counting does not

    def _raise(self, rule: Rule, subject: Subject, top: Level, when, shown) -> MonitoringEvent:
        station = subject.station
        event = MonitoringEvent(
            rule=rule, station=station, datastream=subject.datastream, subject=subject.subject,
            title=f"{station.name} · {rule.name}"[:240], severity=top.severity, level=top.number,
            level_code=top.code, level_name=top.name, value=shown, peak_value=shown, first_seen=when,
            last_seen=when, count=1, area_id=station.area_id, lat=station.lat, lon=station.lon,
        )
        EVENT.apply(event, "raise", actor=None, data=self._data(top, shown, subject))
        self.event_ids.append(event.pk)
        return event

    def _escalate(self, event: MonitoringEvent, top: Level, when, shown) -> None:
        EVENT.apply(event, "escalate", actor=None, data=self._data(top, shown, None), changes={
            "level": top.number, "level_code": top.code, "level_name": top.name, "severity": top.severity,
            "value": shown, "peak_value": _peak(event.peak_value, shown), "last_seen": when,
            "count": event.count + 1})
        self.event_ids.append(event.pk)

    def _clear(self, event: MonitoringEvent, when, shown) -> None:
        EVENT.apply(event, "clear", actor=None, data={"value": shown}, changes={"cleared_at": when, "value": shown})
        self.event_ids.append(event.pk)

    def _count(self, event: MonitoringEvent, when, shown) -> None:
        pending = self._touch.setdefault(event.pk, [0, when, shown, event.peak_value])
        pending[0] += 1
        pending[1], pending[2] = when, shown
        pending[3] = _peak(pending[3], shown)

    def _flush(self, event: MonitoringEvent) -> None:
        pending = self._touch.pop(event.pk, None)
        if not pending:
            return
        n, when, shown, peak = pending
        MonitoringEvent.objects.filter(pk=event.pk).update(
            count=F("count") + n, last_seen=when, value=shown, peak_value=peak, updated_at=self.now)
        event.count += n
        event.last_seen, event.value, event.peak_value = when, shown, peak

    @staticmethod
    def _data(top: Level, shown, subject: Subject | None) -> dict:
        data = {"level": top.number, "code": top.code, "name": top.name, "value": shown}
        if subject is not None and subject.unit:
            data["unit"] = subject.unit
        return data


def _peak(peak, value):
    if value is None:
        return peak
    return value if peak is None else max(peak, value)


# --- readings ------------------------------------------------------------------------------------


def rules_for(streams: Iterable[Datastream], kinds=NUMERIC_RULES) -> dict[int, list[Rule]]:
    """The active rules of each datastream: its own, and its property's (of its station kind)."""
    streams = list(streams)
    if not streams:
        return {}
    ids = [s.pk for s in streams]
    props = {s.observed_property_id for s in streams}
    rules = list(Rule.objects.filter(is_active=True, kind__in=kinds).filter(
        Q(datastream_id__in=ids) | Q(datastream__isnull=True, observed_property_id__in=props)
    ).prefetch_related("levels").order_by("pk"))
    out: dict[int, list[Rule]] = defaultdict(list)
    for stream in streams:
        for rule in rules:
            if rule.datastream_id == stream.pk or (
                rule.datastream_id is None and rule.observed_property_id == stream.observed_property_id
                and (not rule.station_kind or rule.station_kind == stream.station.kind)
            ):
                out[stream.pk].append(rule)
    return out


def _history(stream: Datastream, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, float]]:
    return list(Observation.objects.filter(datastream_id=stream.pk, phenomenon_time__gte=start,
                                           phenomenon_time__lte=end)
                .order_by("phenomenon_time").values_list("phenomenon_time", "value"))


def curve_at(points: list[tuple[int, float]], when: dt.datetime) -> float:
    """The operating curve on the day of ``when`` (Vietnam's date), linear between points and
    around the turn of the year."""
    local = when.astimezone(dt.timezone(dt.timedelta(hours=7)))
    day = min(local.timetuple().tm_yday, 365)
    days = [d for d, _v in points]
    i = bisect.bisect_right(days, day)
    (d0, v0), (d1, v1) = (points[i - 1], points[i]) if 0 < i < len(points) else (
        (points[-1], (points[0][0] + 365, points[0][1])) if i == len(points) else
        ((points[-1][0] - 365, points[-1][1]), points[0]))
    return v0 if d1 == d0 else v0 + (v1 - v0) * (day - d0) / (d1 - d0)


def _measures(rule: Rule, stream: Datastream, new: list[tuple[dt.datetime, float]]):
    """(time, measure, shown value) for each new reading, by the rule's kind."""
    sign = -1.0 if rule.direction == "below" else 1.0
    if rule.kind == RuleKind.THRESHOLD:
        return [(t, sign * v, v) for t, v in new]
    if rule.kind == RuleKind.SILENCE:
        return [(t, 0.0, v) for t, v in new]  # a reading: not silent
    if rule.kind == RuleKind.CURVE:
        points = _curve_points(rule.curve)
        return [(t, sign * (v - curve_at(points, t)), v) for t, v in new]
    window = dt.timedelta(minutes=rule.window_minutes or 60)
    series = _history(stream, new[0][0] - window, new[-1][0])
    times = [t for t, _v in series]
    out = []
    if rule.kind == RuleKind.RATE_OF_RISE:
        for t, v in new:
            first = bisect.bisect_left(times, t - window)
            base = series[first][1] if first < len(series) else v
            out.append((t, sign * (v - base), v))
    elif rule.kind == RuleKind.ROLLING_SUM:
        prefix = [0.0]
        for _t, v in series:
            prefix.append(prefix[-1] + v)
        for t, _v in new:
            lo = bisect.bisect_right(times, t - window)
            hi = bisect.bisect_right(times, t)
            total = prefix[hi] - prefix[lo]
            out.append((t, sign * total, round(total, 6)))
    return out


def judge_readings(new_by_stream: dict[Datastream, list[tuple[dt.datetime, float]]],
                   previous_last: dict[int, dt.datetime | None], *, now: dt.datetime) -> list[int]:
    """Judge the readings just stored. Only readings newer than the datastream's last one count:
    a late reading of the past is kept but does not move a level."""
    judge = Judge(now)
    by_stream = rules_for(new_by_stream)
    judge.preload((rule.pk, f"ds:{ds_id}") for ds_id, rules in by_stream.items() for rule in rules)
    for stream in sorted(new_by_stream, key=lambda s: s.pk):
        before = previous_last.get(stream.pk)
        new = [(t, v) for t, v in new_by_stream[stream] if before is None or t > before]
        if not new:
            continue
        subject = Subject(key=f"ds:{stream.pk}", station=stream.station, datastream=stream,
                          unit=stream.observed_property.unit)
        for rule in by_stream.get(stream.pk, ()):
            judge.run(rule, subject, _measures(rule, stream, new))
    return judge.event_ids


def judge_silence(*, now: dt.datetime | None = None) -> list[int]:
    """The periodic job: datastreams with a silence rule and no reading for its window."""
    now = now or timezone.now()
    judge = Judge(now)
    rules = list(Rule.objects.filter(is_active=True, kind=RuleKind.SILENCE).order_by("pk"))
    for rule in rules:
        streams = Datastream.objects.filter(is_active=True, station__is_active=True).select_related(
            "station", "observed_property")
        if rule.datastream_id:
            streams = streams.filter(pk=rule.datastream_id)
        else:
            streams = streams.filter(observed_property_id=rule.observed_property_id)
            if rule.station_kind:
                streams = streams.filter(station__kind=rule.station_kind)
        limit = now - dt.timedelta(minutes=rule.window_minutes or 60)
        for stream in streams.filter(Q(last_time__lt=limit) | Q(last_time__isnull=True, created_at__lt=limit)):
            subject = Subject(key=f"ds:{stream.pk}", station=stream.station, datastream=stream,
                              unit=stream.observed_property.unit)
            judge.run(rule, subject, [(now, 1.0, stream.last_value)])
    return judge.event_ids


# --- items ---------------------------------------------------------------------------------------


def judge_items(items: list[Item], *, now: dt.datetime) -> list[int]:
    """Judge items just stored (with a station: an event belongs to one)."""
    items = [i for i in items if i.station_id is not None]
    if not items:
        return []
    judge = Judge(now)
    kinds = {i.kind for i in items}
    rules = list(Rule.objects.filter(is_active=True, kind__in=ITEM_RULES, item_kind__in=kinds).order_by("pk"))
    stations = {s.pk: s for s in _stations({i.station_id for i in items})}
    for rule in rules:
        mine = [i for i in items if i.kind == rule.item_kind and i.subject]
        if rule.kind == RuleKind.REPEAT:
            window = dt.timedelta(minutes=rule.window_minutes or 60)
            for subject_text in sorted({i.subject for i in mine}):
                seen = [i for i in mine if i.subject == subject_text]
                times = sorted(Item.objects.filter(kind=rule.item_kind, subject=subject_text,
                                                   observed_at__gte=seen[0].observed_at - window,
                                                   observed_at__lte=seen[-1].observed_at)
                               .values_list("observed_at", flat=True))
                measures = []
                for item in seen:
                    count = bisect.bisect_right(times, item.observed_at) - bisect.bisect_left(
                        times, item.observed_at - window)
                    measures.append((item.observed_at, float(count), float(count)))
                station = stations[seen[-1].station_id]
                judge.run(rule, Subject(key=subject_text, station=station, subject=subject_text), measures)
        elif rule.kind == RuleKind.ZONE_EXIT:
            zone = _zone(rule.zone)
            from shapely.geometry import Point

            for subject_text in sorted({i.subject for i in mine}):
                seen = [i for i in mine if i.subject == subject_text and i.lat is not None]
                if not seen:
                    continue
                measures = [(i.observed_at, 0.0 if zone.covers(Point(i.lon, i.lat)) else 1.0, None) for i in seen]
                station = stations[seen[-1].station_id]
                judge.run(rule, Subject(key=subject_text, station=station, subject=subject_text), measures)
    return judge.event_ids


def _stations(ids):
    from .models import Station

    return Station.objects.filter(pk__in=ids)


__all__ = ["EventStatus", "RuleLevel", "Severity", "judge_items", "judge_readings", "judge_silence",
           "levels_of", "step_level", "validate_rule"]
