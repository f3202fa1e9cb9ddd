"""Ingest: readings and items in, each row answered, nothing stored twice or half-way.

:func:`observations_ingest` takes the rows of one batch (an HTTP request, an MQTT message, a
file) and answers each one — ``created``, ``duplicate`` (the same datastream and time is already
stored: a resent batch creates nothing) or ``rejected`` with a code and a sentence in the
reader's language. Rows are checked one by one before anything is written; the good ones are
then stored together in one transaction with their hourly roll-ups, the datastreams' last values
and the rules' judgement (``monitoring.rules``), so an event is raised in the same commit as the
reading that caused it — or not at all.

What is refused, and why (``code``):

- ``malformed`` — not an object (a line of a batch that is not JSON);
- ``unknown_datastream`` — no such datastream, inactive, or not this source's;
- ``invalid_value`` — not a finite number;
- ``wrong_unit`` — a unit was given and it is not the datastream's;
- ``out_of_range`` — outside what the property can physically be (a river at 400 m);
- ``invalid_time`` — missing or not ISO 8601; ``future_time`` — later than now plus the clock
  tolerance; ``too_old`` — older than ``OPENCITY_MONITORING_MAX_AGE_DAYS`` (1970);
- ``invalid_quality`` — not one of good, suspect, estimated;
- ``duplicate_in_batch`` — the same datastream and time twice in one batch (the first is kept).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .. import partitions, rules
from ..models import Datastream, Item, ItemKind, Quality, Source, Station

CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"
LOCAL_TZ = dt.timezone(dt.timedelta(hours=7))  # a time without an offset is Vietnam's (UTC+7)

# Units as devices type them → the symbol we store.
UNIT_ALIASES = {
    "m3/s": "m³/s", "m^3/s": "m³/s", "ug/m3": "µg/m³", "μg/m³": "µg/m³", "ug/m^3": "µg/m³",
    "μg/m3": "µg/m³", "µg/m3": "µg/m³", "mm/h": "mm/h", "deg c": "°C", "degc": "°C", "c": "°C",
    "m3": "m³", "million m3": "triệu m³",
}


@dataclass
class RowResult:
    index: int
    status: str
    code: str = ""
    message: str = ""
    datastream: str = ""
    time: str = ""

    def as_dict(self) -> dict:
        out: dict[str, Any] = {"index": self.index, "status": self.status}
        if self.datastream:
            out["datastream"] = self.datastream
        if self.time:
            out["time"] = self.time
        if self.code:
            out["code"] = self.code
            out["message"] = self.message
        return out


@dataclass
class IngestResult:
    rows: list[RowResult] = field(default_factory=list)
    events: list[int] = field(default_factory=list)  # monitoring events raised or moved

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def summary(self) -> dict:
        return {"created": self.count(CREATED), "duplicate": self.count(DUPLICATE),
                "rejected": self.count(REJECTED)}


def _reject(index: int, code: str, message: str, *, datastream: str = "", time: str = "") -> RowResult:
    return RowResult(index, REJECTED, code, message, datastream=datastream, time=time)


def max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.OPENCITY_MONITORING_MAX_AGE_DAYS)


def future_tolerance() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OPENCITY_MONITORING_CLOCK_TOLERANCE_SECONDS)


def parse_time(raw: Any, *, now: dt.datetime) -> tuple[dt.datetime | None, str, str]:
    """A reading's time, or (None, code, message). ISO 8601; without an offset it is Vietnam's
    time. Not later than now plus the clock tolerance, not older than the age limit."""
    if isinstance(raw, dt.datetime):
        when = raw
    elif isinstance(raw, str) and 10 <= len(raw) <= 40:
        try:
            when = parse_datetime(raw.strip().replace(" ", "T", 1))
        except ValueError:
            when = None
        if when is None:
            return None, "invalid_time", _("The time must be ISO 8601, like 2026-10-28T14:00:00+07:00.")
    else:
        return None, "invalid_time", _("The time must be ISO 8601, like 2026-10-28T14:00:00+07:00.")
    if timezone.is_naive(when):
        when = when.replace(tzinfo=LOCAL_TZ)
    try:
        when = when.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00+07:00 (or 9999-12-31T23:59-14:00) is past the calendar in UTC
        if when.year > 1:
            return None, "future_time", _("The time is in the future; check the device's clock.")
        return None, "too_old", _("The time is too long ago (older than %(days)s days); check the device's clock.") % {
            "days": max_age().days}
    if when > now + future_tolerance():
        return None, "future_time", _("The time is in the future; check the device's clock.")
    if when < now - max_age():
        return None, "too_old", _("The time is too long ago (older than %(days)s days); check the device's clock.") % {
            "days": max_age().days}
    return when, "", ""


def parse_number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return None
    if isinstance(raw, str):
        raw = raw.strip().replace(",", ".")
        if not raw or len(raw) > 30:
            return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def normalise_unit(raw: str) -> str:
    text = str(raw).strip()
    return UNIT_ALIASES.get(text.lower(), text)


def _datastreams(codes: Iterable[str]) -> dict[str, Datastream]:
    codes = {c for c in codes if isinstance(c, str) and 0 < len(c) <= 80}
    if not codes:
        return {}
    return {d.code: d for d in Datastream.objects.filter(code__in=codes, is_active=True, station__is_active=True)
            .select_related("observed_property", "station")}


def _check(index: int, row: Any, streams: dict[str, Datastream], source: Source | None, now: dt.datetime):
    """(datastream, time, value, quality) or a RowResult refusing the row."""
    if not isinstance(row, dict):
        return _reject(index, "malformed", _("This row is not a JSON object."))
    code = row.get("datastream")
    code_text = code if isinstance(code, str) else ""
    stream = streams.get(code_text)
    if stream is None or (source is not None and stream.station.source_id != source.pk):
        return _reject(index, "unknown_datastream", _("There is no such datastream for this source."),
                       datastream=code_text[:80])
    when, error, message = parse_time(row.get("time", row.get("phenomenonTime")), now=now)
    raw_time = row.get("time", row.get("phenomenonTime"))
    time_text = raw_time[:40] if isinstance(raw_time, str) else ""
    if when is None:
        return _reject(index, error, message, datastream=stream.code, time=time_text)
    value = parse_number(row.get("value", row.get("result")))
    prop = stream.observed_property
    if value is None:
        return _reject(index, "invalid_value", _("The value must be a number."), datastream=stream.code,
                       time=time_text)
    unit = row.get("unit")
    if unit not in (None, "") and normalise_unit(unit) != prop.unit:
        return _reject(index, "wrong_unit", _("This datastream is measured in %(unit)s.") % {"unit": prop.unit},
                       datastream=stream.code, time=time_text)
    if not prop.min_value <= value <= prop.max_value:
        return _reject(index, "out_of_range",
                       _("%(value)s %(unit)s is outside what %(property)s can be (%(low)s to %(high)s).") % {
                           "value": f"{value:g}", "unit": prop.unit, "property": prop.display_name(),
                           "low": f"{prop.min_value:g}", "high": f"{prop.max_value:g}"},
                       datastream=stream.code, time=time_text)
    quality = row.get("quality") or Quality.GOOD
    if quality not in Quality.values:
        return _reject(index, "invalid_quality", _("The quality must be good, suspect or estimated."),
                       datastream=stream.code, time=time_text)
    return stream, when, value, quality


def observations_ingest(*, rows: Sequence[Any], source: Source | None, now: dt.datetime | None = None) -> IngestResult:
    """Check, store and judge one batch of readings (see the module's docstring).

    ``source``: the sender, whose datastreams alone it may write (None: any — the MQTT worker,
    which the broker's access control has already bounded, and the file adapters run by staff)."""
    now = now or timezone.now()
    streams = _datastreams(r.get("datastream") for r in rows if isinstance(r, dict))
    results: list[RowResult | None] = [None] * len(rows)
    good: dict[tuple[int, dt.datetime], tuple[int, Datastream, float, str]] = {}
    for index, row in enumerate(rows):
        checked = _check(index, row, streams, source, now)
        if isinstance(checked, RowResult):
            results[index] = checked
            continue
        stream, when, value, quality = checked
        key = (stream.pk, when)
        if key in good:
            results[index] = _reject(index, "duplicate_in_batch", _("The same datastream and time came twice in "
                                                                    "this batch; the first was kept."),
                                     datastream=stream.code, time=when.isoformat())
            continue
        good[key] = (index, stream, value, quality)
    outcome = IngestResult()
    if good:
        partitions.ensure_for({when for (_ds, when) in good})
        with transaction.atomic():
            inserted = _insert(good, now)
            for (ds_id, when), (index, stream, _value, _quality) in good.items():
                status = CREATED if (ds_id, when) in inserted else DUPLICATE
                results[index] = RowResult(index, status, datastream=stream.code, time=when.isoformat())
            new_by_stream: dict[int, list[tuple[dt.datetime, float]]] = defaultdict(list)
            for (ds_id, when), (_i, _s, value, _q) in good.items():
                if (ds_id, when) in inserted:
                    new_by_stream[ds_id].append((when, value))
            if new_by_stream:
                _roll_up(new_by_stream)
                previous = _advance_streams(new_by_stream)
                by_id = {s.pk: s for s in streams.values()}
                outcome.events = rules.judge_readings(
                    {by_id[ds_id]: sorted(vals) for ds_id, vals in new_by_stream.items()}, previous, now=now)
    outcome.rows = [r for r in results if r is not None]
    return outcome


CHUNK = 400


def _insert(good: dict, now: dt.datetime) -> set[tuple[int, dt.datetime]]:
    """Insert the rows that are not there yet; returns the keys actually inserted (ON CONFLICT
    DO NOTHING … RETURNING: a reading already stored stays as it was)."""
    keys = sorted(good)  # one order in every process: two batches never wait on each other in a circle
    inserted: set[tuple[int, dt.datetime]] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            params: list[Any] = []
            for ds_id, when in chunk:
                _index, _stream, value, quality = good[(ds_id, when)]
                params += [ds_id, _db_time(when), value, quality, _db_time(now)]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                "INSERT INTO monitoring_observation (datastream_id, phenomenon_time, value, quality, received_at) "
                f"VALUES {placeholders} ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING "
                "RETURNING datastream_id, phenomenon_time", params)
            for ds_id, when in cursor.fetchall():
                inserted.add((ds_id, _aware(when)))
    return inserted


def _db_time(when: dt.datetime):
    """A time as the ORM would store it (raw SQL here: on SQLite, the same text the ORM writes
    and compares, "2026-10-28 07:00:00"; on PostgreSQL the value itself)."""
    return connection.ops.adapt_datetimefield_value(when)


def _aware(value) -> dt.datetime:
    """SQLite's RETURNING gives the stored text back (no converters on a raw cursor)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def hour_of(when: dt.datetime) -> dt.datetime:
    return when.replace(minute=0, second=0, microsecond=0)


def _roll_up(new_by_stream: dict[int, list[tuple[dt.datetime, float]]]) -> None:
    """Add the new readings to their hours (count, total, min, max): one upsert per chunk."""
    hours: dict[tuple[int, dt.datetime], list[float]] = {}
    for ds_id, values in new_by_stream.items():
        for when, value in values:
            acc = hours.setdefault((ds_id, hour_of(when)), [0, 0.0, value, value])
            acc[0] += 1
            acc[1] += value
            acc[2] = min(acc[2], value)
            acc[3] = max(acc[3], value)
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    keys = sorted(hours)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            params: list[Any] = []
            for ds_id, hour in chunk:
                count, total, low, high = hours[(ds_id, hour)]
                params += [ds_id, _db_time(hour), count, total, low, high]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            t = "monitoring_observationhour"
            cursor.execute(
                f"INSERT INTO {t} (datastream_id, hour, count, total, minimum, maximum) VALUES {placeholders} "
                "ON CONFLICT (datastream_id, hour) DO UPDATE SET "
                f"count = {t}.count + excluded.count, total = {t}.total + excluded.total, "
                f"minimum = {least}({t}.minimum, excluded.minimum), maximum = {greatest}({t}.maximum, excluded.maximum)",
                params)


def _advance_streams(new_by_stream: dict[int, list[tuple[dt.datetime, float]]]) -> dict[int, dt.datetime | None]:
    """Move each datastream's last value forward (never back: a late reading of the past is
    stored and counted but is not "the last"); returns each one's previous last time.

    The rows are locked first, in id order (two batches of the same datastreams take turns
    instead of deadlocking, and the rules judge each batch against the last time before it),
    then updated in one statement."""
    ids = sorted(new_by_stream)
    locked = Datastream.objects.filter(pk__in=ids).order_by("pk")
    if connection.features.has_select_for_update:
        locked = locked.select_for_update()
    previous = dict(locked.values_list("pk", "last_time"))
    params: list[Any] = []
    for ds_id in ids:
        values = new_by_stream[ds_id]
        when, value = max(values)
        params += [ds_id, len(values), _db_time(when), value]
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(ids))
    if connection.vendor == "postgresql":
        source = f"(VALUES {rows}) AS v(id, n, t, val)"
        types = "v.id::bigint", "v.n::int", "v.t::timestamptz", "v.val::float8"
    else:
        source = f"(SELECT column1 AS id, column2 AS n, column3 AS t, column4 AS val FROM (VALUES {rows})) AS v"
        types = "v.id", "v.n", "v.t", "v.val"
    vid, vn, vt, vval = types
    newer = f"(monitoring_datastream.last_time IS NULL OR monitoring_datastream.last_time < {vt})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE monitoring_datastream SET observation_count = monitoring_datastream.observation_count + {vn}, "
            f"last_value = CASE WHEN {newer} THEN {vval} ELSE monitoring_datastream.last_value END, "
            f"last_time = CASE WHEN {newer} THEN {vt} ELSE monitoring_datastream.last_time END "
            f"FROM {source} WHERE monitoring_datastream.id = {vid}", params)
    return previous


# --- items ---------------------------------------------------------------------------------------


def _check_item(index: int, row: Any, stations: dict[str, Station], source: Source, now: dt.datetime):
    if not isinstance(row, dict):
        return _reject(index, "malformed", _("This row is not a JSON object."))
    kind = row.get("kind")
    if kind not in ItemKind.values:
        return _reject(index, "invalid_kind", _("The kind must be one of: %(kinds)s.") % {
            "kinds": ", ".join(ItemKind.values)})
    ident = row.get("id")
    if not isinstance(ident, (str, int)) or isinstance(ident, bool) or not str(ident).strip() or len(str(ident)) > 120:
        return _reject(index, "invalid_id", _("Each item needs its own id (up to 120 characters)."))
    station = None
    code = row.get("station")
    if code not in (None, ""):
        station = stations.get(code) if isinstance(code, str) else None
        if station is None or station.source_id != source.pk:
            return _reject(index, "unknown_station", _("There is no such station for this source."))
    when, error, message = parse_time(row.get("time"), now=now)
    if when is None:
        return _reject(index, error, message)
    lat, lon = row.get("lat"), row.get("lon")
    if lat is not None or lon is not None:
        lat, lon = parse_number(lat), parse_number(lon)
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return _reject(index, "invalid_position", _("The position must be a latitude and a longitude."))
    subject = row.get("subject") or ""
    if not isinstance(subject, str) or len(subject) > 60:
        return _reject(index, "invalid_subject", _("The subject (plate, vessel, host) must be text of up to 60 "
                                                   "characters."))
    payload = row.get("payload") or {}
    if not isinstance(payload, dict) or len(str(payload)) > 8000:
        return _reject(index, "invalid_payload", _("The payload must be a JSON object under 8 kB."))
    return Item(source=source, station=station, kind=kind, dedup_key=str(ident).strip(),
                subject=_subject(subject), observed_at=when, lat=lat, lon=lon, payload=payload, received_at=now)


def _subject(text: str) -> str:
    """Plates and registrations compared as people read them: "75A-123.45" = "75a12345"."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def items_ingest(*, rows: Sequence[Any], source: Source, now: dt.datetime | None = None) -> IngestResult:
    """Check, store and judge items (camera violations, vessel positions, security alerts): each
    row answered like readings; an item whose ``id`` this source already sent is a duplicate."""
    now = now or timezone.now()
    codes = {r.get("station") for r in rows if isinstance(r, dict) and isinstance(r.get("station"), str)}
    stations = {s.code: s for s in Station.objects.filter(code__in=codes, is_active=True)} if codes else {}
    results: list[RowResult | None] = [None] * len(rows)
    fresh: dict[str, tuple[int, Item]] = {}
    for index, row in enumerate(rows):
        checked = _check_item(index, row, stations, source, now)
        if isinstance(checked, RowResult):
            results[index] = checked
        elif checked.dedup_key in fresh:
            results[index] = _reject(index, "duplicate_in_batch", _("The same id came twice in this batch; the "
                                                                    "first was kept."))
        else:
            fresh[checked.dedup_key] = (index, checked)
    outcome = IngestResult()
    if fresh:
        with transaction.atomic():
            known = set(Item.objects.filter(source=source, dedup_key__in=list(fresh)).values_list("dedup_key", flat=True))
            new = [item for key, (_i, item) in fresh.items() if key not in known]
            Item.objects.bulk_create(new, ignore_conflicts=True)
            stored = {i.dedup_key: i for i in Item.objects.filter(
                source=source, dedup_key__in=[i.dedup_key for i in new], received_at=now)}
            for key, (index, _item) in fresh.items():
                results[index] = RowResult(index, CREATED if key in stored else DUPLICATE)
            if stored:
                outcome.events = rules.judge_items(sorted(stored.values(), key=lambda i: (i.observed_at, i.pk)), now=now)
    outcome.rows = [r for r in results if r is not None]
    return outcome
