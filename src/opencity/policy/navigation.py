"""What the navigation offers a person: each entry is the rule of the page it opens."""

from __future__ import annotations

from .alerts import can_issue_warnings
from .core import _authenticated, is_staff
from .dossiers import can_view_dossier_figures
from .emergency import can_view_dispatch_board
from .hotline import can_use_hotline
from .incidents import can_list_incidents
from .ioc import can_view_console
from .monitoring import can_view_monitoring
from .press import can_view_press
from .privacy import can_handle_privacy
from .reports import can_file_for_caller, can_use_triage, can_use_unit_inbox


def navigation(user) -> dict[str, bool]:
    return {
        "triage": can_use_triage(user),
        "inbox": can_use_unit_inbox(user),
        "admin": bool(_authenticated(user) and user.is_staff),
        "staff": is_staff(user),
        "caller": can_file_for_caller(user),
        "warnings_compose": can_issue_warnings(user),
        "dispatch": can_view_dispatch_board(user),
        "console": can_view_console(user),
        "hotline": can_use_hotline(user),
        "incidents": can_list_incidents(user),
        "monitoring": can_view_monitoring(user),
        "press": can_view_press(user),
        "privacy": can_handle_privacy(user),
        "dossiers": can_view_dossier_figures(user),
    }
