"""Demo data: the hotline 1900 1075 during last year's October–November floods, and a few calls
this week so the console is not empty.

About 300 calls from 1 October to 30 November of last year, most inbound, peaking with the
flood of 25–31 October (topics then mostly rescue and warning information) and again around
15–17 November; every rescue request the demo's hotline filed (``emergency.demo``) and every
field report filed through the hotline in those months has its call, linked; call-backs were
made as outbound calls. Deterministic (seeded), written in bulk; running it again does nothing.

Hook: ``from opencity.hotline.demo import demo_load_calls; demo_load_calls()`` after the demo
pack's people, reports and rescue requests are loaded.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from opencity.accounts.models import Role, User
from opencity.emergency.models import RescueRequest
from opencity.reports.models import Report

from .models import Call, CallBack, CallState, Direction, Outcome, Topic

_VN = ZoneInfo("Asia/Ho_Chi_Minh")
PREFIX = "demo-hl-"
MOBILE = ("090", "091", "093", "094", "097", "098", "077", "079", "083", "085", "088", "070", "076")

FLOOD_TOPICS = {Topic.RESCUE: 52, Topic.WARNING_INFO: 26, Topic.FIELD_REPORT: 8, Topic.PUBLIC_SERVICE: 4,
                Topic.COMPLAINT: 3, Topic.OTHER: 7}
CALM_TOPICS = {Topic.FIELD_REPORT: 33, Topic.PUBLIC_SERVICE: 26, Topic.WARNING_INFO: 10, Topic.RESCUE: 4,
               Topic.COMPLAINT: 15, Topic.OTHER: 12}
OUTCOMES = {
    Topic.FIELD_REPORT: {Outcome.RESOLVED: 45, Outcome.TRANSFERRED: 25, Outcome.CALLBACK_NEEDED: 30},
    Topic.RESCUE: {Outcome.TRANSFERRED: 55, Outcome.RESOLVED: 30, Outcome.CALLBACK_NEEDED: 15},
    Topic.WARNING_INFO: {Outcome.RESOLVED: 90, Outcome.CALLBACK_NEEDED: 10},
    Topic.PUBLIC_SERVICE: {Outcome.RESOLVED: 70, Outcome.TRANSFERRED: 20, Outcome.CALLBACK_NEEDED: 10},
    Topic.COMPLAINT: {Outcome.RESOLVED: 40, Outcome.TRANSFERRED: 35, Outcome.CALLBACK_NEEDED: 25},
    Topic.OTHER: {Outcome.RESOLVED: 85, Outcome.TRANSFERRED: 15},
}
NOTES = {
    Topic.RESCUE: ["Nước ngập sâu, cần xuồng đưa người già đi sơ tán.", "Hỏi số điện thoại đội cứu hộ xã.",
                   "Báo có hộ dân bị cô lập, đã chuyển Ban chỉ huy PCTT phường.", "Cần nước uống, mì tôm cho 5 người."],
    Topic.WARNING_INFO: ["Hỏi lịch xả lũ hồ Bình Điền.", "Hỏi mực nước sông Hương tại Kim Long.",
                         "Hỏi điểm tránh trú gần nhất.", "Hỏi khi nào học sinh đi học lại."],
    Topic.FIELD_REPORT: ["Cây đổ chắn ngang đường.", "Đèn đường không sáng.", "Rác thải ứ đọng sau lũ.",
                         "Cống thoát nước bị tắc, nước không rút được."],
    Topic.PUBLIC_SERVICE: ["Hỏi thủ tục cấp lại giấy tờ bị ướt do lũ.", "Hỏi tra cứu hồ sơ một cửa.",
                           "Hỏi cách đăng ký tài khoản Hue-S."],
    Topic.COMPLAINT: ["Phản ánh chậm xử lý, đề nghị đôn đốc.", "Mất điện kéo dài, đề nghị kiểm tra."],
    Topic.OTHER: ["Gọi nhầm số.", "Cảm ơn lực lượng cứu hộ.", ""],
}


@dataclass
class DemoCalls:
    loaded: bool
    calls: int = 0
    linked_reports: int = 0
    linked_rescues: int = 0
    callbacks: int = 0


def _weight(day: dt.date) -> float:
    """How busy the hotline was that day: the flood of 25–31 October, the second one in November."""
    if dt.date(day.year, 10, 26) <= day <= dt.date(day.year, 10, 29):
        return 12
    if dt.date(day.year, 10, 25) <= day <= dt.date(day.year, 10, 31):
        return 6
    if dt.date(day.year, 11, 1) <= day <= dt.date(day.year, 11, 4):
        return 3
    if dt.date(day.year, 11, 15) <= day <= dt.date(day.year, 11, 17):
        return 4
    return 1


def _pick(r: random.Random, weights: dict):
    return r.choices(list(weights), list(weights.values()))[0]


def _phone(r: random.Random) -> str:
    return "+84" + r.choice(MOBILE)[1:] + f"{r.randrange(10**7):07d}"


def _at(day: dt.date, r: random.Random) -> dt.datetime:
    hour = r.choices(range(24), [1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 8, 7, 5, 6, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1])[0]
    return dt.datetime(day.year, day.month, day.day, hour, r.randrange(60), r.randrange(60), tzinfo=_VN)


def _call(r, *, at, phone, caller, operator, topic, outcome="", direction=Direction.INBOUND, missed=False,
          note=None, external_id=None, parent=None) -> Call:
    ring = dt.timedelta(seconds=r.randrange(3, 25))
    talk = dt.timedelta(seconds=r.randrange(40, 420))
    answered = None if missed else at + ring
    ended = at + ring if missed else answered + talk
    return Call(direction=direction, phone=phone, caller=caller, operator=None if missed else operator,
                state=CallState.MISSED if missed else CallState.ENDED, started_at=at, answered_at=answered,
                ended_at=ended, duration_seconds=None if missed else int(talk.total_seconds()), topic=topic,
                outcome=Outcome.NO_ANSWER if missed and direction == Direction.OUTBOUND else outcome,
                note=r.choice(NOTES.get(topic, [""])) if note is None else note, external_id=external_id,
                parent=parent, created_at=ended, updated_at=ended)


@transaction.atomic
def demo_load_calls(*, count: int = 300, seed: int = 2025) -> DemoCalls:
    if Call.objects.filter(external_id__startswith=PREFIX).exists():
        return DemoCalls(loaded=False)
    r = random.Random(seed)
    year = timezone.localtime().year - 1
    operators = list(User.objects.filter(role=Role.HOTLINE, is_active=True).order_by("phone")) or list(
        User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("phone")[:1])
    if not operators:
        return DemoCalls(loaded=False)
    people = list(User.objects.filter(role=Role.CITIZEN, is_active=True).order_by("pk").values_list("pk", "phone")[:400])
    by_phone = {phone: pk for pk, phone in people}
    since = dt.datetime(year, 10, 1, tzinfo=_VN)
    until = dt.datetime(year, 12, 1, tzinfo=_VN)

    # 1. The calls behind what the hotline filed: rescue requests and field reports.
    linked: list[tuple[Call, str, int]] = []  # (call, "report"|"rescue", id)
    rescues = RescueRequest.objects.filter(created_at__gte=since, created_at__lt=until, filed_by__isnull=False).order_by(
        "created_at", "pk")
    for req in rescues:
        phone = req.caller_phone or (req.requester.phone if req.requester_id else "")
        if not phone:
            continue
        at = req.created_at - dt.timedelta(minutes=r.randrange(2, 7))
        call = _call(r, at=at, phone=phone, caller=None, operator=r.choice(operators), topic=Topic.RESCUE,
                     outcome=Outcome.RESCUE_CREATED, note=f"{req.people} người cần hỗ trợ. {req.note}".strip())
        call.caller_id = by_phone.get(phone)
        linked.append((call, "rescue", req.pk))
    reports = Report.objects.filter(channel="hotline", created_at__gte=since, created_at__lt=until).select_related(
        "reporter").order_by("created_at", "pk")
    for report in reports:
        phone = report.reporter_phone or (report.reporter.phone if report.reporter_id else "")
        if not phone:
            continue
        at = report.created_at - dt.timedelta(minutes=r.randrange(3, 10))
        call = _call(r, at=at, phone=phone, caller=None, operator=r.choice(operators), topic=Topic.FIELD_REPORT,
                     outcome=Outcome.REPORT_CREATED, note=report.description[:200])
        call.caller_id = by_phone.get(phone)
        linked.append((call, "report", report.pk))

    # 2. The rest of the inbound calls, spread over the two months by how busy each day was.
    days = [dt.date(year, 10, 1) + dt.timedelta(days=i) for i in range(61)]
    weights = [_weight(d) for d in days]
    inbound_target = max(0, int(count * 0.86) - len(linked))
    inbound: list[Call] = []
    for _i in range(inbound_target):
        day = r.choices(days, weights)[0]
        flood = _weight(day) >= 3
        topic = _pick(r, FLOOD_TOPICS if flood else CALM_TOPICS)
        if people and r.random() < 0.35:
            pk, phone = r.choice(people)
        else:
            pk, phone = None, _phone(r)
        missed = r.random() < (0.12 if flood else 0.04)
        call = _call(r, at=_at(day, r), phone=phone, caller=None, operator=r.choice(operators),
                     topic="" if missed else topic, outcome="" if missed else _pick(r, OUTCOMES[topic]), missed=missed)
        call.caller_id = pk
        inbound.append(call)

    everything = [c for c, _k, _id in linked] + inbound
    everything.sort(key=lambda c: c.started_at)
    for i, call in enumerate(everything):
        call.external_id = f"{PREFIX}{year}-{i:04d}"
    Call.objects.bulk_create(everything)

    Call.reports.through.objects.bulk_create(
        [Call.reports.through(call_id=c.pk, report_id=oid) for c, kind, oid in linked if kind == "report"])
    Call.rescue_requests.through.objects.bulk_create(
        [Call.rescue_requests.through(call_id=c.pk, rescuerequest_id=oid) for c, kind, oid in linked
         if kind == "rescue"])

    # 3. Call-backs: for calls that needed one and missed calls, an outbound call some hours later.
    outbound: list[Call] = []
    callbacks: list[CallBack] = []
    for call in everything:
        if call.outcome != Outcome.CALLBACK_NEEDED and not (call.state == CallState.MISSED and r.random() < 0.7):
            continue
        due = call.ended_at + dt.timedelta(minutes=r.randrange(20, 240))
        operator = r.choice(operators)
        no_answer = r.random() < 0.1
        back = _call(r, at=due + dt.timedelta(minutes=r.randrange(0, 40)), phone=call.phone, caller=None,
                     operator=operator, topic=call.topic or Topic.OTHER, direction=Direction.OUTBOUND,
                     outcome=Outcome.RESOLVED, missed=no_answer, parent=call,
                     note="" if no_answer else "Đã gọi lại thông báo kết quả.")
        back.caller_id = call.caller_id
        outbound.append(back)
        callbacks.append(CallBack(call=call, due_at=due, assigned_to=operator, created_by=call.operator or operator,
                                  created_at=call.ended_at, attempts=1, done_at=None if no_answer else back.ended_at))
    Call.objects.bulk_create(outbound)
    for back, cb in zip(outbound, callbacks, strict=True):
        if cb.done_at is not None:
            cb.result_call = back
    CallBack.objects.bulk_create(callbacks)
    # A call-back the floods left open would be a year overdue: close those with their attempt.
    CallBack.objects.filter(pk__in=[cb.pk for cb in callbacks if cb.done_at is None]).update(
        done_at=until - dt.timedelta(days=1), note="Không liên lạc được sau nhiều lần gọi.")

    recent = _this_week(r, operators, people)
    return DemoCalls(loaded=True, calls=len(everything) + len(outbound) + recent,
                     linked_reports=sum(1 for _c, k, _i in linked if k == "report"),
                     linked_rescues=sum(1 for _c, k, _i in linked if k == "rescue"), callbacks=len(callbacks))


def _this_week(r: random.Random, operators: list[User], people: list[tuple[int, str]]) -> int:
    """A few calls in the last six days and two call-backs due today (one overdue), so the
    console shows something on a fresh demo."""
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    calls = []
    for i in range(24):
        day = today - dt.timedelta(days=r.randrange(0, 6))
        at = _at(day, r)
        if at > now - dt.timedelta(minutes=20):
            at = now - dt.timedelta(minutes=20 + i * 7)
        topic = _pick(r, CALM_TOPICS)
        pk, phone = r.choice(people) if people and r.random() < 0.4 else (None, _phone(r))
        missed = r.random() < 0.08
        call = _call(r, at=at, phone=phone, caller=None, operator=r.choice(operators), topic="" if missed else topic,
                     outcome="" if missed else _pick(r, OUTCOMES[topic]), missed=missed,
                     direction=Direction.OUTBOUND if r.random() < 0.15 else Direction.INBOUND,
                     external_id=f"{PREFIX}week-{i:03d}")
        call.caller_id = pk
        calls.append(call)
    Call.objects.bulk_create(calls)
    pending = [c for c in calls if c.direction == Direction.INBOUND and c.state == CallState.ENDED][:2]
    CallBack.objects.bulk_create([
        CallBack(call=c, due_at=now + (dt.timedelta(minutes=-45) if n == 0 else dt.timedelta(hours=2)),
                 assigned_to=c.operator, created_by=c.operator, created_at=c.ended_at,
                 note="Gọi lại báo kết quả xử lý." if n == 0 else "Gọi lại xác nhận địa chỉ.")
        for n, c in enumerate(pending)])
    Call.objects.filter(pk__in=[c.pk for c in pending]).update(outcome=Outcome.CALLBACK_NEEDED)
    return len(calls)
