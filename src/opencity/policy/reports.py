"""Field reports (opencity.reports): who may see a report and its private parts, and act on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from opencity.reports.models import Report

from .core import (
    CITY_WIDE_READ_ROLES,
    Role,
    _authenticated,
    head_unit_ids,
    is_ioc,
    is_staff,
    role_of,
    unit_ids,
)

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
    if is_public_report(report):
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


# --- What the public sees: the one definition of each rule -----------------------------------
# Opened by anyone (a link, a code): public, unless rejected as spam. Listed, counted and
# exported for the public (the list, the home page's figures, open data): public and still
# standing — not rejected, not merged into another (whose page it redirects to).


def public_report_q() -> Q:
    """Reports anyone may open."""
    return Q(is_public=True) & ~Q(status="rejected", reject_reason="spam")


def is_public_report(report: Report) -> bool:
    return bool(report.is_public and not (report.status == "rejected" and report.reject_reason == "spam"))


def listed_report_q() -> Q:
    """Reports the public lists, counts and exports show."""
    return Q(is_public=True) & ~Q(status__in=("rejected", "merged"))


def card_photo_q() -> Q:
    """The photos a card, a list or a feed shows for a report: the reporter's, not hidden by
    moderation (a result's photos are shown on the report's own page once it is published)."""
    return Q(kind="report", is_hidden=False)


def is_card_photo(photo) -> bool:
    return photo.kind == "report" and not photo.is_hidden


def visible_photo_q(user, report: Report) -> Q:
    """The photos of ``report`` that ``user`` may see: all for staff in scope; else none hidden
    by moderation, and a result's only once the result is published."""
    if can_view_internal(user, report):
        return Q()
    q = Q(is_hidden=False)
    if report.status not in ("resolved", "closed"):
        q &= ~Q(kind="result")
    return q


def merged_redirect(user, report: Report) -> int | None:
    """Where a merged report's page sends ``user``: the report it was merged into (one place for
    one problem), except for staff and its own reporter, who see the merged report itself."""
    if report.status != "merged" or not report.merged_into_id or is_staff(user):
        return None
    if _authenticated(user) and report.reporter_id == user.pk:
        return None
    return report.merged_into_id


def visible_event_q(user, report: Report) -> Q:
    """The timeline events of ``report`` that ``user`` may see: the public ones; every one for
    staff in scope (internal notes, extension requests, returns)."""
    return Q() if can_view_internal(user, report) else Q(is_public=True)


def can_view_photo(user, report: Report, photo, *, variant: str = "full", internal: bool | None = None) -> bool:
    """One photo of a report that ``user`` may see (``variant="original"``: the unblurred original
    kept after a moderator's blur, staff in scope only)."""
    if internal is None:
        internal = can_view_internal(user, report)
    if internal:
        return True
    if photo.is_hidden or variant == "original":
        return False
    return not (photo.kind == "result" and report.status not in ("resolved", "closed"))


def report_scope(user) -> Q:
    """A filter for the reports ``user`` may see (public ones plus those in their scope)."""
    public = public_report_q()
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


def report_scope_sql(user) -> tuple[str, list] | None:
    """:func:`report_scope` as a SQL condition on ``reports_report`` and its parameters, for the
    hot reads that skip the ORM (``reports.selectors.nearby_open``): visitors and citizens, whose
    scope is the public reports and their own. None for staff (their scope needs joins): those
    callers use the ORM. ``policy/tests`` checks both forms select the same reports."""
    public = "(is_public AND NOT (status = 'rejected' AND reject_reason = 'spam'))"
    role = role_of(user)
    if role is None:
        return public, []
    if role in CITY_WIDE_READ_ROLES or role in (Role.OFFICER, Role.WARD_OFFICIAL):
        return None
    return f"({public} OR reporter_id = %s)", [user.pk]


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
