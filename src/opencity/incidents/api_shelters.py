"""``/api/v1/shelters/``: the open shelters, public (no sign-in), with the same fields as the
public page — counts only, never who is in a shelter."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from opencity.lib.api import NOT_MODIFIED, OPTIONAL_AUTH_OPENAPI, conditional, errors

from . import selectors_shelters as selectors

router = Router(auth=None)


class WardOut(Schema):
    id: int
    name: str


class ShelterOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="`cultural_house`, `school`, `high_house` (three-storey house), `office`, "
                                       "`other`.")
    kind_label: str = Field(..., description="The kind, in the language of `Accept-Language`.")
    ward: WardOut
    address: str
    lat: float
    lon: float
    phone: str = Field(..., description="The shelter's public number (E.164 as entered, may be empty).")
    capacity: int = Field(..., description="Places now: the night capacity from 18:00 to 06:00 (Asia/Ho_Chi_Minh), "
                                           "else the day capacity.")
    capacity_day: int
    capacity_night: int
    night: bool = Field(..., description="Whether the night capacity applies now.")
    occupancy: int = Field(..., description="People checked in and not checked out.")
    free: int = Field(..., description="Places left now (never below 0).")
    updated_at: dt.datetime


def _out(s) -> dict:
    return {"id": s.pk, "name": s.name, "kind": s.kind, "kind_label": str(s.get_kind_display()),
            "ward": {"id": s.area_id, "name": s.area.name}, "address": s.address, "lat": s.lat, "lon": s.lon,
            "phone": s.phone, "capacity": s.capacity, "capacity_day": s.capacity_day,
            "capacity_night": s.capacity_night, "night": s.night, "occupancy": s.occupancy, "free": s.free,
            "updated_at": s.updated_at}


@router.get(
    "/",
    response={200: list[ShelterOut], **NOT_MODIFIED},
    summary="Open shelters",
    description=(
        "The evacuation points (điểm sơ tán) open now, by ward: capacity of the moment, people there, places "
        "left, the shelter's phone and position. Public: no authentication. Shelters opened for an exercise "
        "are not listed. Never a household's name or phone. With a weak `ETag`: send it back as "
        "`If-None-Match` for a 304 while unchanged."
    ),
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def shelter_list(request: HttpRequest, response: HttpResponse):
    return conditional(request, response, [_out(s) for s in selectors.open_shelter_list()])


@router.get(
    "/{int:shelter_id}",
    response={200: ShelterOut, **NOT_MODIFIED, **errors(404)},
    summary="One open shelter",
    description=(
        "The same fields as in the list. A shelter that does not exist, is closed or is open for an exercise "
        "is a 404. Public: no authentication."
    ),
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def shelter_get(request: HttpRequest, response: HttpResponse, shelter_id: int):
    return conditional(request, response, _out(selectors.open_shelter_get(shelter_id)))
