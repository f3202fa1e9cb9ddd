"""Deadlines in working time: the one place that says how long a report may take and in which
deadline state it is (DESIGN.md §4 "Deadlines").

- The deadline (``Report.due_at``) is set when a report is routed or reopened, from its
  category's working hours for its priority (:func:`deadline_hours`), counted in the city's
  working calendar (``worktime.selectors.default_calendar()``). An approved extension moves it later.
- Waiting for the reporter pauses the clock: ``report_ask_info`` records ``paused_at``
  (``effects.pause``); when the reporter answers — or the unit resolves the report meanwhile —
  ``due_at`` moves later by the working time that passed (``effects.resume``); a return to the
  IOC drops the deadline. While paused, the state is frozen at the moment the clock stopped.
  What each action sets is ``reports/effects.py``; this module says how long and in which state.
- States: *on time*, *due soon* (fewer than ``OPENCITY_DUE_SOON_FRACTION`` of the deadline's
  working hours left), *overdue*; once resolved, *resolved on time* or *resolved late*.

``docs/kpi.md`` states the same rules in words.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.lib.worktime import WorkCalendar
from opencity.worktime.selectors import default_calendar

from .models import Category, Priority, Report, Status

ACTIVE_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class DeadlineState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    RESOLVED_ON_TIME = "resolved_on_time", _("Resolved on time")
    RESOLVED_LATE = "resolved_late", _("Resolved late")


def deadline_hours(category: Category, priority: int | None = None) -> int:
    """Working hours allowed for a report of ``category`` at ``priority``: the category's own
    deadline for urgent / high priority where the admin set one (urgent falls back to high),
    else its normal deadline."""
    if priority is not None and priority >= Priority.URGENT and category.deadline_hours_urgent:
        return category.deadline_hours_urgent
    if priority is not None and priority >= Priority.HIGH and category.deadline_hours_high:
        return category.deadline_hours_high
    return category.deadline_hours


def clock_time(report: Report, now: dt.datetime) -> dt.datetime:
    """The moment the deadline clock shows: ``now``, or when it was paused."""
    return report.paused_at if report.paused_at is not None else now


def due_soon_hours_for(hours: float) -> float:
    return settings.OPENCITY_DUE_SOON_FRACTION * hours


def due_soon_hours(report: Report) -> float:
    """Fewer working hours left than this: the report is due soon."""
    return due_soon_hours_for(deadline_hours(report.category, report.priority))


def longest_deadline_hours() -> int:
    """The longest deadline any category has, at any priority (bounds the escalation query)."""
    rows = Category.objects.values_list("deadline_hours", "deadline_hours_high", "deadline_hours_urgent")
    return max((max(h or 0 for h in row) for row in rows), default=0)


def ioc_after_hours(report: Report) -> float:
    """Overdue by more working hours than this: escalate to the IOC and the leaders."""
    return settings.OPENCITY_ESCALATE_IOC_AFTER * deadline_hours(report.category, report.priority)


def deadline_state(report: Report, *, now: dt.datetime | None = None,
                   calendar: WorkCalendar | None = None) -> str | None:
    """The report's deadline state, or None when it has no deadline (new, rejected, merged)."""
    if report.due_at is None:
        return None
    if report.status in DONE_STATUSES:
        if report.resolved_at is None or report.resolved_at <= report.due_at:
            return DeadlineState.RESOLVED_ON_TIME
        return DeadlineState.RESOLVED_LATE
    if report.status not in ACTIVE_STATUSES:
        return None
    at = clock_time(report, now or timezone.now())
    if at > report.due_at:
        return DeadlineState.OVERDUE
    left = (calendar or default_calendar()).working_hours_between(at, report.due_at)
    if left < due_soon_hours(report):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


def hours_overdue(report: Report, *, now: dt.datetime | None = None,
                  calendar: WorkCalendar | None = None) -> float:
    """Working hours past the deadline (0 if not overdue)."""
    if report.due_at is None:
        return 0.0
    at = clock_time(report, now or timezone.now())
    return (calendar or default_calendar()).working_hours_between(report.due_at, at)


def overdue_q(now: dt.datetime | None = None) -> Q:
    """The same "overdue" as :func:`deadline_state`, as a database filter (uses the due_at
    index): an open report past its deadline, unless its clock was paused before the deadline."""
    now = now or timezone.now()
    return (
        Q(status__in=ACTIVE_STATUSES, due_at__lt=now)
        & (Q(paused_at__isnull=True) | Q(paused_at__gt=F("due_at")))
    )


def triage_target() -> dt.timedelta:
    """How long a new report may wait for the IOC's verification
    (``OPENCITY_TRIAGE_TARGET_MINUTES``, calendar time: the control room is staffed round the
    clock); the triage queue marks the reports that have waited longer."""
    return dt.timedelta(minutes=settings.OPENCITY_TRIAGE_TARGET_MINUTES)
