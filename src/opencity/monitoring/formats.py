"""The shapes a batch of readings or items may come in, turned into the plain rows that
``services.observations_ingest`` / ``items_ingest`` take. Pure functions, no database.

Readings (``observation_rows``):

- one object ``{"datastream", "time", "value", "unit"?, "quality"?}``;
- a batch ``{"observations": [object, …]}`` (or a bare JSON array of objects);
- SensorThings' CreateObservations: ``[{"Datastream": {"code": …} | {"@iot.id": …},
  "components": ["phenomenonTime", "result", ("resultQuality")], "dataArray": [[t, v], …]}, …]``.

Items (``item_rows``): one object ``{"kind", "id", "time", …}``, ``{"items": [...]}`` or an array.

Both: NDJSON (``ndjson_rows``), one JSON value per line; blank lines are skipped.

A row that cannot be read (an NDJSON line that is not JSON, a ``dataArray`` entry of the wrong
length) stays in its place as a :class:`Unreadable` marker: ingest answers it ``malformed`` and
the caller may replace the message with the marker's, which says which line and why. A body
whose *envelope* cannot be read (not JSON at all, an object of no known shape, ``components``
without ``result``) is a :class:`BodyError` (400): nothing in it is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from opencity.errors import ValidationError

QUALITY_ALIASES = {"good": "good", "suspect": "suspect", "estimated": "estimated", "ok": "good"}


class BodyError(ValidationError):
    """The body as a whole cannot be read: 400, nothing stored."""

    code = "bad_body"


@dataclass(frozen=True)
class Unreadable:
    """A row that could not be read, where it stood: ``message`` says why (and which line)."""

    message: str
    line: int | None = None


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BodyError(_("The body must be UTF-8 text.")) from None
    except ValueError as exc:
        raise BodyError(_("The body is not valid JSON (%(error)s).") % {"error": str(exc)[:120]}) from None


def ndjson_rows(raw: bytes) -> tuple[list[Any], list[int]]:
    """The values of an NDJSON body and the line (from 1) each came from. A line that is not
    JSON becomes an :class:`Unreadable`; the other lines stand."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(_("The body must be UTF-8 text.")) from None
    rows: list[Any] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as exc:
            rows.append(Unreadable(_("Line %(line)s is not valid JSON (%(error)s).") % {
                "line": number, "error": str(exc)[:120]}, line=number))
        lines.append(number)
    return rows, lines


def _shape_error() -> BodyError:
    return BodyError(_('Send one observation {"datastream", "time", "value"}, a batch {"observations": [...]}, '
                       'or SensorThings\' [{"Datastream", "components", "dataArray"}].'))


def observation_rows(data: Any) -> list[Any]:
    """The reading rows of a parsed JSON body (see the module's docstring), or BodyError."""
    if isinstance(data, dict):
        if "observations" in data:
            if not isinstance(data["observations"], list):
                raise BodyError(_('"observations" must be a list.'), field="observations")
            return data["observations"]
        if "dataArray" in data:
            return _data_array([data])
        if "datastream" in data:
            return [data]
        raise _shape_error()
    if isinstance(data, list):
        if any(isinstance(g, dict) and "dataArray" in g for g in data):
            return _data_array(data)
        return data
    raise _shape_error()


def _stream_code(group: dict) -> str:
    stream = group.get("Datastream")
    code = None
    if isinstance(stream, dict):
        code = stream.get("code", stream.get("@iot.id"))
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not code:
        raise BodyError(_('Each dataArray group needs "Datastream": {"code": ...} or {"@iot.id": ...}.'),
                        field="Datastream")
    return code


def _data_array(groups: list[Any]) -> list[Any]:
    """SensorThings' CreateObservations groups → rows, in order."""
    rows: list[Any] = []
    for group in groups:
        if not isinstance(group, dict) or "dataArray" not in group:
            raise BodyError(_("When one element of the array is a dataArray group, every element must be one."))
        code = _stream_code(group)
        components = group.get("components")
        if (not isinstance(components, list) or not all(isinstance(c, str) for c in components)
                or "phenomenonTime" not in components or "result" not in components):
            raise BodyError(_('"components" must list "phenomenonTime" and "result" (and may list '
                              '"resultQuality").'), field="components")
        entries = group["dataArray"]
        if not isinstance(entries, list):
            raise BodyError(_('"dataArray" must be a list of rows.'), field="dataArray")
        at_time, at_result = components.index("phenomenonTime"), components.index("result")
        at_quality = components.index("resultQuality") if "resultQuality" in components else None
        for entry in entries:
            if not isinstance(entry, list) or len(entry) != len(components):
                rows.append(Unreadable(_("This dataArray row must hold %(n)s values, like its components.") % {
                    "n": len(components)}))
                continue
            row = {"datastream": code, "time": entry[at_time], "value": entry[at_result]}
            if at_quality is not None and entry[at_quality] not in (None, ""):
                quality = entry[at_quality]
                row["quality"] = QUALITY_ALIASES.get(quality.lower(), quality) if isinstance(quality, str) else quality
            rows.append(row)
    return rows


def item_rows(data: Any) -> list[Any]:
    """The item rows of a parsed JSON body, or BodyError."""
    if isinstance(data, dict):
        if "items" in data:
            if not isinstance(data["items"], list):
                raise BodyError(_('"items" must be a list.'), field="items")
            return data["items"]
        if "kind" in data or "id" in data:
            return [data]
        raise BodyError(_('Send one item {"kind", "id", "time", ...}, or a batch {"items": [...]}.'))
    if isinstance(data, list):
        return data
    raise BodyError(_('Send one item {"kind", "id", "time", ...}, or a batch {"items": [...]}.'))
