"""The overdue job: dossiers still open past their due date are marked ``overdue`` once each (a
step of ``workflow.DOSSIER``), which puts them on the console's live feed (``feed.py``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from opencity.errors import ConflictError

from ..models import Dossier
from ..statuses import OPEN
from ..workflow import DOSSIER

BATCH = 500


def dossiers_mark_overdue(*, now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Mark up to ``limit`` dossiers that have just become overdue; returns how many."""
    now = now or timezone.now()
    marked = 0
    candidates = list(Dossier.objects.filter(status__in=OPEN, due_at__lt=now, overdue_at__isnull=True)
                      .order_by("due_at", "pk")[:limit])
    for dossier in candidates:
        try:
            with transaction.atomic():
                DOSSIER.apply(dossier, "overdue", actor=None, data={"due_at": dossier.due_at.isoformat()})
            marked += 1
        except ConflictError:  # an import changed it meanwhile: the next run looks again
            continue
    return marked
