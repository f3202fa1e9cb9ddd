"""The press item's state machine, on the lifecycle kernel (``lib.lifecycle``).

new → dismissed (nothing for the city), answered (the city has answered it already, or an
operator answers it here), reported (turned into a field report, routed like any other). Once the
unit's result is published, or an answer exists, ``respond`` publishes it as the city's response
(the state stays). Each action is one step in the item's log, with its actor.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opencity.lib.lifecycle import Lifecycle, Transition

from .models import ItemStatus, PressItemStep

IS = ItemStatus
NEW = frozenset({""})
ANY = frozenset(IS.values)


def _refusal(t: Transition, status: str) -> str:
    return _("“%(action)s” is not possible while the item is “%(status)s”.") % {
        "action": t.label, "status": IS(status).label if status else "—"}


def _has_response(item) -> str | None:
    if item.status == IS.REPORTED and item.report_id is not None:
        return None
    if item.status == IS.ANSWERED and item.answer:
        return None
    return str(_("There is no answer or published result to publish yet."))


ITEM = Lifecycle(
    {
        "collect": Transition(NEW, IS.NEW, _("Item collected")),
        "dismiss": Transition(frozenset({IS.NEW}), IS.DISMISSED, _("Dismissed"), stamp="dismissed_at"),
        "answer": Transition(frozenset({IS.NEW}), IS.ANSWERED, _("Marked as answered"), stamp="answered_at"),
        "to_report": Transition(frozenset({IS.NEW}), IS.REPORTED, _("Field report created"), stamp="reported_at"),
        "respond": Transition(frozenset({IS.ANSWERED, IS.REPORTED}), None, _("Response published"),
                              guard=_has_response),
        "reopen": Transition(frozenset({IS.DISMISSED}), IS.NEW, _("Reopened")),
        "note": Transition(ANY, None, _("Note")),
    },
    event_model=PressItemStep,
    subject_field="item",
    refusal=_refusal,
    clean_exclude=("source", "area", "category", "report", "duplicate_of"),
)


def step_label(action: str) -> str:
    return ITEM.label(action)
