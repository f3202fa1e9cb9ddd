"""One's own profile (opencity.accounts)."""

from __future__ import annotations

from .core import (
    Role,
    _authenticated,
    role_of,
)

# --- One's own profile (opencity.accounts) -----------------------------------------------
# Everyone signed in edits their own name, e-mail, language and shared location. The home
# ward is also a ward/commune official's jurisdiction (see above), so only an administrator
# sets theirs; everyone else chooses it.


def can_edit_profile(user) -> bool:
    return _authenticated(user)


def can_change_home_area(user) -> bool:
    return can_edit_profile(user) and role_of(user) != Role.WARD_OFFICIAL
