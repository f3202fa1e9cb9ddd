"""One-stop dossiers (``opencity.dossiers``): who sees the figures and lists, who imports.

- City leaders, IOC operators and administrators see every dossier's figures and lists.
- A unit officer (any member of a unit) sees the dossiers their units handle; a ward/commune
  official sees those of the ward (received for it, or handled by its units).
- IOC operators and administrators import the one-stop system's CSV exports.
- Anyone, signed in or not, looks up one dossier by its code and the last four digits of the
  applicant's phone; a signed-in person who did may follow it. No page shows an applicant's
  name or phone number (the lookup proves the person knows them, it never tells them).
"""

from __future__ import annotations

from django.db.models import Q

from .core import IOC_ROLES, Role, _authenticated, role_of, unit_ids

DOSSIER_CITY_ROLES = IOC_ROLES | {Role.LEADER}


def dossier_scope_q(user) -> Q:
    """The dossiers ``user`` may count and list (nothing for people without the right)."""
    role = role_of(user)
    if role in DOSSIER_CITY_ROLES:
        return Q()
    units = unit_ids(user) if role in (Role.OFFICER, Role.WARD_OFFICIAL) else frozenset()
    q = Q(unit_id__in=list(units)) if units else Q(pk__in=[])
    if role == Role.WARD_OFFICIAL and user.home_area_id is not None:
        q |= Q(area_id=user.home_area_id)
    return q


def can_view_dossier_figures(user) -> bool:
    role = role_of(user)
    if role in DOSSIER_CITY_ROLES:
        return True
    if role == Role.WARD_OFFICIAL and user.home_area_id is not None:
        return True
    return role in (Role.OFFICER, Role.WARD_OFFICIAL) and bool(unit_ids(user))


def sees_all_dossiers(user) -> bool:
    return role_of(user) in DOSSIER_CITY_ROLES


def can_import_dossiers(user) -> bool:
    return role_of(user) in IOC_ROLES


def can_follow_dossier(user) -> bool:
    return _authenticated(user)
