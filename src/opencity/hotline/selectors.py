"""Reads for the hotline console and the IOC console. Each takes the acting user and checks it:
callers' numbers and names are for hotline and IOC staff only; leaders read the counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from opencity import policy
from opencity.accounts.models import User
from opencity.emergency.models import RescueRequest
from opencity.reports.models import Report

from .models import Call, CallBack, CallState, Direction, OperatorPresence, Topic
from .permissions import require_console, require_counts

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HISTORY_LIMIT = 10


@dataclass
class CallerHistory:
    phone: str
    caller: User | None = None
    calls: list[Call] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    rescues: list[RescueRequest] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.calls or self.reports or self.rescues)


def caller_history(*, user, phone: str, exclude_call_id: int | None = None,
                   limit: int = HISTORY_LIMIT) -> CallerHistory:
    """Earlier calls, field reports and rescue requests of the person on this number, newest
    first: reports they sent from their account or that the hotline filed with their number,
    rescue requests likewise. (The view records the look-up in the audit log.)"""
    require_console(user)
    history = CallerHistory(phone=phone)
    if not phone:
        return history
    history.caller = User.objects.filter(phone=phone).first()
    calls = Call.objects.filter(phone=phone).select_related("operator").prefetch_related("reports", "rescue_requests")
    if exclude_call_id:
        calls = calls.exclude(pk=exclude_call_id)
    history.calls = list(calls.order_by("-started_at", "-pk")[:limit])
    history.reports = list(Report.objects.filter(Q(reporter__phone=phone) | Q(reporter_phone=phone))
                           .select_related("category", "unit", "area").order_by("-created_at")[:limit])
    history.rescues = list(RescueRequest.objects.filter(Q(caller_phone=phone) | Q(requester__phone=phone))
                           .select_related("area").order_by("-created_at")[:limit])
    return history


def incoming_for(*, user) -> dict:
    """What the console's incoming panel shows: the ringing call offered to this operator (with
    the caller's history), the operator's call in progress, and how many others wait."""
    require_console(user)
    ringing = Call.objects.filter(state=CallState.RINGING, direction=Direction.INBOUND, operator__isnull=True)
    offered = ringing.filter(offered_to=user).select_related("caller").order_by("started_at").first()
    current = (Call.objects.filter(state=CallState.ANSWERED, operator=user).select_related("caller")
               .order_by("-answered_at").first())
    waiting = list(ringing.exclude(offered_to=user).select_related("caller", "offered_to")
                   .order_by("started_at")[:10])
    presence = OperatorPresence.objects.filter(user=user).first()
    return {
        "offered": offered,
        "history": caller_history(user=user, phone=offered.phone, exclude_call_id=offered.pk, limit=5)
        if offered else None,
        "current": current,
        "waiting": waiting,
        "presence": presence,
    }


def call_list_recent(*, user, limit: int = 20):
    require_console(user)
    return list(Call.objects.select_related("caller", "operator").prefetch_related("reports", "rescue_requests")
                .order_by("-started_at", "-pk")[:limit])


def call_list_missed(*, user, hours: int = 24):
    """Missed inbound calls with a number and no call-back yet."""
    require_console(user)
    since = timezone.now() - dt.timedelta(hours=hours)
    return list(Call.objects.filter(state=CallState.MISSED, direction=Direction.INBOUND, started_at__gte=since)
                .exclude(phone="").filter(callbacks__isnull=True, followups__isnull=True)
                .select_related("caller").order_by("-started_at")[:20])


def callback_list_due(*, user, limit: int = 30):
    """Open call-backs, the most overdue first."""
    require_console(user)
    return list(CallBack.objects.filter(done_at__isnull=True).select_related("call", "call__caller", "assigned_to")
                .order_by("due_at", "pk")[:limit])


def call_detail(*, user, call: Call) -> dict:
    require_console(user)
    return {
        "reports": list(call.reports.select_related("category", "unit").order_by("-created_at")),
        "rescues": list(call.rescue_requests.select_related("area").order_by("-created_at")),
        "callbacks": list(call.callbacks.select_related("assigned_to", "result_call").order_by("due_at")),
        "followups": list(call.followups.select_related("operator").order_by("started_at")),
        "history": caller_history(user=user, phone=call.phone, exclude_call_id=call.pk),
    }


def console_operators(*, user):
    """Console users a call-back can be assigned to."""
    require_console(user)
    return list(policy.hotline_operators().order_by("full_name", "pk"))


# --- counts (the hotline console and the IOC console) ------------------------------------------

@dataclass
class DayCount:
    day: dt.date
    inbound: int = 0
    outbound: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return self.inbound + self.outbound


@dataclass
class CallCounts:
    start: dt.date
    end: dt.date
    days: list[DayCount]
    topics: list[tuple[str, str, int]]  # (code, label, count); "" is "not recorded yet"
    inbound: int = 0
    outbound: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return self.inbound + self.outbound


def _local_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(start, dt.time.min, tzinfo=VN),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=VN))


def call_counts(*, user, start: dt.date, end: dt.date) -> CallCounts:
    """Calls started from ``start`` to ``end`` (both included, days in Asia/Ho_Chi_Minh): per
    day and direction, per topic, and the totals. Missed calls are inbound calls nobody
    answered (they count as inbound too)."""
    require_counts(user)
    if end < start:
        start, end = end, start
    since, until = _local_bounds(start, end)
    calls = Call.objects.filter(started_at__gte=since, started_at__lt=until)
    per_day: dict[dt.date, DayCount] = {}
    n_days = (end - start).days + 1
    if n_days <= 366:
        per_day = {start + dt.timedelta(days=i): DayCount(start + dt.timedelta(days=i)) for i in range(n_days)}
    rows = (calls.order_by().annotate(day=TruncDate("started_at", tzinfo=VN)).values("day", "direction", "state")
            .annotate(n=Count("id")))
    counts = CallCounts(start=start, end=end, days=[], topics=[])
    for row in rows:
        day = per_day.setdefault(row["day"], DayCount(row["day"]))
        if row["direction"] == Direction.OUTBOUND:
            day.outbound += row["n"]
            counts.outbound += row["n"]
        else:
            day.inbound += row["n"]
            counts.inbound += row["n"]
            if row["state"] == CallState.MISSED:
                day.missed += row["n"]
                counts.missed += row["n"]
    counts.days = [per_day[d] for d in sorted(per_day)]
    by_topic = dict(calls.order_by().values("topic").annotate(n=Count("id")).values_list("topic", "n"))
    labels = dict(Topic.choices)
    counts.topics = [(code, str(labels[code]), by_topic[code]) for code in Topic.values if by_topic.get(code)]
    if by_topic.get(""):
        counts.topics.append(("", "", by_topic[""]))
    return counts
