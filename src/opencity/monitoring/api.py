"""``/api/v1/monitoring/``: data sources send readings and items (with their source key); anyone
reads the public stations and their series.

Ingest answers every row (``services.ingest``): 200 when each row was created or was already
there, 207 Multi-Status when some were rejected, 422 when all were. ``rows`` lists every row
for a batch of up to :data:`LIST_ALL_UP_TO` rows, only the rejected ones beyond (``listed``
says which). A body that cannot be read is a 400, a batch over
``OPENCITY_MONITORING_MAX_BATCH`` rows or a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` a 413:
nothing is stored then.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.security import APIKeyHeader

from opencity.errors import DomainError, ValidationError
from opencity.lib.api import NOT_MODIFIED, OPTIONAL_AUTH, OPTIONAL_AUTH_OPENAPI, conditional, errors
from opencity.lib.text import find_nul, nul_error

from . import formats, selectors
from .services import items_ingest, observations_ingest
from .services.ingest import LOCAL_TZ, REJECTED, IngestResult
from .services.keys import source_key_authenticate

router = Router(tags=["monitoring"])

LIST_ALL_UP_TO = 1000
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonlines", "application/jsonl")
PUBLIC_MAX_AGE = 60  # seconds a visitor's answer may be cached


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    http_status = 413


class SourceKeyAuth(APIKeyHeader):
    """A data source's key: ``X-Api-Key: <key>``, or ``Authorization: Bearer <key>``. A missing
    or wrong key is a 401 saying which (``services.keys``)."""

    param_name = "X-Api-Key"

    def __call__(self, request: HttpRequest):
        raw = request.headers.get("X-Api-Key")
        if not raw:
            scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
            raw = token.strip() if scheme.lower() == "bearer" else ""
        return source_key_authenticate(raw, ip=request.META.get("REMOTE_ADDR"))

    def authenticate(self, request: HttpRequest, key: str | None):  # pragma: no cover - __call__ does it
        return source_key_authenticate(key)


SOURCE_KEY = SourceKeyAuth()


# --- ingest --------------------------------------------------------------------------------------


class RowOut(Schema):
    index: int = Field(..., description="The row's place in the batch, from 0.")
    status: str = Field(..., description="`created`, `duplicate` or `rejected`.")
    line: int | None = Field(None, description="NDJSON: the line of the body, from 1.")
    datastream: str | None = None
    time: str | None = None
    code: str | None = Field(None, description="Why it was rejected (see the table in docs/monitoring.md).")
    message: str | None = Field(None, description="The reason, in the language of `Accept-Language`.")


class IngestOut(Schema):
    created: int
    duplicate: int
    rejected: int
    listed: str = Field(..., description="`all`: `rows` holds every row (batches of up to 1000 rows); "
                                         "`rejected`: only the rejected ones.")
    rows: list[RowOut]


def _body(request: HttpRequest) -> bytes:
    try:
        raw = request.body
    except RequestDataTooBig:
        raise PayloadTooLarge(_("The body is too large (at most %(mb)s MB). Send smaller batches.") % {
            "mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024) or 1}) from None
    if not raw.strip():
        raise formats.BodyError(_("The body is empty."))
    return raw


def _read(request: HttpRequest, shape) -> tuple[list[Any], list[int] | None]:
    """The rows of the request and, for NDJSON, the line of each."""
    raw = _body(request)
    if request.content_type in NDJSON_TYPES:
        rows, lines = formats.ndjson_rows(raw)
        if not rows:
            raise formats.BodyError(_("The body is empty."))
    else:
        rows, lines = shape(formats.parse_json(raw)), None
    if find_nul(rows) is not None:  # PostgreSQL cannot store it
        raise nul_error(None)
    limit = settings.OPENCITY_MONITORING_MAX_BATCH
    if len(rows) > limit:
        raise PayloadTooLarge(_("A batch may hold at most %(limit)s rows; this one holds %(n)s. Nothing was "
                                "stored: send it in smaller batches.") % {"limit": limit, "n": len(rows)})
    if not rows:
        raise formats.BodyError(_("The batch holds no rows."))
    return rows, lines


def _answer(result: IngestResult, rows: list[Any], lines: list[int] | None) -> HttpResponse:
    summary = result.summary()
    listed = "all" if len(rows) <= LIST_ALL_UP_TO else "rejected"
    out = []
    for row in result.rows:
        if listed == "rejected" and row.status != REJECTED:
            continue
        item = row.as_dict()
        source_row = rows[row.index]
        if isinstance(source_row, formats.Unreadable):
            item["message"] = source_row.message
        if lines is not None:
            item["line"] = lines[row.index]
        out.append(item)
    if summary["rejected"] == 0:
        status = 200
    elif summary["rejected"] == len(rows):
        status = 422
    else:
        status = 207
    body = {**summary, "listed": listed, "rows": out}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


# Accepted like on every POST of the API, and not needed: a reading is keyed by datastream and
# time, an item by its id, so a resent batch is answered "duplicate" row by row whatever the key.
IngestIdempotencyKey = Header[str | None, {
    "alias": "Idempotency-Key",
    "description": "Optional and not needed here: a resent batch creates nothing twice (its rows are answered "
                   "`duplicate`), with or without a key."}]

INGEST_RESPONSES = {200: IngestOut, 207: IngestOut, 422: IngestOut, **errors(400, 401, 413)}

NDJSON_BODY = {"application/x-ndjson": {"schema": {"type": "string", "description": "One JSON object a line."}}}


@router.post(
    "/observations",
    auth=SOURCE_KEY,
    response=INGEST_RESPONSES,
    summary="Send readings (one, a batch, SensorThings dataArray or NDJSON)",
    description=(
        "With the source's key (`X-Api-Key` or `Authorization: Bearer`). The body: one object "
        "`{\"datastream\", \"time\", \"value\", \"unit\"?, \"quality\"?}`, a batch `{\"observations\": [...]}`, "
        "SensorThings' CreateObservations `[{\"Datastream\": {\"code\": ...}, \"components\": "
        "[\"phenomenonTime\", \"result\"], \"dataArray\": [[t, v], ...]}]`, or `application/x-ndjson` (one "
        "object a line). Times are ISO 8601 (without an offset: Vietnam time). Each row is answered: a "
        "reading of the same datastream and time already stored is a `duplicate`, so a resent batch creates "
        "nothing twice. 200: no row rejected; 207: some rejected; 422: all rejected."
    ),
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": "object"}}, **NDJSON_BODY}}},
)
def observations_post(request: HttpRequest, idempotency_key: IngestIdempotencyKey = None):
    rows, lines = _read(request, formats.observation_rows)
    return _answer(observations_ingest(rows=rows, source=request.auth), rows, lines)


@router.post(
    "/items",
    auth=SOURCE_KEY,
    response=INGEST_RESPONSES,
    summary="Send items (camera violations, vessel positions, security alerts)",
    description=(
        "With the source's key. One object `{\"kind\", \"id\", \"time\", \"station\"?, \"subject\"?, \"lat\"?, "
        "\"lon\"?, \"payload\"?}`, a batch `{\"items\": [...]}`, or `application/x-ndjson`. `kind`: "
        "`camera_violation`, `vessel_position`, `security_alert`, `dam_operation`. An item whose `id` this "
        "source already sent is a `duplicate`. Statuses as for readings."
    ),
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": "object"}}, **NDJSON_BODY}}},
)
def items_post(request: HttpRequest, idempotency_key: IngestIdempotencyKey = None):
    rows, lines = _read(request, formats.item_rows)
    return _answer(items_ingest(rows=rows, source=request.auth), rows, lines)


# --- public reads --------------------------------------------------------------------------------


class LevelOut(Schema):
    code: str
    name: str
    value: float
    severity: str
    direction: str = Field(..., description="`above` or `below`.")


class DatastreamOut(Schema):
    code: str
    property: str = Field(..., description="The observed property's code: `water_level`, `rainfall`, `pm25`…")
    property_name: str = Field(..., description="In the language of `Accept-Language`.")
    unit: str
    decimals: int
    last_value: float | None
    last_time: dt.datetime | None
    levels: list[LevelOut] = Field(..., description="The threshold rules' levels (BĐ1/BĐ2/BĐ3…), lowest first.")


class WardOut(Schema):
    id: int
    name: str


class StationOut(Schema):
    code: str
    name: str
    kind: str = Field(..., description="`hydro`, `rain`, `air`, `water_quality`, `dam`, `camera`, `vessel`, "
                                       "`network` (the last three for IOC staff only).")
    kind_label: str
    river: str
    lat: float | None
    lon: float | None
    ward: WardOut | None
    datastreams: list[DatastreamOut]


def _level_out(level: dict) -> dict:
    return {k: level[k] for k in ("code", "name", "value", "severity", "direction")}


def _stream_out(stream, levels: list[dict]) -> dict:
    prop = stream.observed_property
    return {"code": stream.code, "property": prop.code, "property_name": prop.display_name(), "unit": prop.unit,
            "decimals": prop.decimals, "last_value": stream.last_value, "last_time": stream.last_time,
            "levels": [_level_out(lv) for lv in levels]}


def _station_out(station) -> dict:
    return {"code": station.code, "name": station.name, "kind": station.kind,
            "kind_label": str(station.get_kind_display()), "river": station.river, "lat": station.lat,
            "lon": station.lon, "ward": {"id": station.area_id, "name": station.area.name} if station.area else None,
            "datastreams": [_stream_out(s, s.levels) for s in station.datastream_list]}


def _cache(request: HttpRequest, response: HttpResponse) -> None:
    """Visitors' answers may be kept a minute by any cache; a signed-in person's only by theirs."""
    user = getattr(request, "user", None)
    scope = "private" if user is not None and user.is_authenticated else "public"
    response["Cache-Control"] = f"{scope}, max-age={PUBLIC_MAX_AGE}"


def _finish(request: HttpRequest, response: HttpResponse, body: Any):
    _cache(request, response)
    answer = conditional(request, response, body)
    if isinstance(answer, HttpResponse):  # 304
        answer["Cache-Control"] = response["Cache-Control"]
    return answer


@router.get(
    "/stations",
    auth=OPTIONAL_AUTH,
    response={200: list[StationOut], **NOT_MODIFIED, **errors(401)},
    summary="Stations and their latest readings",
    description=(
        "The active stations with their datastreams, last value and time, and the threshold levels of each "
        "(the flood alarm levels BĐ1/BĐ2/BĐ3 of a hydrological station). Public: visitors see the public "
        "water, rain and air stations; IOC staff and leaders also see cameras, vessels and network sensors. "
        "Cached for a minute; with a weak `ETag`."
    ),
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def station_list(request: HttpRequest, response: HttpResponse):
    body = [_station_out(s) for s in selectors.station_list(user=request.user)]
    return _finish(request, response, body)


class PointOut(Schema):
    time: dt.datetime
    value: float = Field(..., description="The reading; hourly: the mean, or the hour's total for rainfall.")
    quality: str | None = Field(None, description="Raw readings: `good`, `suspect`, `estimated`.")
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    count: int | None = Field(None, description="Hourly: how many readings the hour holds.")


class SeriesOut(Schema):
    datastream: str
    unit: str
    resolution: str = Field(..., description="`raw` (ranges up to 48 h) or `hourly`.")
    start: dt.datetime
    end: dt.datetime
    truncated: bool = Field(..., description=f"More than {selectors.MAX_POINTS} points: the most recent only.")
    levels: list[LevelOut]
    points: list[PointOut]


class SeriesQuery(Schema):
    start: str | None = Field(None, alias="from",
                              description="ISO 8601 (without an offset: Vietnam time). Default: 24 h before `to`.")
    end: str | None = Field(None, alias="to", description="ISO 8601. Default: now.")


def _query_time(raw: str | None, name: str) -> dt.datetime | None:
    if raw in (None, ""):
        return None
    text = raw.strip().replace(" ", "+") if "T" in raw else raw.strip()  # "+07:00" arrives as " 07:00"
    when = None
    if len(text) <= 40:
        try:
            when = parse_datetime(text)
            if when is None:
                day = parse_date(text)
                when = dt.datetime.combine(day, dt.time()) if day else None
            if when is not None and not 1900 <= when.year <= 2200:  # a range arithmetic cannot overflow
                when = None
        except ValueError:
            when = None
    if when is None:
        raise ValidationError(_("The time must be ISO 8601 (between 1900 and 2200), like "
                                "2026-10-28T14:00:00+07:00."), code="invalid", field=name)
    return when.replace(tzinfo=LOCAL_TZ) if timezone.is_naive(when) else when


@router.get(
    "/datastreams/{code}/observations",
    auth=OPTIONAL_AUTH,
    response={200: SeriesOut, **NOT_MODIFIED, **errors(400, 401, 404)},
    summary="A datastream's readings between two times",
    description=(
        "`from` and `to` (ISO 8601; default: the last 24 h). Up to 48 h: the readings themselves; longer: "
        "hourly roll-ups (mean, min, max). At most 5000 points, the most recent. A datastream of a station "
        "you may not see is a 404. Cached for a minute; with a weak `ETag`."
    ),
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def datastream_observations(request: HttpRequest, response: HttpResponse, code: str, q: Query[SeriesQuery]):
    end = _query_time(q.end, "to") or timezone.now()
    start = _query_time(q.start, "from") or end - dt.timedelta(hours=24)
    if start >= end:
        raise ValidationError(_("'from' must be before 'to'."), code="invalid", field="from")
    stream = selectors.datastream_get(user=request.user, code=code)
    series = selectors.datastream_series(stream, start, end)
    body = {"datastream": stream.code, "unit": stream.unit, "resolution": series.resolution,
            "start": series.start, "end": series.end, "truncated": series.truncated,
            "levels": [_level_out(lv) for lv in selectors.threshold_levels(stream)], "points": series.points}
    return _finish(request, response, body)
