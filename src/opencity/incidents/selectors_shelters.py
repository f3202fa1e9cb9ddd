"""Reads of the shelters: the public list of open shelters (counts only, never who is there),
an incident's shelters for its command, and a shelter's households for its managers.

Each shelter read here carries its figures of the moment as attributes: ``occupancy`` (people
checked in and not out), ``capacity`` (the night capacity from 18:00 to 06:00, else the day
one), ``free`` (never below zero), ``percent`` (0–100, for the bar) and ``night``."""

from __future__ import annotations

import datetime as dt

from django.db.models import IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from opencity import policy
from opencity.errors import NotFoundError
from opencity.geo.selectors import wards
from opencity.lib.params import parse_id

from .models import Shelter, ShelterStay
from .services.shelters import capacity_at, is_night

PRESENT = Q(stays__checked_out_at__isnull=True)


def with_occupancy(qs):
    return qs.annotate(occupancy=Coalesce(Sum("stays__people", filter=PRESENT), Value(0),
                                          output_field=IntegerField()))


def with_figures(shelters, at: dt.datetime | None = None) -> list[Shelter]:
    """The shelters (annotated with ``occupancy``) with their figures of the moment."""
    night = is_night(at)
    rows = []
    for s in shelters:
        s.night = night
        s.capacity = capacity_at(s, at)
        s.free = max(s.capacity - s.occupancy, 0)
        s.percent = min(100, round(100 * s.occupancy / s.capacity)) if s.capacity else 100
        s.over = s.occupancy > s.capacity
        rows.append(s)
    return rows


def public_shelters():
    """Open shelters the public may see: not those opened for an exercise (a drill must never
    send people to a place), by ward then name."""
    return with_occupancy(
        Shelter.objects.filter(is_open=True, incident__isnull=False, incident__is_exercise=False)
        .select_related("area").only("id", "name", "kind", "address", "lat", "lon", "capacity_day",
                                     "capacity_night", "phone", "updated_at", "area__id", "area__name")
    ).order_by("area__name", "name")


def _by_ward(shelters) -> list[Shelter]:
    """In the city's order of wards (Vietnamese alphabetical: "Đ" after "D"), then by name."""
    order = {pk: i for i, pk in enumerate(wards().values_list("pk", flat=True))}
    return sorted(shelters, key=lambda s: (order.get(s.area_id, len(order)), s.name))


def open_shelter_list(at: dt.datetime | None = None) -> list[Shelter]:
    return with_figures(_by_ward(public_shelters()), at)


def open_shelter_get(shelter_id: int, at: dt.datetime | None = None) -> Shelter:
    pk = parse_id(shelter_id)
    shelter = public_shelters().filter(pk=pk).first() if pk is not None else None
    if shelter is None:
        raise NotFoundError()
    return with_figures([shelter], at)[0]


def incident_shelters(incident, *, user) -> list[Shelter]:
    """The shelters opened for the incident and still open, in the wards the user sees."""
    visible = policy.visible_ward_ids(user, incident)
    qs = Shelter.objects.filter(incident=incident, is_open=True).select_related("area")
    if visible is not None:
        qs = qs.filter(area_id__in=visible)
    return with_figures(_by_ward(with_occupancy(qs)))


def shelters_to_open(incident, *, user) -> list[Shelter]:
    """The standing list in the incident's wards the user may open: not open for anything."""
    qs = Shelter.objects.filter(area__in=incident.areas.all(), is_open=False).select_related("area")
    return [s for s in _by_ward(qs) if policy.can_edit_ward_part(user, incident, s.area_id)]


def shelter_for_incident(incident, shelter_id) -> Shelter:
    """The shelter opened (now or before) for this incident, with its figures, or 404."""
    pk = parse_id(shelter_id)
    if pk is None:
        raise NotFoundError()
    shelter = with_occupancy(Shelter.objects.filter(pk=pk, incident=incident).select_related("area")).first()
    if shelter is None:
        raise NotFoundError()
    return with_figures([shelter])[0]


def stays_present(shelter):
    return (ShelterStay.objects.filter(shelter=shelter, checked_out_at__isnull=True)
            .select_related("from_area", "registered_by").order_by("-checked_in_at", "-id"))


def stays_left(shelter, limit: int = 50):
    return (ShelterStay.objects.filter(shelter=shelter, checked_out_at__isnull=False)
            .select_related("from_area").order_by("-checked_out_at", "-id")[:limit])
