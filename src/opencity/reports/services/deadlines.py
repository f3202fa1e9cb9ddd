"""Deadline reminders and escalations (the periodic job in ``reports.tasks``).

Levels, each sent at most once per report and deadline (``Escalation`` is unique on report,
level and due_at, so a deadline that moves — extension, pause, reopening — may escalate again):

1. ``due_soon``: the report is due soon → the unit's members.
2. ``overdue``: the report is overdue → the unit's heads (the IOC operators if it has none).
3. ``ioc``: overdue by more than ``OPENCITY_ESCALATE_IOC_AFTER`` × the deadline's working
   hours → the IOC operators and the city leaders.

A level whose moment has passed while the job did not run is not sent late (no "due soon"
reminder for a report that is already overdue); higher levels are. Reminders change no state,
so they are not timeline events: the ``Escalation`` row is the record, the people get in-app
notifications (and e-mail) by the rules of ``notifications.services.notify``, written a page of
reports at a time (a backlog of 40,000 escalations at 1 M reports: bench/README.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity import policy
from opencity.notifications.services import Notice, notify_many
from opencity.worktime.selectors import default_calendar

from .. import deadlines
from ..models import Escalation, EscalationLevel, Report
from ..notify import _lazy_format, report_subject

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
TITLES = {
    EscalationLevel.DUE_SOON: _("Report %(ref)s is due soon: deadline %(due)s"),
    EscalationLevel.OVERDUE: _("Report %(ref)s at %(unit)s is overdue: deadline %(due)s"),
    EscalationLevel.IOC: _("Report %(ref)s at %(unit)s is long overdue: deadline %(due)s"),
}
VERBS = {
    EscalationLevel.DUE_SOON: "deadline_due_soon",
    EscalationLevel.OVERDUE: "deadline_overdue",
    EscalationLevel.IOC: "deadline_escalated",
}


def _levels(report: Report, now: dt.datetime, calendar) -> list[str]:
    """The levels that apply now (highest last)."""
    state = deadlines.deadline_state(report, now=now, calendar=calendar)
    if state == deadlines.DeadlineState.DUE_SOON:
        return [EscalationLevel.DUE_SOON]
    if state != deadlines.DeadlineState.OVERDUE:
        return []
    levels = [EscalationLevel.OVERDUE]
    # "overdue by at least X working hours", without walking every day since the deadline
    # (``hours_overdue`` does; a backlog overdue for months made that the job's main cost):
    # the clock has passed the moment X working hours after the deadline.
    threshold = deadlines.ioc_after_hours(report)
    if threshold <= 0 or deadlines.clock_time(report, now) >= calendar.add_working_hours(report.due_at, threshold):
        levels.append(EscalationLevel.IOC)
    return levels


class _Audience:
    """Recipients, looked up once per unit per run."""

    def __init__(self):
        self.User = get_user_model()
        self._members: dict[int, list] = {}
        self._heads: dict[int, list] = {}
        self._ioc: list | None = None
        self._leaders: list | None = None

    def members(self, unit_id: int) -> list:
        if unit_id not in self._members:
            self._members[unit_id] = list(
                self.User.objects.filter(memberships__unit_id=unit_id, is_active=True).distinct()
            )
        return self._members[unit_id]

    def heads(self, unit_id: int) -> list:
        if unit_id not in self._heads:
            self._heads[unit_id] = list(self.User.objects.filter(
                memberships__unit_id=unit_id, memberships__is_head=True, is_active=True).distinct())
        return self._heads[unit_id] or self.ioc()

    def ioc(self) -> list:
        if self._ioc is None:
            self._ioc = list(policy.ioc_operators())
        return self._ioc

    def leaders(self) -> list:
        if self._leaders is None:
            self._leaders = list(policy.leaders())
        return self._leaders

    def for_level(self, level: str, report: Report) -> list:
        if level == EscalationLevel.DUE_SOON:
            return self.members(report.unit_id) if report.unit_id else []
        if level == EscalationLevel.OVERDUE:
            return self.heads(report.unit_id) if report.unit_id else self.ioc()
        return self.ioc() + self.leaders()


def _notices(wanted: list[tuple[Report, str, list]]) -> list[Notice]:
    """One notice per escalation in ``wanted`` (report, level, recipients), for a whole page of
    escalations, to be written together (``notify_many``: the rules of ``notify``)."""
    notices = []
    for report, level, users in wanted:
        params = {
            "ref": report.ref,
            "unit": str(report.unit) if report.unit_id else "—",
            "due": timezone.localtime(report.due_at).strftime("%H:%M %d/%m/%Y"),
        }
        notices.append(Notice(users=users, verb=VERBS[level], title=_lazy_format(TITLES[level], params),
                              url=reverse("reports:staff_detail", args=[report.pk]),
                              subject=report_subject(report)))
    return notices


def _send_page(wanted: list[tuple[Report, str]], audience: _Audience) -> Counter:
    """Record the escalations of one page and notify, in one transaction of a few statements:
    the escalations inserted together (``ON CONFLICT DO NOTHING`` on the "once per level and
    deadline" constraint, so a concurrent or repeated run cannot send one twice), then the inbox
    rows of those this run actually inserted (recognised by this page's ``sent_at``), together.
    Returns how many of each level were sent."""
    recipients = [(report, level, audience.for_level(level, report)) for report, level in wanted]
    with transaction.atomic():
        marker = timezone.now()
        Escalation.objects.bulk_create(
            [Escalation(report=report, level=level, due_at=report.due_at, recipients=len(users), sent_at=marker)
             for report, level, users in recipients],
            ignore_conflicts=True, batch_size=1000)
        mine = set(Escalation.objects.filter(report_id__in={r.pk for r, _level in wanted}, sent_at=marker)
                   .values_list("report_id", "level", "due_at"))
        sent_now = [(r, level, users) for r, level, users in recipients if (r.pk, level, r.due_at) in mine]
        notify_many(_notices(sent_now), created_at=marker)  # e-mails owed in this transaction
    return Counter(level for _r, level, _users in sent_now)


def _candidates(now: dt.datetime, calendar):
    """Open reports with a deadline that is due soon or past, not yet escalated to the last
    level for their current deadline. The due_at bound: a report is due soon only if its due_at
    comes before ``now`` plus the largest due-soon threshold in working hours."""
    longest = deadlines.longest_deadline_hours()
    horizon = calendar.add_working_hours(now, deadlines.due_soon_hours_for(longest))
    last_level = Escalation.objects.filter(report=OuterRef("pk"), level=EscalationLevel.IOC,
                                           due_at=OuterRef("due_at"))
    return (
        Report.objects.filter(status__in=deadlines.ACTIVE_STATUSES, due_at__isnull=False, due_at__lt=horizon)
        .exclude(Exists(last_level))
        .select_related("category", "unit")
    )


def deadlines_escalate(*, now: dt.datetime | None = None, chunk_size: int = CHUNK_SIZE) -> Counter:
    """Send the reminders and escalations that are due. Safe to run any number of times and
    after a pause; memory stays bounded (keyset pages of ``chunk_size`` reports by due_at, id,
    each page's escalations and notifications written in one transaction).
    Returns how many of each level were sent."""
    now = now or timezone.now()
    calendar = default_calendar()
    audience = _Audience()
    sent: Counter = Counter()
    qs = _candidates(now, calendar)
    last: tuple[dt.datetime, int] | None = None
    while True:
        page = qs
        if last is not None:
            page = page.filter(Q(due_at__gt=last[0]) | Q(due_at=last[0], pk__gt=last[1]))
        chunk = list(page.order_by("due_at", "pk")[:chunk_size])
        if not chunk:
            break
        last = (chunk[-1].due_at, chunk[-1].pk)
        done = set(
            Escalation.objects.filter(report_id__in=[r.pk for r in chunk])
            .values_list("report_id", "level", "due_at")
        )
        wanted = [(report, level) for report in chunk for level in _levels(report, now, calendar)
                  if (report.pk, level, report.due_at) not in done]
        if wanted:
            sent.update(_send_page(wanted, audience))
        if len(chunk) < chunk_size:
            break
    if sent:
        logger.info("deadline escalations sent: %s", dict(sent))
    return sent
