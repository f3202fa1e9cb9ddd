"""Reads of the dossiers app, with the acting person: what they may count and list
(``policy.dossier_scope_q``), the public lookup, a dossier's public history."""

from __future__ import annotations

import datetime as dt
import hmac

from django.db.models import QuerySet
from django.utils import timezone

from opencity import policy
from opencity.geo.models import Area
from opencity.orgs.models import Unit

from . import kpi
from .models import Dossier, DossierStep, Follow, ImportRun


def dossier_list(*, user) -> QuerySet:
    return Dossier.objects.filter(policy.dossier_scope_q(user))


def figures(*, user, scope: kpi.Scope, now: dt.datetime | None = None) -> kpi.Figures:
    return kpi.figures(dossier_list(user=user), scope, now=now)


def figures_by(*, user, scope: kpi.Scope, by: str, now: dt.datetime | None = None) -> list[tuple[object, kpi.Figures]]:
    """(unit or ward, figures) rows, most received first; ``None`` for dossiers without a ward."""
    per = kpi.figures_by(dossier_list(user=user), scope, by, now=now)
    model = Unit if by == "unit" else Area
    objects = model.objects.in_bulk([k for k in per if k is not None])
    rows = [(objects.get(k) if k is not None else None, f) for k, f in per.items()]
    return sorted(rows, key=lambda r: (-r[1].received, str(r[0] or "")))


def drilldown(*, user, scope: kpi.Scope, figure: str, now: dt.datetime | None = None) -> QuerySet:
    return (kpi.drilldown(dossier_list(user=user), scope, figure, now=now).select_related("unit", "area")
            .order_by("due_at", "received_at", "pk"))


def overdue_now_count(*, user, now: dt.datetime | None = None) -> int:
    """The "overdue now" figure alone (the console asks on every load): one count on the
    status/due index, not the five figures over every dossier."""
    return kpi.drilldown(dossier_list(user=user), kpi.Scope(), "overdue_now", now=now).count()


def _last4(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())[-4:]


def dossier_lookup(*, code: str, last4: str) -> Dossier | None:
    """The dossier with this code whose applicant's phone ends in ``last4``; None otherwise
    (a wrong code and wrong digits are the same answer)."""
    code, last4 = code.strip(), last4.strip()
    if not code or len(last4) != 4 or not last4.isdigit():
        return None
    # as typed, or in capitals as codes are printed: both on the unique index (1.4 M rows)
    dossier = (Dossier.objects.filter(code__in={code, code.upper()}).select_related("unit", "area")
               .order_by("pk").first())
    if dossier is None or not dossier.owner_phone:
        return None
    if not hmac.compare_digest(_last4(dossier.owner_phone), last4):
        return None
    return dossier


def dossier_public(*, code: str) -> Dossier | None:
    return Dossier.objects.filter(code=code).select_related("unit", "area").first()


def dossier_history(dossier: Dossier) -> list[DossierStep]:
    """The status changes the applicant sees (not the city's internal "overdue" step)."""
    return list(DossierStep.objects.filter(dossier=dossier, is_public=True).order_by("created_at", "id"))


def dossier_steps(dossier: Dossier) -> list[DossierStep]:
    """Every step, for staff in scope: the status changes and the city's own "overdue"."""
    return list(DossierStep.objects.filter(dossier=dossier).order_by("created_at", "id"))


def is_following(*, user, dossier: Dossier) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Follow.objects.filter(user=user, dossier=dossier).exists()


def recent_runs(limit: int = 10) -> list[ImportRun]:
    return list(ImportRun.objects.select_related("actor")[:limit])


def now() -> dt.datetime:
    return timezone.now()
