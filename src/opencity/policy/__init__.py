"""Who may see and do what: the one place where roles meet actions.

Each app's ``permissions.py`` calls :func:`can` and :func:`report_scope`; views and services
never test roles themselves. The rules, in words:

- IOC operators and administrators verify, route, merge, reject, correct, moderate and decide
  disputes and extensions, city-wide.
- Unit officers act on reports assigned to their units; a unit head also approves extensions
  and results. A ward/commune official acts like an officer of every ward-level unit of the
  ward and sees every report located in the ward.
- City leaders and hotline operators see everything (leaders read; hotline files on behalf of
  callers); they do not process reports.
- The reporter rates, disputes and answers questions on their own report; any signed-in person
  may follow a report or say "me too".
- Private reports, reporters' names and phone numbers are visible only to the reporter and to
  staff whose scope covers the report; so are the original text of a moderated report and the
  answers to the category's questions that are not marked public.
- A report rejected as spam is visible only to its reporter and staff in scope, whoever follows it.

The rules are a package, one module per capability (``policy/reports.py``, ``alerts.py``,
``emergency.py``, ``incidents.py``, ``monitoring.py``, ``dossiers.py``, ``press.py``, ``ioc.py``, ``hotline.py``, ``accounts.py``, ``privacy.py``), on the role facts and audiences
of ``core.py``; everything is re-exported here, so callers write ``policy.can_view_report``.
No role is tested outside this package (``tests/test_policy_boundary.py`` walks the source).
"""

from __future__ import annotations

from opencity.roles import Role

from .accounts import (
    can_change_home_area,
    can_edit_profile,
)
from .alerts import (
    can_issue_warnings,
    can_manage_warning,
    can_view_warning_stats,
    warning_unit_ids,
)
from .core import (
    CITY_WIDE_READ_ROLES,
    HOTLINE_ROLES,
    IOC_ROLES,
    STAFF_ROLES,
    citizens,
    head_unit_ids,
    hotline_operator_q,
    hotline_operators,
    ioc_operators,
    ioc_operators_and_leaders,
    is_ioc,
    is_staff,
    leaders,
    role_of,
    unit_heads,
    unit_ids,
    unit_members,
    ward_officials,
)
from .dossiers import (
    can_follow_dossier,
    can_import_dossiers,
    can_view_dossier_figures,
    dossier_scope_q,
    sees_all_dossiers,
)
from .emergency import (
    can_act_as_team,
    can_add_rescue_details,
    can_dispatch_rescue,
    can_follow_rescue_by_link,
    can_view_dispatch_board,
    can_view_rescue,
    is_rescue_team_member,
)
from .hotline import (
    can_use_hotline,
    can_view_hotline_counts,
)
from .incidents import (
    can_command_incident,
    can_edit_any_ward,
    can_edit_ward_part,
    can_list_incidents,
    can_manage_shelter,
    can_open_incident,
    can_read_city_sitrep,
    can_sign_sitrep,
    can_view_incident,
    command_candidate_q,
    commanded_ward_ids,
    commands_city,
    incident_command_audience,
    incident_scope_q,
    visible_ward_ids,
)
from .ioc import (
    KpiBounds,
    can_access_digital_report,
    can_use_digital_reports,
    can_view_console,
    kpi_bounds,
)
from .monitoring import (
    can_act_on_monitoring_event,
    can_view_monitoring,
    can_view_monitoring_event,
    can_view_private_stations,
    monitoring_event_scope_q,
    station_scope_q,
)
from .navigation import (
    navigation,
)
from .press import (
    can_act_on_press,
    can_view_press,
)
from .privacy import (
    PRIVACY_PERMISSION,
    can_handle_privacy,
    can_use_privacy_centre,
)
from .reports import (
    ALL_ACTIONS,
    FOLLOWER_ACTIONS,
    HEAD_ACTIONS,
    HEAD_OR_IOC_ACTIONS,
    IOC_ACTIONS,
    NOTE_ACTIONS,
    REPORTER_ACTIONS,
    UNIT_ACTIONS,
    can,
    can_file_for_caller,
    can_use_triage,
    can_use_unit_inbox,
    can_view_answer,
    can_view_internal,
    can_view_photo,
    can_view_report,
    can_view_reporter,
    card_photo_q,
    in_staff_scope,
    internal_scope,
    is_card_photo,
    is_public_report,
    listed_report_q,
    merged_redirect,
    public_report_q,
    report_scope,
    report_scope_sql,
    visible_event_q,
    visible_photo_q,
)

__all__ = [
    "can_follow_dossier",
    "can_import_dossiers",
    "can_view_dossier_figures",
    "dossier_scope_q",
    "sees_all_dossiers",
    "can_act_on_press",
    "can_view_press",
    "can_act_on_monitoring_event",
    "can_view_monitoring",
    "can_view_monitoring_event",
    "can_view_private_stations",
    "monitoring_event_scope_q",
    "station_scope_q",
    "can_command_incident",
    "can_edit_any_ward",
    "can_edit_ward_part",
    "can_list_incidents",
    "can_manage_shelter",
    "can_open_incident",
    "can_read_city_sitrep",
    "can_sign_sitrep",
    "can_view_incident",
    "commanded_ward_ids",
    "commands_city",
    "incident_command_audience",
    "incident_scope_q",
    "command_candidate_q",
    "visible_ward_ids",
    "merged_redirect",
    "visible_event_q",
    "public_report_q",
    "is_public_report",
    "listed_report_q",
    "card_photo_q",
    "is_card_photo",
    "visible_photo_q",
    "can_view_photo",
    "ioc_operators",
    "leaders",
    "ioc_operators_and_leaders",
    "unit_members",
    "unit_heads",
    "ward_officials",
    "HOTLINE_ROLES",
    "hotline_operators",
    "hotline_operator_q",
    "Role",
    "IOC_ROLES",
    "CITY_WIDE_READ_ROLES",
    "STAFF_ROLES",
    "citizens",
    "role_of",
    "is_ioc",
    "is_staff",
    "unit_ids",
    "head_unit_ids",
    "IOC_ACTIONS",
    "UNIT_ACTIONS",
    "HEAD_ACTIONS",
    "HEAD_OR_IOC_ACTIONS",
    "REPORTER_ACTIONS",
    "NOTE_ACTIONS",
    "FOLLOWER_ACTIONS",
    "ALL_ACTIONS",
    "in_staff_scope",
    "can_view_report",
    "can_view_reporter",
    "can_view_internal",
    "can",
    "report_scope",
    "report_scope_sql",
    "internal_scope",
    "can_view_answer",
    "can_use_triage",
    "can_use_unit_inbox",
    "can_file_for_caller",
    "warning_unit_ids",
    "can_issue_warnings",
    "can_manage_warning",
    "can_view_warning_stats",
    "can_dispatch_rescue",
    "can_view_dispatch_board",
    "is_rescue_team_member",
    "can_act_as_team",
    "can_view_rescue",
    "can_follow_rescue_by_link",
    "can_add_rescue_details",
    "KpiBounds",
    "kpi_bounds",
    "can_view_console",
    "can_use_digital_reports",
    "can_access_digital_report",
    "can_edit_profile",
    "can_change_home_area",
    "can_use_hotline",
    "can_view_hotline_counts",
    "navigation",
    "PRIVACY_PERMISSION",
    "can_handle_privacy",
    "can_use_privacy_centre",
]
