"""The rescue-request state machine: the transition table and the one writer of
``RescueRequest.status``.

new → acknowledged → assigned → dispatched → on_scene → rescued | closed, and cancelled (with a
reason) from any open state. :func:`apply` checks the table, writes under an optimistic lock on
``version`` and records one immutable :class:`RescueEvent` in the same transaction; callers must
already be inside ``transaction.atomic``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.errors import ConflictError, IllegalTransitionError

from .models import OPEN_STATUSES, RescueEvent, RescueRequest, Status

S = Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    label: str
    public: bool = True
    stamp: str | None = None  # the timestamp field set when the step happens


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
    return (req.status if req.pk else "") in TRANSITIONS[action].sources


def check(req: RescueRequest, action: str) -> Transition:
    t = TRANSITIONS.get(action)
    if t is None:
        raise ValueError(f"unknown action {action!r}")
    current = req.status if req.pk else ""
    if current not in t.sources:
        raise IllegalTransitionError(
            _("“%(action)s” is not possible while the request is “%(status)s”.")
            % {"action": t.label, "status": Status(current).label if current else "—"}
        )
    return t


def apply(
    req: RescueRequest,
    action: str,
    *,
    actor,
    note: str = "",
    data: dict | None = None,
    changes: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> RescueEvent:
    """Perform ``action``; raises IllegalTransitionError (409) or ConflictError (409) when the
    request changed since ``expected_version`` (or since it was read)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow.apply must run inside transaction.atomic")
    t = check(req, action)
    if expected_version is not None and expected_version != req.version:
        raise ConflictError()
    from_status = req.status if req.pk else ""
    to_status = t.target or from_status
    now = timezone.now()
    old_version = req.version
    values = {**(changes or {}), "status": to_status, "version": old_version + 1, "updated_at": now}
    if t.stamp:
        values.setdefault(t.stamp, now)
    if req.pk is None:
        for name, value in values.items():
            setattr(req, name, value)
        req.full_clean(exclude=["area", "requester", "filed_by", "assigned_team"])
        req.save()
    else:
        if RescueRequest.objects.filter(pk=req.pk, version=old_version).update(**values) != 1:
            raise ConflictError()
        for name, value in values.items():
            setattr(req, name, value)
    return RescueEvent.objects.create(
        request=req,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_role=getattr(actor, "role", "") or "",
        action=action, from_status=from_status, to_status=to_status, note=note,
        is_public=t.public, data=data or {}, created_at=now,
    )


def action_label(action: str) -> str:
    t = TRANSITIONS.get(action)
    return str(t.label) if t else action
