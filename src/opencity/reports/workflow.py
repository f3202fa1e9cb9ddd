"""The field-report state machine: the transition table, its guards, and the one writer of
``Report.status``.

Every action on a report passes through :func:`apply`, which checks the current state against
the table, writes the new state with an optimistic lock on ``Report.version`` (so two operators
acting at once cannot both succeed) and records one immutable :class:`TimelineEvent` in the same
transaction. Callers must already be inside ``transaction.atomic``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.lib.lifecycle import Lifecycle, Transition

from .models import Report, Status, TimelineEvent

S = Status


def _needs_result_pending(r: Report) -> str | None:
    return None if r.result_pending else str(_("There is no result waiting for approval."))


def _no_result_pending(r: Report) -> str | None:
    return str(_("A result is already waiting for the unit head's approval.")) if r.result_pending else None


def _awaiting_citizen(r: Report) -> str | None:
    return None if r.awaiting_citizen else str(_("Nobody asked for more information."))


def _not_rated(r: Report) -> str | None:
    return str(_("This report has already been rated.")) if r.rating is not None else None


def _dispute_allowed(r: Report) -> str | None:
    if r.dispute_pending:
        return str(_("A dispute is already waiting for the IOC's decision."))
    if r.resolved_at is None:
        return str(_("This report has no result to dispute."))
    days = settings.OPENCITY_DISPUTE_WINDOW_DAYS
    if (timezone.now() - r.resolved_at).days >= days:
        return str(_("A result can only be disputed within %(days)d days.") % {"days": days})
    return None


def _dispute_pending(r: Report) -> str | None:
    return None if r.dispute_pending else str(_("There is no dispute to decide."))


OPEN = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS})
ACTIVE = frozenset({S.ASSIGNED, S.IN_PROGRESS})

# The lifecycle of DESIGN.md §4, plus the actions that keep the state (notes, questions…).
TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(frozenset({""}), S.NEW, _("Report submitted")),
    "route": Transition(frozenset({S.NEW}), S.ASSIGNED, _("Verified and sent to a unit")),
    "merge": Transition(frozenset({S.NEW}), S.MERGED, _("Merged into another report")),
    "reject": Transition(frozenset({S.NEW}), S.REJECTED, _("Rejected")),
    "correct": Transition(OPEN, None, _("Category or place corrected")),
    "set_priority": Transition(OPEN, None, _("Priority changed"), public=False),
    "moderate": Transition(frozenset(S.values), None, _("Content moderated"), public=False),
    "accept": Transition(frozenset({S.ASSIGNED}), S.IN_PROGRESS, _("Accepted by the unit")),
    "return": Transition(ACTIVE, S.NEW, _("Returned to the IOC for re-routing"), public=False),
    "ask_info": Transition(frozenset({S.IN_PROGRESS}), None, _("The unit asked for more information")),
    "answer_info": Transition(
        frozenset({S.IN_PROGRESS}), None, _("The reporter answered"), guard=_awaiting_citizen
    ),
    "request_extension": Transition(frozenset({S.IN_PROGRESS}), None, _("Extension requested"), public=False),
    "decide_extension": Transition(frozenset({S.IN_PROGRESS}), None, _("Extension decided")),
    "submit_result": Transition(
        frozenset({S.IN_PROGRESS}), None, _("Result submitted for approval"), public=False,
        guard=_no_result_pending,
    ),
    "resolve": Transition(frozenset({S.IN_PROGRESS}), S.RESOLVED, _("Resolved")),
    "reject_result": Transition(
        frozenset({S.IN_PROGRESS}), None, _("Result sent back by the unit head"), public=False,
        guard=_needs_result_pending,
    ),
    "rate": Transition(frozenset({S.RESOLVED}), S.CLOSED, _("Rated by the reporter"), guard=_not_rated),
    "close": Transition(frozenset({S.RESOLVED}), S.CLOSED, _("Closed (rating window ended)")),
    "dispute": Transition(
        frozenset({S.RESOLVED, S.CLOSED}), None, _("The reporter disputes the result"), guard=_dispute_allowed
    ),
    "reopen": Transition(
        frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS, _("Reopened"), guard=_dispute_pending
    ),
    "deny_dispute": Transition(
        frozenset({S.RESOLVED, S.CLOSED}), None, _("Dispute not accepted"), guard=_dispute_pending
    ),
    "note": Transition(frozenset(S.values), None, _("Internal note"), public=False),
}


def _refusal(t: Transition, status: str) -> str:
    return _("“%(action)s” is not possible while the report is “%(status)s”.") % {
        "action": t.label, "status": Status(status).label if status else "—"}


LIFECYCLE = Lifecycle(TRANSITIONS, TimelineEvent, "report", _refusal,
                      clean_exclude=("area", "category", "reporter", "unit"))


def allowed(report: Report, action: str) -> bool:
    """Would ``action`` be legal now (state and guard)? For showing buttons."""
    return LIFECYCLE.allowed(report, action)


def check(report: Report, action: str) -> Transition:
    return LIFECYCLE.check(report, action)


def apply(
    report: Report,
    action: str,
    *,
    actor,
    note: str = "",
    is_public: bool | None = None,
    data: dict | None = None,
    changes: dict[str, Any] | None = None,
    actor_unit=None,
    expected_version: int | None = None,
) -> TimelineEvent:
    """Perform ``action``: check it against the current state, then set ``changes`` (field →
    value, from ``reports.effects``) and the new status, save them under the optimistic lock,
    and record the timeline event. Raises IllegalTransitionError (409) or ConflictError (409)
    when someone else changed the report first. Must run inside ``transaction.atomic``."""
    return LIFECYCLE.apply(report, action, actor=actor, note=note, is_public=is_public, data=data,
                           changes=changes, expected_version=expected_version, actor_unit=actor_unit)


def action_label(action: str) -> str:
    return LIFECYCLE.label(action)
