"""The lifecycle kernel: every state machine of the product is a :class:`Lifecycle`.

A lifecycle is a transition table (action → the states it may start from, the state it leads
to, a guard that may refuse, a timestamp it sets), an event model (a concrete
``lib.models.LifecycleEvent``: the immutable log), and the one writer of its subject's
``status``: :meth:`Lifecycle.apply` checks the action against the current state and guard,
writes the new state and the action's field changes under an optimistic lock on a ``version``
column — of two people acting on the same row at once exactly one succeeds, the other gets a
409 — and records one event in the same transaction.

What each action changes besides the state is the caller's ``changes``; for the field reports
those are the pure functions of ``reports/effects.py``, which the demo and the load generator
call too. Field reports (``reports/workflow.py``) and rescue requests
(``emergency/workflow.py``) run on this kernel; each keeps its own table, event model and
wording.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from opencity.errors import ConflictError, IllegalTransitionError


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]  # "" is the state of a row not yet saved
    target: str | None  # None: the status does not change
    label: str
    public: bool = True
    guard: Callable[[Any], str | None] | None = field(default=None, compare=False)  # a reason to refuse
    stamp: str | None = None  # a timestamp field set when the step happens


def current_status(obj: models.Model) -> str:
    return obj.status if obj.pk else ""


def allowed(transitions: dict[str, Transition], obj: models.Model, action: str) -> bool:
    """Would ``action`` be legal now (state and guard)? For showing buttons."""
    t = transitions[action]
    if current_status(obj) not in t.sources:
        return False
    return t.guard is None or t.guard(obj) is None


def check(transitions: dict[str, Transition], obj: models.Model, action: str, *,
          refusal: Callable[[Transition, str], str]) -> Transition:
    """The transition for ``action``, or IllegalTransitionError (409) with ``refusal(t, status)``
    (the app's own wording) or the guard's reason."""
    t = transitions.get(action)
    if t is None:
        raise ValueError(f"unknown action {action!r}")
    status = current_status(obj)
    if status not in t.sources:
        raise IllegalTransitionError(refusal(t, status))
    if t.guard is not None:
        reason = t.guard(obj)
        if reason:
            raise IllegalTransitionError(reason)
    return t


@dataclass(frozen=True)
class Step:
    transition: Transition
    from_status: str
    to_status: str
    at: dt.datetime


def write(obj: models.Model, t: Transition, *, changes: dict[str, Any] | None = None,
          expected_version: int | None = None, clean_exclude: list[str] | None = None) -> Step:
    """Set ``changes`` and the new status on ``obj`` and save them: a new row is validated and
    inserted; an existing one is updated only if its ``version`` is still the one read (else
    ConflictError, and ``obj`` stays as it was read). Must run inside ``transaction.atomic``,
    with the caller writing its event in the same transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a state transition must run inside transaction.atomic")
    if expected_version is not None and expected_version != obj.version:
        raise ConflictError()
    from_status = current_status(obj)
    to_status = t.target or from_status
    now = timezone.now()
    old_version = obj.version
    values = {**(changes or {}), "status": to_status, "version": old_version + 1, "updated_at": now}
    if t.stamp:
        values.setdefault(t.stamp, now)
    if obj.pk is None:
        for name, value in values.items():
            setattr(obj, name, value)
        # Fields are checked here; uniqueness and constraints by the database at the insert
        # (the ORM would ask it first, one query each): callers look their idempotency token
        # up beforehand and catch the IntegrityError of a race.
        obj.full_clean(exclude=clean_exclude or [], validate_unique=False, validate_constraints=False)
        obj.save()
    else:
        if type(obj).objects.filter(pk=obj.pk, version=old_version).update(**values) != 1:
            raise ConflictError()
        for name, value in values.items():
            setattr(obj, name, value)
    return Step(t, from_status, to_status, now)


def actor_fields(actor) -> dict[str, Any]:
    """Who acted, for an event row (anonymous and system actors are stored as no one)."""
    return {"actor": actor if getattr(actor, "is_authenticated", False) else None,
            "actor_role": getattr(actor, "role", "") or ""}


@dataclass(frozen=True)
class Lifecycle:
    """One state machine: its table, its event model and the event's foreign key to the
    subject, and its wording for a refused action (``refusal(transition, status)``)."""

    transitions: dict[str, Transition]
    event_model: type[models.Model]
    subject_field: str
    refusal: Callable[[Transition, str], str]
    clean_exclude: tuple[str, ...] = ()  # relations the subject's full_clean need not look up
    other_labels: dict[str, Any] = field(default_factory=dict)  # events written outside apply()

    def allowed(self, obj: models.Model, action: str) -> bool:
        return allowed(self.transitions, obj, action)

    def check(self, obj: models.Model, action: str) -> Transition:
        return check(self.transitions, obj, action, refusal=self.refusal)

    def apply(self, obj: models.Model, action: str, *, actor, note: str = "", is_public: bool | None = None,
              data: dict | None = None, changes: dict[str, Any] | None = None,
              expected_version: int | None = None, **event_fields: Any) -> models.Model:
        """Perform ``action`` on ``obj``: check it, write ``changes`` and the new state under
        the optimistic lock, and record the event (``event_fields``: the event model's own
        columns). Raises IllegalTransitionError or ConflictError (409). Must run inside
        ``transaction.atomic``."""
        t = self.check(obj, action)
        step = write(obj, t, changes=changes, expected_version=expected_version,
                     clean_exclude=list(self.clean_exclude))
        return self.event_model.objects.create(
            **{self.subject_field: obj}, **actor_fields(actor), action=action,
            from_status=step.from_status, to_status=step.to_status, note=note,
            is_public=t.public if is_public is None else is_public, data=data or {},
            created_at=step.at, **event_fields,
        )

    def label(self, action: str) -> str:
        t = self.transitions.get(action)
        if t is not None:
            return str(t.label)
        return str(self.other_labels.get(action, action))
