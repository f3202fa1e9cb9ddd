"""The role facts every rule stands on: who is signed in, their role, their units; and the
audiences — who is told about what (IOC operators, leaders, a unit's heads, a ward's officials)."""

from __future__ import annotations

from opencity.roles import Role

IOC_ROLES = {Role.OPERATOR, Role.ADMIN}
CITY_WIDE_READ_ROLES = {Role.OPERATOR, Role.ADMIN, Role.LEADER, Role.HOTLINE}
STAFF_ROLES = {r for r in Role if r != Role.CITIZEN}

def _authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def role_of(user) -> str | None:
    return user.role if _authenticated(user) else None


def is_ioc(user) -> bool:
    return role_of(user) in IOC_ROLES


def is_staff(user) -> bool:
    return role_of(user) in STAFF_ROLES


def unit_ids(user) -> frozenset[int]:
    """Units the user is a member of (cached on the user object for the request)."""
    if not _authenticated(user):
        return frozenset()
    cached = getattr(user, "_oc_unit_ids", None)
    if cached is None:
        from opencity.orgs.models import Membership

        rows = list(Membership.objects.filter(user=user, unit__is_active=True).values_list("unit_id", "is_head"))
        cached = (frozenset(u for u, _h in rows), frozenset(u for u, h in rows if h))
        user._oc_unit_ids = cached
    return cached[0]


def head_unit_ids(user) -> frozenset[int]:
    unit_ids(user)
    return user._oc_unit_ids[1] if _authenticated(user) else frozenset()


# --- Audiences: who is told about what -----------------------------------------------------
# Querysets of active users, for notifications and escalations; the roles stay in this package.


def _people():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True)


def citizens():
    """The city's people with a citizen account (news the city announces: ``catalog``)."""
    return _people().filter(role=Role.CITIZEN)


def ioc_operators():
    """The control room: IOC operators (administrators run the system, not the shifts)."""
    return _people().filter(role=Role.OPERATOR)


def leaders():
    """City leaders."""
    return _people().filter(role=Role.LEADER)


def ioc_operators_and_leaders():
    return _people().filter(role__in=(Role.OPERATOR, Role.LEADER))


def unit_members(unit_id: int):
    return _people().filter(memberships__unit_id=unit_id).distinct()


def unit_heads(unit_id: int):
    """The heads of a unit (they approve results and extensions)."""
    return _people().filter(memberships__unit_id=unit_id, memberships__is_head=True).distinct()


def ward_officials(area_id: int):
    """The officials of a ward or commune (their home ward is their jurisdiction)."""
    return _people().filter(role=Role.WARD_OFFICIAL, home_area_id=area_id)


HOTLINE_ROLES = (Role.HOTLINE, Role.OPERATOR, Role.ADMIN)


def hotline_operators():
    """Who answers the hotline's calls: hotline operators, IOC operators, administrators."""
    return _people().filter(role__in=HOTLINE_ROLES)


def hotline_operator_q(prefix: str = ""):
    """The same as a filter on a related user (``prefix``: e.g. ``"user__"``)."""
    from django.db.models import Q

    return Q(**{f"{prefix}role__in": HOTLINE_ROLES, f"{prefix}is_active": True})
