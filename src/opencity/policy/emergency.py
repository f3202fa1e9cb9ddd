"""Rescue requests (opencity.emergency), with and without an account."""

from __future__ import annotations

from .core import (
    CITY_WIDE_READ_ROLES,
    Role,
    _authenticated,
    is_ioc,
    role_of,
)

# --- Rescue requests (opencity.emergency) ------------------------------------------------
# IOC operators and administrators dispatch; leaders watch the board read-only; hotline and
# IOC operators file requests for callers; a team member acts on requests assigned to their
# team. The requester's name and phone are seen by the requester and staff in scope only.


def can_dispatch_rescue(user) -> bool:
    return is_ioc(user)


def can_view_dispatch_board(user) -> bool:
    return role_of(user) in (Role.OPERATOR, Role.ADMIN, Role.LEADER)


def is_rescue_team_member(user) -> bool:
    return _authenticated(user) and user.rescue_teams.exists()


def can_act_as_team(user, req) -> bool:
    return bool(_authenticated(user) and req.assigned_team_id is not None
                and req.assigned_team.members.filter(pk=user.pk).exists())


def can_view_rescue(user, req) -> bool:
    """The whole request, with the requester's name and phone."""
    if not _authenticated(user):
        return False
    if req.requester_id == user.pk or req.filed_by_id == user.pk:
        return True
    return role_of(user) in CITY_WIDE_READ_ROLES or can_act_as_team(user, req)




# --- Rescue requests without an account (issue #14) ---------------------------------------
# A visitor's request (phone proven by an SMS code, or a call-back request) is followed from an
# unguessable link kept in the visitor's session: whoever holds the link sees the status page
# and may add details or cancel. The visitor's phone stays staff-only, like a reporter's
# (``can_view_rescue``): the link's page shows it masked.


def can_follow_rescue_by_link(req) -> bool:
    return req.origin in ("visitor", "callback") and bool(req.access_hash)


def can_add_rescue_details(user, req) -> bool:
    """The requester adds details to their own open request (a visitor: through the link)."""
    return bool(_authenticated(user) and req.requester_id == user.pk and req.is_open)
