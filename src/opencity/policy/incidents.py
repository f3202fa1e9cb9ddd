"""Command support (``opencity.incidents``): who opens an incident, who commands which part.

- IOC operators, administrators and city leaders open incidents and command any of them at city
  level; so do the people a roster names at city level (an entry without a ward).
- A ward's command (a roster entry with a ward) sees and edits its ward's part only: the
  incident's summary, and the tasks, teams, shelters and situation counters of its ward.
- A ward official whose ward the incident affects reads that ward's part.
- Situation reports are signed off by the commander: a city-level roster entry as commander,
  or a city leader.
- A shelter's managers register households there; so do the city's command and the shelter's
  ward command. Anyone, signed in or not, sees which shelters are open and how full they are —
  never who is in them.
"""

from __future__ import annotations

from .core import IOC_ROLES, Role, _authenticated, role_of

CITY_COMMAND_ROLES = IOC_ROLES | {Role.LEADER}
# read every incident, city-wide: the centre, the leaders, the hotline (it links its calls)
INCIDENT_READ_ROLES = CITY_COMMAND_ROLES | {Role.HOTLINE}


def can_open_incident(user) -> bool:
    return role_of(user) in CITY_COMMAND_ROLES


def _entries(user, incident) -> list[tuple[int | None, str]]:
    """The user's roster entries on the incident, (ward id or None, position), read once per
    user and incident object."""
    if not _authenticated(user) or incident is None or incident.pk is None:
        return []
    cache = incident.__dict__.setdefault("_roster_of", {})
    if user.pk not in cache:
        cache[user.pk] = list(incident.roster.filter(user_id=user.pk).values_list("area_id", "position"))
    return cache[user.pk]


def commands_city(user, incident) -> bool:
    """Commands the whole incident (and so every ward's part)."""
    return role_of(user) in CITY_COMMAND_ROLES or any(area is None for area, _p in _entries(user, incident))


def commanded_ward_ids(user, incident) -> frozenset[int]:
    """The wards whose part the user commands through the roster (not counting city level)."""
    return frozenset(area for area, _p in _entries(user, incident) if area is not None)


def _affected_home_ward(user, incident) -> frozenset[int]:
    if role_of(user) != Role.WARD_OFFICIAL or not user.home_area_id:
        return frozenset()
    return frozenset({user.home_area_id}) if incident.areas.filter(pk=user.home_area_id).exists() else frozenset()


def visible_ward_ids(user, incident) -> frozenset[int] | None:
    """The wards whose part the user sees: None for all of them (city level, city-wide
    readers), else their commanded wards and, for a ward official, their ward if affected."""
    if role_of(user) in INCIDENT_READ_ROLES or commands_city(user, incident):
        return None
    return commanded_ward_ids(user, incident) | _affected_home_ward(user, incident)


def can_view_incident(user, incident) -> bool:
    wards = visible_ward_ids(user, incident)
    return _authenticated(user) and (wards is None or bool(wards))


def can_list_incidents(user) -> bool:
    """The incidents page: staff who may command or read some incident."""
    return role_of(user) in INCIDENT_READ_ROLES | {Role.WARD_OFFICIAL, Role.OFFICER}


def can_command_incident(user, incident) -> bool:
    """Change the incident itself: status, details, links, roster, periods."""
    return commands_city(user, incident)


def can_edit_ward_part(user, incident, area_id: int | None) -> bool:
    """Tasks, teams, shelters and counters of one ward (``None``: city level, no ward)."""
    if commands_city(user, incident):
        return True
    return area_id is not None and area_id in commanded_ward_ids(user, incident)


def can_edit_any_ward(user, incident) -> bool:
    return commands_city(user, incident) or bool(commanded_ward_ids(user, incident))


def can_sign_sitrep(user, incident) -> bool:
    if role_of(user) == Role.LEADER:
        return True
    return any(area is None and position == "commander" for area, position in _entries(user, incident))


def can_manage_shelter(user, shelter) -> bool:
    if not _authenticated(user):
        return False
    if role_of(user) in CITY_COMMAND_ROLES or shelter.managers.filter(pk=user.pk).exists():
        return True
    return shelter.incident_id is not None and can_edit_ward_part(user, shelter.incident, shelter.area_id)


def incident_command_audience(incident):
    """Who is told what happens in an incident: everyone on its roster."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(incident_roles__incident=incident, is_active=True).distinct()


def incident_scope_q(user):
    """The incidents this person may open, as a filter: None for all of them (the centre,
    leaders, the hotline); else those naming them on the roster or affecting their ward."""
    from django.db.models import Q

    if role_of(user) in INCIDENT_READ_ROLES:
        return None
    if not _authenticated(user):
        return Q(pk__in=[])
    mine = Q(roster__user=user)
    if role_of(user) == Role.WARD_OFFICIAL and user.home_area_id:
        mine |= Q(areas__id=user.home_area_id)
    return mine


def command_candidate_q():
    """Who may be put on an incident's command: active staff."""
    from django.db.models import Q

    return Q(is_active=True) & ~Q(role=Role.CITIZEN)


def can_read_city_sitrep(user, incident) -> bool:
    """The whole situation report — every ward, the city's total — and its exports (PDF, XLSX)
    and the incident briefing: whoever sees every ward's part of the incident."""
    return _authenticated(user) and visible_ward_ids(user, incident) is None
