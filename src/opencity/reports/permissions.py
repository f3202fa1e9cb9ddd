"""Report access checks for views and the API (rules live in opencity.policy)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from . import workflow
from .models import Report


def access_report(user, report_id) -> Report:
    """Fetch a report the user may see, or raise NotFoundError (404, not 403: no leak)."""
    try:
        report = Report.objects.select_related("category", "area", "unit", "reporter").get(pk=int(report_id))
    except (Report.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("This report does not exist.")) from None
    if not policy.can_view_report(user, report):
        raise NotFoundError(_("This report does not exist."))
    return report


def access_report_for(user, report_id, action: str) -> Report:
    report = access_report(user, report_id)
    if not policy.can(user, action, report):
        raise PermissionDeniedError()
    return report


def can_view_reporter(user, report: Report) -> bool:
    return policy.can_view_reporter(user, report)


def can_view_internal(user, report: Report) -> bool:
    return policy.can_view_internal(user, report)


def available_actions(user, report: Report) -> set[str]:
    """Actions the user may take now (permission and state), for showing buttons."""
    names = set()
    for action in policy.ALL_ACTIONS:
        if action == "follow":
            if policy.can(user, action, report):
                names.add(action)
            continue
        if not policy.can(user, action, report):
            continue
        checks = {
            "decide_result": "reject_result",
            "decide_dispute": "reopen",
            "decide_extension": "decide_extension",
        }
        if workflow.allowed(report, checks.get(action, action)):
            names.add(action)
    if "resolve" in names and report.result_pending:
        names.discard("resolve")
    if "decide_extension" in names and not report.extensions.filter(status="pending").exists():
        names.discard("decide_extension")
    return names
