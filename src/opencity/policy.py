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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from opencity.roles import Role

if TYPE_CHECKING:
    from opencity.reports.models import Report

IOC_ROLES = {Role.OPERATOR, Role.ADMIN}
CITY_WIDE_READ_ROLES = {Role.OPERATOR, Role.ADMIN, Role.LEADER, Role.HOTLINE}
STAFF_ROLES = {r for r in Role if r != Role.CITIZEN}

# action → which relation to the report grants it
IOC_ACTIONS = {
    "route", "merge", "reject", "correct", "set_priority", "moderate", "decide_dispute",
}
UNIT_ACTIONS = {"accept", "return", "ask_info", "request_extension", "resolve"}
HEAD_ACTIONS = {"decide_result"}
HEAD_OR_IOC_ACTIONS = {"decide_extension"}
REPORTER_ACTIONS = {"rate", "dispute", "answer_info"}
NOTE_ACTIONS = {"note"}
FOLLOWER_ACTIONS = {"follow"}
ALL_ACTIONS = (
    IOC_ACTIONS | UNIT_ACTIONS | HEAD_ACTIONS | HEAD_OR_IOC_ACTIONS | REPORTER_ACTIONS
    | NOTE_ACTIONS | FOLLOWER_ACTIONS
)


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


def _ward_official_of(user, report: Report) -> bool:
    return role_of(user) == Role.WARD_OFFICIAL and user.home_area_id is not None and (
        report.area_id == user.home_area_id
    )


def _works_report(user, report: Report) -> bool:
    """Acts for the unit the report is assigned to."""
    if report.unit_id is None or not _authenticated(user):
        return False
    if role_of(user) in (Role.OFFICER, Role.WARD_OFFICIAL) and report.unit_id in unit_ids(user):
        return True
    if role_of(user) == Role.WARD_OFFICIAL and user.home_area_id is not None:
        unit = report.unit
        return unit.level == "ward" and unit.area_id == user.home_area_id
    return False


def _heads_report(user, report: Report) -> bool:
    return report.unit_id is not None and report.unit_id in head_unit_ids(user)


def in_staff_scope(user, report: Report) -> bool:
    """Staff whose scope covers the report (they may see its non-public data)."""
    role = role_of(user)
    if role in CITY_WIDE_READ_ROLES:
        return True
    return _works_report(user, report) or _ward_official_of(user, report)


def can_view_report(user, report: Report) -> bool:
    if report.is_public and not (report.status == "rejected" and report.reject_reason == "spam"):
        return True
    if _authenticated(user) and report.reporter_id == user.pk:
        return True
    return in_staff_scope(user, report)


def can_view_reporter(user, report: Report) -> bool:
    """The reporter's name and phone: the reporter and staff in scope only, never the public."""
    if not _authenticated(user):
        return False
    return report.reporter_id == user.pk or in_staff_scope(user, report)


def can_view_internal(user, report: Report) -> bool:
    """Internal notes and pre-moderation originals."""
    return in_staff_scope(user, report)


