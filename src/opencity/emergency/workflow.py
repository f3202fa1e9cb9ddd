"""The rescue-request state machine: the transition table and the one writer of
``RescueRequest.status``.

new → acknowledged → assigned → dispatched → on_scene → rescued | closed, and cancelled (with a
reason) from any open state. :func:`apply` checks the table, writes under an optimistic lock on
``version`` and records one immutable :class:`RescueEvent` in the same transaction; callers must
already be inside ``transaction.atomic``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opencity.lib import statemachine
from opencity.lib.statemachine import Transition

from .models import OPEN_STATUSES, RescueEvent, RescueRequest, Status

S = Status

OPEN = frozenset(OPEN_STATUSES)

TRANSITIONS: dict[str, Transition] = {
    "file": Transition(frozenset({""}), S.NEW, _("Request sent")),
    "acknowledge": Transition(frozenset({S.NEW}), S.ACKNOWLEDGED, _("Received by the IOC"), stamp="acknowledged_at"),
    "assign": Transition(frozenset({S.ACKNOWLEDGED}), S.ASSIGNED, _("A rescue team was assigned"),
                         stamp="assigned_at"),
    "dispatch": Transition(frozenset({S.ASSIGNED}), S.DISPATCHED, _("The rescue team is on the way"),
                           stamp="dispatched_at"),
    "arrive": Transition(frozenset({S.DISPATCHED}), S.ON_SCENE, _("The rescue team has arrived"),
                         stamp="on_scene_at"),
    "rescue": Transition(frozenset({S.ON_SCENE}), S.RESCUED, _("Rescued"), stamp="finished_at"),
    "close": Transition(frozenset({S.ON_SCENE}), S.CLOSED, _("Closed"), stamp="finished_at"),
    "cancel": Transition(OPEN, S.CANCELLED, _("Cancelled"), stamp="finished_at"),
    "escalate": Transition(frozenset({S.NEW}), None, _("Not yet acknowledged: escalated"), public=False),
}

# The steps a team member takes from the phone page, in order.
TEAM_ACTIONS = ("dispatch", "arrive", "rescue", "close")


def allowed(req: RescueRequest, action: str) -> bool:
    return statemachine.allowed(TRANSITIONS, req, action)


def _refusal(t: Transition, status: str) -> str:
    return _("“%(action)s” is not possible while the request is “%(status)s”.") % {
        "action": t.label, "status": Status(status).label if status else "—"}


def check(req: RescueRequest, action: str) -> Transition:
    return statemachine.check(TRANSITIONS, req, action, refusal=_refusal)


def apply(
    req: RescueRequest,
    action: str,
    *,
    actor,
    note: str = "",
    data: dict | None = None,
    changes: dict[str, Any] | None = None,
    expected_version: int | None = None,
    client_token: str | None = None,
) -> RescueEvent:
    """Perform ``action``; raises IllegalTransitionError (409) or ConflictError (409) when the
    request changed since ``expected_version`` (or since it was read). Must run inside
    ``transaction.atomic``. ``client_token``: the form's one-time token, kept on the event."""
    t = check(req, action)
    step = statemachine.write(req, t, changes=changes, expected_version=expected_version,
                              clean_exclude=["area", "requester", "filed_by", "assigned_team"])
    return RescueEvent.objects.create(
        request=req, **statemachine.actor_fields(actor),
        action=action, from_status=step.from_status, to_status=step.to_status, note=note,
        is_public=t.public, data=data or {}, created_at=step.at, client_token=client_token,
    )


# Steps written outside :func:`apply` (no status change, the version left alone): labels only.
OTHER_LABELS = {"details": _("Details added by the requester")}


def action_label(action: str) -> str:
    t = TRANSITIONS.get(action)
    if t is None and action in OTHER_LABELS:
        return str(OTHER_LABELS[action])
    return str(t.label) if t else action
