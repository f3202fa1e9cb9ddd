"""The hotline (opencity.hotline)."""

from __future__ import annotations

from .core import (
    HOTLINE_ROLES,
    Role,
    role_of,
)

# --- Hotline (opencity.hotline) -----------------------------------------------------------
# Hotline operators, IOC operators and administrators use the console: log and take calls, see
# a caller's history (their number, name, earlier calls, reports and rescue requests), file for
# callers, call back. City leaders read the call counts only, never numbers or names.


def can_use_hotline(user) -> bool:
    return role_of(user) in HOTLINE_ROLES


def can_view_hotline_counts(user) -> bool:
    return can_use_hotline(user) or role_of(user) == Role.LEADER