def can(user, action: str, report: Report) -> bool:
    """May ``user`` perform ``action`` on ``report``? (state is checked by the workflow)."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not _authenticated(user):
        return False
    if action in IOC_ACTIONS:
        return is_ioc(user)
    if action in UNIT_ACTIONS:
        return _works_report(user, report)
    if action in HEAD_ACTIONS:
        return _heads_report(user, report)
    if action in HEAD_OR_IOC_ACTIONS:
        return is_ioc(user) or _heads_report(user, report)
    if action in REPORTER_ACTIONS:
        return report.reporter_id == user.pk
    if action in NOTE_ACTIONS:
        return is_ioc(user) or _works_report(user, report) or _ward_official_of(user, report)
    if action in FOLLOWER_ACTIONS:
        return report.reporter_id != user.pk and can_view_report(user, report)
    return False


def report_scope(user) -> Q:
    """A filter for the reports ``user`` may see (public ones plus those in their scope)."""
    public = Q(is_public=True) & ~Q(status="rejected", reject_reason="spam")
    role = role_of(user)
    if role is None:
        return public
    if role in CITY_WIDE_READ_ROLES:
        return Q()
    own = Q(reporter_id=user.pk)
    if role == Role.OFFICER:
        return public | own | Q(unit_id__in=unit_ids(user))
    if role == Role.WARD_OFFICIAL:
        return public | own | Q(unit_id__in=unit_ids(user)) | Q(area_id=user.home_area_id) | Q(
            unit__level="ward", unit__area_id=user.home_area_id
        )
    return public | own


def internal_scope(user) -> Q:
    """A filter for the reports whose non-public data (the original text before moderation,
    internal notes) ``user`` may see: the query form of :func:`in_staff_scope`."""
    role = role_of(user)
    if role in CITY_WIDE_READ_ROLES:
        return Q()
    if role == Role.OFFICER:
        return Q(unit_id__in=unit_ids(user))
    if role == Role.WARD_OFFICIAL:
        scope = Q(unit_id__in=unit_ids(user))
        if user.home_area_id is not None:
            scope |= Q(area_id=user.home_area_id) | Q(unit__level="ward", unit__area_id=user.home_area_id)
        return scope
    return Q(pk__in=[])


def can_view_answer(user, report: Report, question) -> bool:
    """An answer to one of the category's extra questions (``CategoryQuestion``): the reporter
    and staff in scope see every answer; everyone else only the answers to questions an
    administrator marked ``public`` (a licence plate, a name or a house number stays private).
    The one rule for the report page, the API, Open311 and open data."""
    return bool(question.public) or can_view_reporter(user, report)


def can_use_triage(user) -> bool:
    return is_ioc(user)


def can_use_unit_inbox(user) -> bool:
    return role_of(user) in (Role.OFFICER, Role.WARD_OFFICIAL)


def can_file_for_caller(user) -> bool:
    return role_of(user) in (Role.HOTLINE, Role.OPERATOR, Role.ADMIN)


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


# --- The city's numbers (opencity.ioc console and digital reports) -----------------------
# Two government levels: operators, administrators and city leaders see the whole city; a
# ward/commune official sees only the reports located in the home ward; a unit head sees the
# units they head. Everyone else sees only the public statistics page.


@dataclass(frozen=True)
class KpiBounds:
    """The part of the city's numbers a user may see: the whole city (no bound), one ward
    (``area_id``) or some units (``unit_ids``)."""

    level: str  # "city" | "ward" | "unit"
    area_id: int | None = None
    unit_ids: frozenset[int] = frozenset()

    def allows(self, *, area_id: int | None = None, unit_id: int | None = None) -> bool:
        """May a figure filtered to this ward and/or unit be shown?"""
        if self.level == "city":
            return True
        if self.level == "ward":
            return area_id == self.area_id
        return unit_id is not None and unit_id in self.unit_ids


def kpi_bounds(user) -> KpiBounds | None:
    """None: no access to the console or the digital reports."""
    role = role_of(user)
    if role in (Role.OPERATOR, Role.ADMIN, Role.LEADER):
        return KpiBounds("city")
    if role == Role.WARD_OFFICIAL and user.home_area_id is not None:
        return KpiBounds("ward", area_id=user.home_area_id)
    heads = head_unit_ids(user) if role in (Role.OFFICER, Role.WARD_OFFICIAL) else frozenset()
    if heads:
        return KpiBounds("unit", unit_ids=heads)
    return None


def can_view_console(user) -> bool:
    return kpi_bounds(user) is not None


# --- Digital reports (opencity.ioc.digital) ----------------------------------------------
# A monthly report shows the figures of the console, so the same bounds decide who may
# generate, download or subscribe to it: the city's report only with city-wide bounds, a
# ward's report for the whole city's staff and that ward's officials, a unit's report for the
# whole city's staff and that unit's heads.


def can_use_digital_reports(user) -> bool:
    return kpi_bounds(user) is not None


def can_access_digital_report(user, *, level: str, area_id: int | None, unit_id: int | None) -> bool:
    """Generate, download or subscribe to the report of this level and ward or unit."""
    bounds = kpi_bounds(user)
    if bounds is None:
        return False
    if level == "city":
        return bounds.allows()
    if level == "ward":
        return area_id is not None and bounds.allows(area_id=area_id)
    if level == "unit":
        return unit_id is not None and bounds.allows(unit_id=unit_id)
    return False


# --- One's own profile (opencity.accounts) -----------------------------------------------
# Everyone signed in edits their own name, e-mail, language and shared location. The home
# ward is also a ward/commune official's jurisdiction (see above), so only an administrator
# sets theirs; everyone else chooses it.


def can_edit_profile(user) -> bool:
    return _authenticated(user)


def can_change_home_area(user) -> bool:
    return can_edit_profile(user) and role_of(user) != Role.WARD_OFFICIAL


# --- Hotline (opencity.hotline) -----------------------------------------------------------
# Hotline operators, IOC operators and administrators use the console: log and take calls, see
# a caller's history (their number, name, earlier calls, reports and rescue requests), file for
# callers, call back. City leaders read the call counts only, never numbers or names.


def can_use_hotline(user) -> bool:
    return role_of(user) in (Role.HOTLINE, Role.OPERATOR, Role.ADMIN)


def can_view_hotline_counts(user) -> bool:
    return can_use_hotline(user) or role_of(user) == Role.LEADER


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
    }


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
