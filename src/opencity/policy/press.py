"""Press and social monitoring (``opencity.press``): who reads the items and who acts on them.

- IOC operators and administrators read every item, dismiss it, mark it answered, turn it into
  a field report, publish the city's response, and import social listening exports.
- City leaders read every item and the figures; they do not act.
- Everyone, signed in or not, reads the city's published responses (the public page).
"""

from __future__ import annotations

from .core import IOC_ROLES, Role, role_of

PRESS_READ_ROLES = IOC_ROLES | {Role.LEADER}


def can_view_press(user) -> bool:
    return role_of(user) in PRESS_READ_ROLES


def can_act_on_press(user) -> bool:
    return role_of(user) in IOC_ROLES
