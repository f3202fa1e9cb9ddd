"""The data subject request's state machine, on the lifecycle kernel (``lib.lifecycle``).

received → in progress → answered, or refused with a reason (from received or in progress).
Requests the system carries out at once (an export, a deletion confirmed with the password) are
received and answered in one transaction, two steps in the log.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opencity.lib.lifecycle import Lifecycle, Transition

from .models import DataSubjectRequestStep, RequestStatus

RS = RequestStatus
NEW = frozenset({""})
OPEN = frozenset({RS.RECEIVED, RS.IN_PROGRESS})


def _refusal(t: Transition, status: str) -> str:
    return _("“%(action)s” is not possible while the request is “%(status)s”.") % {
        "action": t.label, "status": RS(status).label if status else "—"}


REQUEST = Lifecycle(
    {
        "receive": Transition(NEW, RS.RECEIVED, _("Request received")),
        "start": Transition(frozenset({RS.RECEIVED}), RS.IN_PROGRESS, _("Work started")),
        "answer": Transition(OPEN, RS.ANSWERED, _("Answered"), stamp="answered_at"),
        "refuse": Transition(OPEN, RS.REFUSED, _("Refused"), stamp="answered_at"),
    },
    event_model=DataSubjectRequestStep,
    subject_field="request",
    refusal=_refusal,
    clean_exclude=("user",),
)
