"""API: the city's wards/communes, and which one a point or an address is in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from opencity.errors import NotFoundError, ValidationError
from opencity.lib.api import NOT_MODIFIED, OPTIONAL_AUTH, OPTIONAL_AUTH_OPENAPI, conditional, errors

from . import selectors

router = Router(tags=["areas"], auth=OPTIONAL_AUTH)


class AreaOut(Schema):
    id: int
    code: str = Field(..., description="The official administrative code.")
    name: str
    kind: str = Field(..., description="`ward`, `commune` or `special` (special zone).")
    lat: float | None = Field(..., description="A point inside the area, for centring a map.")
    lon: float | None


class LookupQuery(Schema):
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    address: str | None = Field(
        None,
        max_length=255,
        description="A typed address; pre-2025 ward names are understood (they map to today's ward).",
    )


def _area_out(area) -> dict:
    return {
        "id": area.pk,
        "code": area.code,
        "name": area.name,
        "kind": area.kind,
        "lat": area.lat,
        "lon": area.lon,
    }


@router.get(
    "",
    response={200: list[AreaOut], **NOT_MODIFIED},
    summary="The city's wards and communes",
    description="With a weak `ETag`: send it back as `If-None-Match` for a 304 while unchanged.",
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def area_list(request: HttpRequest, response: HttpResponse):
    body = [
        _area_out(a) for a in selectors.wards().only("id", "code", "name", "kind", "lat", "lon")
    ]
    return conditional(request, response, body)


@router.get(
    "/lookup",
    response={200: AreaOut, **errors(400, 401, 404, 422)},
    summary="Find the ward of a point or of an address",
    description=(
        "Give `lat` and `lon`, or `address` (a point wins when both are given). A point outside "
        "the city is a 404 with code `outside_city`; an address that cannot be placed, a 404 with "
        "code `address_not_found`."
    ),
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def area_lookup(request: HttpRequest, q: Query[LookupQuery]):
    if q.lat is not None or q.lon is not None:
        if q.lat is None or q.lon is None:
            raise ValidationError(
                _("Give both lat and lon."), field="lon" if q.lon is None else "lat"
            )
        area = selectors.area_for_point(q.lat, q.lon)
        if area is None:
            raise NotFoundError(
                _("This place is outside the city."), code="outside_city", field="location"
            )
        return _area_out(area)
    if q.address and q.address.strip():
        area = selectors.area_for_address(q.address)
        if area is None:
            raise NotFoundError(
                _("We could not place this address. Put a pin on the map."),
                code="address_not_found",
                field="address",
            )
        return _area_out(area)
    raise ValidationError(
        _("Give a position (lat and lon) or an address."), field="location", code="required"
    )
