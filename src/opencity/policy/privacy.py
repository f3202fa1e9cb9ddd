"""The privacy centre (opencity.privacy): who handles the data subjects' requests, the breach
register and the record of processing.

Every signed-in person sees and exports only their own data and requests. The privacy officer is
an administrator, or a staff member given the permission ``privacy.handle_privacy`` (directly or
through a group, in the admin): the role decides that they are staff, the permission that they
are the city's privacy officer. A citizen holding the permission by mistake is still refused."""

from __future__ import annotations

from .core import Role, is_staff, role_of

PRIVACY_PERMISSION = "privacy.handle_privacy"


def can_handle_privacy(user) -> bool:
    if role_of(user) == Role.ADMIN:
        return True
    return is_staff(user) and user.has_perm(PRIVACY_PERMISSION)


def can_use_privacy_centre(user) -> bool:
    """A person's own pages (/privacy/): any active signed-in account."""
    return role_of(user) is not None
