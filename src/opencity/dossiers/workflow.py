"""The dossier's lifecycle, on the lifecycle kernel (``lib.lifecycle``).

The one-stop system is the truth about a dossier's status: whatever status it reports is
recorded, from whatever status we saw before — one action per status (``status_<code>``). The
city adds one step of its own: ``overdue``, when the periodic job finds the dossier still open
past its due date (once per dossier; internal, it tells the IOC console).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opencity.lib.lifecycle import Lifecycle, Transition

from .models import DossierStep
from .statuses import OPEN, Status

ANY = frozenset({"", *Status.values})


def _refusal(t: Transition, status: str) -> str:
    return _("“%(action)s” is not possible while the dossier is “%(status)s”.") % {
        "action": t.label, "status": Status(status).label if status else "—"}


def status_action(code: str) -> str:
    return f"status_{code}"


DOSSIER = Lifecycle(
    {
        **{status_action(s.value): Transition(ANY, s.value, s.label) for s in Status},
        "overdue": Transition(frozenset(OPEN), None, _("Overdue"), public=False, stamp="overdue_at"),
    },
    event_model=DossierStep,
    subject_field="dossier",
    refusal=_refusal,
    clean_exclude=("unit", "area"),
)
