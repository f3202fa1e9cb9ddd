"""Warnings (opencity.alerts)."""

from __future__ import annotations

from .core import (
    Role,
    is_ioc,
    is_staff,
    role_of,
)

# --- Warnings (opencity.alerts) ----------------------------------------------------------
# IOC operators and administrators issue warnings city-wide; staff who are members of an active
# unit allowed to warn (``Unit.can_issue_warnings``: hydrometeorology, dam operators) issue them
# in their unit's name and manage their unit's warnings. Leaders also see delivery figures.


def warning_unit_ids(user) -> frozenset[int]:
    """Active units allowed to warn that the (staff) user belongs to."""
    if not is_staff(user):
        return frozenset()
    cached = getattr(user, "_oc_warning_unit_ids", None)
    if cached is None:
        from opencity.orgs.models import Membership

        cached = frozenset(Membership.objects.filter(
            user=user, unit__is_active=True, unit__can_issue_warnings=True).values_list("unit_id", flat=True))
        user._oc_warning_unit_ids = cached
    return cached


def can_issue_warnings(user) -> bool:
    return is_ioc(user) or bool(warning_unit_ids(user))


def can_manage_warning(user, alert) -> bool:
    """Update or cancel a warning, and see its delivery figures."""
    if is_ioc(user):
        return True
    return alert.unit_id is not None and alert.unit_id in warning_unit_ids(user)


def can_view_warning_stats(user, alert) -> bool:
    return role_of(user) == Role.LEADER or can_manage_warning(user, alert)
