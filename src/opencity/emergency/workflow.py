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

from opencity.lib.lifecycle import Lifecycle, Transition

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


def _refusal(t: Transition, status: str) -> str:
    return _("“%(action)s” is not possible while the request is “%(status)s”.") % {
        "action": t.label, "status": Status(status).label if status else "—"}


# Steps written outside :func:`apply` (no status change, the version left alone): labels only.
OTHER_LABELS = {"details": _("Details added by the requester")}

LIFECYCLE = Lifecycle(TRANSITIONS, RescueEvent, "request", _refusal,
                      clean_exclude=("area", "requester", "filed_by", "assigned_team"),
                      other_labels=OTHER_LABELS)


def allowed(req: RescueRequest, action: str) -> bool:
    return LIFECYCLE.allowed(req, action)


def check(req: RescueRequest, action: str) -> Transition:
    return LIFECYCLE.check(req, action)


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
    return LIFECYCLE.apply(req, action, actor=actor, note=note, data=data, changes=changes,
                           expected_version=expected_version, client_token=client_token)


def action_label(action: str) -> str:
    return LIFECYCLE.label(action)
