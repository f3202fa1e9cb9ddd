"""``/api/v1/incidents/{id}/sitreps…``: the situation reports for the mobile client — the list, one
report (the wards the caller may see; the city's total only for whoever sees every ward) and
one ward's counter written under its version (409 with the cell as it is now)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from opencity.lib.api import ErrorOut, errors

from . import selectors_sitreps as selectors
from . import services
from .models import Counter
from .permissions import access_incident

router = Router(tags=["incidents"])


class SitrepOut(Schema):
    number: int
    as_of: dt.datetime
    signed: bool
    signed_at: dt.datetime | None
    version: int


class CellOut(Schema):
    area: int = Field(..., description="The ward's id (`/api/v1/areas`).")
    counter: str = Field(..., description="One of: " + ", ".join(Counter.values) + ".")
    value: int
    version: int = Field(..., description="Send it back with `PUT …/counts`: 409 if someone changed it since.")


class WardOut(Schema):
    id: int
    name: str
    counts: dict[str, CellOut]
    editable: bool


class SitrepDetailOut(SitrepOut):
    summary: str
    wards: list[WardOut]
    totals: dict[str, int] | None = Field(
        ..., description="The city's figures, the sum of every ward; null unless the caller sees every ward.")


class CountIn(Schema):
    area: int
    counter: str = Field(..., max_length=24)
    value: int | str = Field(..., description="A whole number, 0 or more.")
    version: int | None = Field(None, ge=0, description="The cell's version as read; omitted: last write wins.")


class StaleOut(ErrorOut):
    current: CellOut


def _brief(r) -> dict:
    return {"number": r.number, "as_of": r.as_of, "signed": r.is_signed, "signed_at": r.signed_at,
            "version": r.version}


@router.get("/{incident_id}/sitreps", response={200: list[SitrepOut], **errors(401, 403, 404)},
            summary="List an incident's situation reports (báo cáo nhanh), newest first")
def sitrep_list(request: HttpRequest, incident_id: int):
    incident = access_incident(request.user, incident_id)
    return [_brief(r) for r in selectors.sitrep_list(incident)]


@router.get("/{incident_id}/sitreps/{number}", response={200: SitrepDetailOut, **errors(401, 403, 404)},
            summary="One situation report: the counters of the wards the caller may see",
            description="A ward's command sees its ward only and no city total; the city's command, the "
                        "centre, the leaders and the hotline see every ward and `totals`, the sum of the wards.")
def sitrep_detail(request: HttpRequest, incident_id: int, number: int):
    incident = access_incident(request.user, incident_id)
    report = selectors.sitrep_get(incident, number)
    grid = selectors.sitrep_grid(report, user=request.user)
    wards = []
    for index, ward in enumerate(grid.wards):
        cells = {row.counter: row.cells[index] for row in grid.rows}
        wards.append({"id": ward.pk, "name": ward.name, "editable": any(c.editable for c in cells.values()),
                      "counts": {k: {"area": c.area_id, "counter": k, "value": c.value, "version": c.version}
                                 for k, c in cells.items()}})
    return {**_brief(report), "summary": report.summary, "wards": wards,
            "totals": grid.totals if grid.whole else None}


@router.put("/{incident_id}/sitreps/{number}/counts",
            response={200: CellOut, 409: StaleOut, **errors(400, 401, 403, 404)},
            summary="Set one ward's counter in a situation report",
            description="Send the cell's `version` as read. If someone changed it since, the answer is 409 "
                        "`stale_count` with `current`, the cell as it is now; sending the value it already "
                        "holds is a 200 (a safe retry). A signed report cannot change (409 `sitrep_signed`). "
                        "A negative or non-whole number is a 400 naming `value`.")
def sitrep_count(request: HttpRequest, incident_id: int, number: int, payload: CountIn):
    incident = access_incident(request.user, incident_id)
    report = selectors.sitrep_get(incident, number)
    try:
        count = services.sitrep_set_count(actor=request.user, report_id=report.pk, area_id=payload.area,
                                          counter=payload.counter, value=payload.value,
                                          expected_version=payload.version)
    except services.StaleCount as exc:
        c = exc.count
        return Status(409, {"error": {"code": exc.code, "message": exc.message, "field": None},
                     "current": {"area": c.area_id, "counter": c.counter, "value": c.value, "version": c.version}})
    return {"area": count.area_id, "counter": count.counter, "value": count.value, "version": count.version}

