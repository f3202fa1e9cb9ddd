"""Monitoring (``opencity.monitoring``): who sees the sensors' events and who acts on them.

- IOC operators and administrators see every monitoring event, acknowledge and resolve them, and
  turn them into a warning draft, a field report or a link to an incident; they also see every
  station, public or not (cameras, vessels, network sensors).
- City leaders read every event; a ward/commune official reads the events of the ward's stations.
- Everyone, signed in or not, reads the public stations' readings (water levels, rain, air
  quality): never a camera's, a vessel's or a network sensor's, and never an event.
- A data source writes only to its own stations (its key; ``monitoring.services.ingest``).
"""

from __future__ import annotations

from django.db.models import Q

from .core import IOC_ROLES, Role, role_of

MONITORING_READ_ROLES = IOC_ROLES | {Role.LEADER}


def can_view_monitoring(user) -> bool:
    """The events list and the station map of the console."""
    role = role_of(user)
    return role in MONITORING_READ_ROLES or (role == Role.WARD_OFFICIAL and user.home_area_id is not None)


def can_act_on_monitoring_event(user, event=None) -> bool:
    return role_of(user) in IOC_ROLES


def can_view_private_stations(user) -> bool:
    return role_of(user) in MONITORING_READ_ROLES


def monitoring_event_scope_q(user) -> Q:
    """The events ``user`` may read (nothing for people without the right)."""
    role = role_of(user)
    if role in MONITORING_READ_ROLES:
        return Q()
    if role == Role.WARD_OFFICIAL and user.home_area_id is not None:
        return Q(area_id=user.home_area_id)
    return Q(pk__in=[])


def can_view_monitoring_event(user, event) -> bool:
    role = role_of(user)
    if role in MONITORING_READ_ROLES:
        return True
    return role == Role.WARD_OFFICIAL and user.home_area_id is not None and event.area_id == user.home_area_id


def station_scope_q(user) -> Q:
    """The stations whose readings ``user`` may read."""
    if can_view_private_stations(user):
        return Q()
    return Q(is_public=True) & ~Q(kind__in=("camera", "vessel", "network"))
