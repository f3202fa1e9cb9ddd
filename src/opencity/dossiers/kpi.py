"""The dossier figures, defined once: every page, the console, the digital reports and the tests
ask this module.

For a period (by ``NgayTiepNhan``, the day the dossier was received, in Huế time) and a scope
(an agency, a ward, or the city):

- **received** — dossiers received in the period;
- **done** — of those, processed (status 9 "Processed" or 10 "Result returned");
- **on_time** — done, and processed no later than the due date (``NgayKetThucXuLy ≤ NgayHenTra``;
  a dossier without a due date counts as on time);
- **overdue_done** — done after the due date;
- **overdue_now** — still open (status 1, 2, 4, 5 or 6) and past the due date now;
- **on_time_rate** — on_time / done.

Dossiers refused, withdrawn or stopped (3, 7, 8) are received, but neither done nor overdue.
Each figure is a filter (:data:`FIGURES`): its count and its list (:func:`drilldown`) are the
same query, so the number on a page and the rows of its list are always equal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.lib.worktime import TZ
from opencity.reports.kpi import Period

from .models import Dossier
from .statuses import DONE, OPEN

DONE_Q = Q(status__in=DONE)
ON_TIME_Q = DONE_Q & (Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at")))
OVERDUE_DONE_Q = DONE_Q & Q(finished_at__gt=F("due_at"))


def overdue_now_q(now: dt.datetime) -> Q:
    return Q(status__in=OPEN, due_at__lt=now)


def figure_q(name: str, now: dt.datetime) -> Q:
    if name == "received":
        return Q()
    if name == "done":
        return DONE_Q
    if name == "on_time":
        return ON_TIME_Q
    if name == "overdue_done":
        return OVERDUE_DONE_Q
    if name == "overdue_now":
        return overdue_now_q(now)
    raise ValueError(f"unknown figure {name!r}")


FIGURES = {
    "received": _("Received"),
    "done": _("Processed"),
    "on_time": _("On time"),
    "overdue_done": _("Processed late"),
    "overdue_now": _("Overdue now"),
}


@dataclass(frozen=True)
class Scope:
    period: Period = Period()
    unit_id: int | None = None
    area_id: int | None = None

    def filter(self) -> Q:
        q = Q()
        if self.period.start is not None and self.period.end is not None:
            q &= Q(received_at__gte=dt.datetime.combine(self.period.start, dt.time(0), TZ),
                   received_at__lt=dt.datetime.combine(self.period.end, dt.time(0), TZ))
        if self.unit_id:
            q &= Q(unit_id=self.unit_id)
        if self.area_id:
            q &= Q(area_id=self.area_id)
        return q


@dataclass
class Figures:
    received: int = 0
    done: int = 0
    on_time: int = 0
    overdue_done: int = 0
    overdue_now: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.done if self.done else None


def _aggregates(now: dt.datetime) -> dict:
    return {name: Count("pk", filter=figure_q(name, now)) if name != "received" else Count("pk")
            for name in FIGURES}


def figures(qs: QuerySet, scope: Scope, *, now: dt.datetime | None = None) -> Figures:
    """The figures of the dossiers of ``qs`` (already bounded to what the person may see)."""
    now = now or timezone.now()
    return Figures(**qs.filter(scope.filter()).aggregate(**_aggregates(now)))


def figures_by(qs: QuerySet, scope: Scope, by: str, *, now: dt.datetime | None = None) -> dict[int | None, Figures]:
    """The figures per agency (``by="unit"``) or per ward (``by="area"``)."""
    now = now or timezone.now()
    column = {"unit": "unit_id", "area": "area_id"}[by]
    rows = qs.filter(scope.filter()).values(column).annotate(**_aggregates(now)).order_by()
    return {row.pop(column): Figures(**row) for row in rows}


def drilldown(qs: QuerySet, scope: Scope, figure: str, *, now: dt.datetime | None = None) -> QuerySet:
    """The dossiers a figure counts: exactly as many rows as :func:`figures` says."""
    now = now or timezone.now()
    return qs.filter(scope.filter()).filter(figure_q(figure, now))


def all_dossiers() -> QuerySet:
    return Dossier.objects.all()
