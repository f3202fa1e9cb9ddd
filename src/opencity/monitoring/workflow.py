"""The monitoring event's state machine, on the lifecycle kernel (``lib.lifecycle``).

open → acknowledged → resolved. A rule raises an event (``raise``) once per episode; while the
episode lasts the rule only counts it (no step) or, when a higher level is reached,
``escalate``\\ s it — back to ``open`` if someone had acknowledged it, so the higher level is seen
again. When the data come back to normal the rule writes ``clear`` (the state stays: a person
decides it is over). What an operator makes of it — a warning draft, a field report, a link to an
incident — is a step too.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opencity.lib.lifecycle import Lifecycle, Transition

from .models import EventStatus, MonitoringEventStep

NEW = frozenset({""})
ES = EventStatus
OPEN = frozenset({ES.OPEN, ES.ACKNOWLEDGED})
ANY = frozenset(ES.values)


def _refusal(t: Transition, status: str) -> str:
    return _("“%(action)s” is not possible while the event is “%(status)s”.") % {
        "action": t.label, "status": ES(status).label if status else "—"}


EVENT = Lifecycle(
    {
        "raise": Transition(NEW, ES.OPEN, _("Event raised")),
        "escalate": Transition(OPEN, ES.OPEN, _("Level rose")),
        "clear": Transition(OPEN, None, _("Back to normal")),
        "acknowledge": Transition(frozenset({ES.OPEN}), ES.ACKNOWLEDGED, _("Acknowledged"),
                                  stamp="acknowledged_at"),
        "resolve": Transition(OPEN, ES.RESOLVED, _("Resolved"), stamp="resolved_at"),
        "to_report": Transition(ANY, None, _("Field report created")),
        "to_incident": Transition(ANY, None, _("Linked to an incident")),
        "to_warning": Transition(ANY, None, _("Warning draft opened")),
        "note": Transition(ANY, None, _("Note")),
    },
    event_model=MonitoringEventStep,
    subject_field="event",
    refusal=_refusal,
    clean_exclude=("rule", "station", "datastream", "area", "acknowledged_by", "report", "incident"),
)


def event_label(action: str) -> str:
    return EVENT.label(action)
