"""One report's life, played in memory under the workflow's rules.

:class:`Run` mirrors the Report fields the workflow reads and refuses any step that
``reports.workflow.TRANSITIONS`` (sources, targets, guards) would refuse, so every generated
timeline is a legal run of the state machine; what each step changes on the report comes from
``reports.effects``, the functions the services call, so the demo's deadlines, paused clocks and
processing times are the product's. :class:`Story` decides what happens to one
report (who routes it, when the unit resolves it, whether the reporter rates or disputes) from
the report's own seed, with staff acting in working hours (``deadline_from``) and citizens at
any hour.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from opencity.accounts.models import User
from opencity.geo.models import Area
from opencity.orgs.models import Unit
from opencity.reports import deadlines, effects
from opencity.reports.models import (
    Category,
    ExtensionRequest,
    ExtensionStatus,
    PhotoKind,
    Priority,
    Report,
    RoutingRule,
    Status,
    TimelineEvent,
)
from opencity.reports.services.common import deadline_from
from opencity.reports.workflow import TRANSITIONS
from opencity.worktime.selectors import default_calendar

from . import texts
from .images import StoredImage, theme_for
from .pack import CategoryRow

RATINGS = (1, 2, 3, 4, 5)
RATING_WEIGHTS = (3, 3, 5, 27, 62)  # ~89% rate 4 or 5: the city reports over 92% satisfied
MIN_GAP = dt.timedelta(seconds=20)


class HistoryError(AssertionError):
    """The generator tried a step the workflow forbids: a bug here, never bad input."""


# --- what the generator works with ------------------------------------------------------


@dataclass
class Ward:
    area: Area
    shape: Any
    prepared: Any
    weight: float
    streets: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.area.name


@dataclass
class Context:
    """Everything loaded once from the database before the history is played."""

    now: dt.datetime
    wards: list[Ward]
    categories: dict[str, tuple[Category, CategoryRow]]
    rules: dict[tuple[int, int | None], RoutingRule]
    units: dict[str, Unit]
    officers: dict[int, list[User]]
    heads: dict[int, list[User]]
    operators: list[User]
    hotline: list[User]
    citizens: list[User]
    demo_citizen: User
    images: dict[str, dict[str, list[StoredImage]]]
    city_units: list[Unit] = field(default_factory=list)
    citizens_by_area: dict[int, list[User]] = field(default_factory=dict)

    def rule_for(self, category: Category, area: Area) -> RoutingRule | None:
        return self.rules.get((category.pk, area.pk)) or self.rules.get((category.pk, None))

    def workers(self, unit: Unit) -> list[User]:
        return self.officers.get(unit.pk) or self.heads.get(unit.pk) or []


@dataclass
class ExtSpec:
    requested_by: User
    extra_hours: int
    reason: str
    created_at: dt.datetime
    status: str = ExtensionStatus.PENDING
    decided_by: User | None = None
    decided_at: dt.datetime | None = None
    obj: ExtensionRequest | None = None


@dataclass
class Ev:
    action: str
    at: dt.datetime
    actor: User | None
    actor_unit: Unit | None
    note: str
    is_public: bool
    data: dict
    from_status: str
    to_status: str
    photos: list[tuple[str, StoredImage]] = field(default_factory=list)
    photos_hidden: bool = False
    extension: ExtSpec | None = None
    merge_into: Run | None = None
    obj: TimelineEvent | None = None


@dataclass
class Spec:
    """A report's plan, drawn from the master generator before it is played."""

    index: int
    target: str
    seed: int
    category: Category
    row: CategoryRow
    ward: Ward
    lat: float
    lon: float
    address: str
    place: str
    description: str
    answers: dict
    reporter: User | None
    filer: User | None  # who submits: the reporter, or the hotline operator for a caller
    channel: str = "web"
    reporter_name: str = ""
    reporter_phone: str = ""
    is_public: bool = True
    reject_reason: str = ""
    force_rating: int | None = None
    case: int = -1  # which of the category's texts.DESCRIPTIONS it is (-1: none)
    original: Run | None = None  # merged reports: the report they duplicate


class Run:
    """One report's life, played step by step under the workflow's rules.

    The attributes mirror the Report fields the workflow's guards read, so the guards of
    ``TRANSITIONS`` run on this object unchanged — except the dispute window, which the guard
    measures from the real "now" and which is measured here from the event's own time.
    """

    def __init__(self, spec: Spec, created_at: dt.datetime):
        self.spec = spec
        self.created_at = created_at
        self.last = created_at
        self.status = ""
        self.events: list[Ev] = []
        self.unit: Unit | None = None
        self.assigned_at: dt.datetime | None = None
        self.due_at: dt.datetime | None = None
        self.resolved_at: dt.datetime | None = None
        self.work_hours: float | None = None
        self.closed_at: dt.datetime | None = None
        self.clock_start: dt.datetime | None = None  # when the current deadline started
        self.result_text = ""
        self.result_pending = False
        self.awaiting_citizen = False
        self.paused_at: dt.datetime | None = None  # the deadline clock stopped (waiting for the reporter)
        self.dispute_pending = False
        self.rating: int | None = None
        self.rating_comment = ""
        self.priority = Priority.NORMAL
        self.reject_reason = ""
        self.status_note = ""
        self.me_too_count = 0
        self.extensions: list[ExtSpec] = []
        self.follows: dict[int, tuple[User, bool, dt.datetime]] = {}
        self.merged_into: Run | None = None
        self.obj: Report | None = None

    def next_at(self, at: dt.datetime) -> dt.datetime:
        """The time :meth:`act` will give a step wanted at ``at`` (after the previous one)."""
        return max(at, self.last + MIN_GAP) if self.events else at

    def act(
        self,
        action: str,
        at: dt.datetime,
        actor: User | None,
        *,
        actor_unit: Unit | None = None,
        note: str = "",
        public: bool | None = None,
        data: dict | None = None,
        changes: dict[str, Any] | None = None,
        same_moment: bool = False,
    ) -> Ev:
        """``same_moment``: the step happens in the previous one's transaction (an automatic
        route at submit), at its very time; every other step comes strictly after the previous."""
        t = TRANSITIONS[action]
        if self.status not in t.sources:
            raise HistoryError(f"{action} from {self.status!r}")
        if self.events and not same_moment:  # strictly after the previous step: one order
            at = max(at, self.last + MIN_GAP)
        if action == "dispute":
            window = settings.OPENCITY_DISPUTE_WINDOW_DAYS
            if (
                self.dispute_pending
                or self.resolved_at is None
                or (at - self.resolved_at).days >= window
            ):
                raise HistoryError("dispute outside the window")
        elif t.guard is not None and t.guard(self) is not None:  # type: ignore[arg-type]
            raise HistoryError(f"{action}: {t.guard(self)}")  # type: ignore[arg-type]
        for name, value in (changes or {}).items():
            setattr(self, name, value)
        ev = Ev(
            action,
            at,
            actor,
            actor_unit,
            note,
            t.public if public is None else public,
            data or {},
            self.status,
            t.target or self.status,
        )
        self.status = ev.to_status
        self.last = at
        self.events.append(ev)
        return ev

    def status_at(self, at: dt.datetime) -> str:
        current = ""
        for ev in self.events:
            if ev.at > at:
                break
            current = ev.to_status
        return current


# --- playing one report ------------------------------------------------------------------


def pick(r: random.Random, items: Sequence[Any]) -> Any:
    """One item of a table, drawn from ``r`` (the same draw as ``r.choice``)."""
    return items[r.randrange(len(items))]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Story:
    """Plays one report from its spec. Every random draw comes from the report's own seed."""

    def __init__(self, ctx: Context, spec: Spec, created_at: dt.datetime):
        self.ctx = ctx
        self.spec = spec
        self.r = random.Random(spec.seed)
        self.run = Run(spec, created_at)
        self.clock = default_calendar()

    @property
    def deadline(self) -> int:
        """The deadline's working hours for the report's category at its priority now."""
        return deadlines.deadline_hours(self.spec.category, self.run.priority)

    # time
    def work(self, lo: float, hi: float) -> dt.datetime:
        """A moment ``lo``–``hi`` working hours after the last step (staff work office hours)."""
        return deadline_from(self.run.last, self.r.uniform(lo, hi))

    def cal(self, lo: float, hi: float) -> dt.datetime:
        """``lo``–``hi`` calendar hours after the last step (citizens act any time)."""
        return self.run.last + dt.timedelta(hours=self.r.uniform(lo, hi))

    # people
    def operator(self) -> User:
        return pick(self.r, self.ctx.operators)

    def officer(self, unit: Unit) -> User:
        return pick(self.r, self.ctx.workers(unit))

    def head(self, unit: Unit) -> User | None:
        heads = self.ctx.heads.get(unit.pk)
        return pick(self.r, heads) if heads else None

    def photos(self, phase: str, lo: int, hi: int) -> list[StoredImage]:
        pool = self.ctx.images[theme_for(self.spec.category.code)][phase]
        return self.r.sample(pool, min(len(pool), self.r.randint(lo, hi)))

    # steps
    def submit(self) -> None:
        s = self.spec
        ev = self.run.act("submit", self.run.created_at, s.filer, data={"channel": s.channel})
        if self.r.random() < 0.65 and s.target not in (Status.REJECTED,):
            ev.photos = [(PhotoKind.REPORT, img) for img in self.photos("before", 1, 2)]
        rule = self.auto_rule()
        if rule is not None:  # routed by the rule in the submit's own transaction, as the services do
            self.route(rule.unit, automatic=True)

    def auto_rule(self) -> RoutingRule | None:
        """The rule that routes this report at submit (``routing.should_route_automatically``)."""
        rule = self.ctx.rule_for(self.spec.category, self.spec.ward.area)
        return rule if rule is not None and rule.automatic else None

    def proposed_unit(self) -> tuple[Unit, RoutingRule | None]:
        rule = self.ctx.rule_for(self.spec.category, self.spec.ward.area)
        if rule is not None and self.ctx.workers(rule.unit):
            return rule.unit, rule
        return self.ctx.units[self.spec.row.unit], rule

    def route(self, unit: Unit | None = None, *, automatic: bool = False) -> None:
        proposed, _rule = self.proposed_unit()
        rule = self.ctx.rule_for(self.spec.category, self.spec.ward.area)
        unit = unit or proposed
        if automatic:
            at = self.run.last
            actor, note = None, ""
        else:
            at = self.work(0.1, 3.0)
            actor, note = self.operator(), pick(self.r, texts.ROUTE_NOTES)
            if self.run.priority == Priority.NORMAL and self.r.random() < 0.07:
                to = (
                    Priority.URGENT
                    if self.spec.row.code in ("ngap-ung", "cay-xanh", "dien")
                    else Priority.HIGH
                )
                self.run.act(
                    "set_priority",
                    at,
                    actor,
                    note=pick(self.r, texts.PRIORITY_NOTES),
                    data={"from": Priority.NORMAL, "to": to},
                    changes=effects.set_priority(priority=to),
                )
                at = self.run.last + dt.timedelta(minutes=self.r.randint(1, 8))
        at = at if automatic else self.run.next_at(at)  # the step's own time: the deadline runs from it
        self.run.act(
            "route",
            at,
            actor,
            note=note,
            data={
                "unit_id": unit.pk,
                "unit": unit.name,
                "automatic": automatic,
                "proposed_unit_id": rule.unit_id if rule else None,
                "overridden": bool(rule and rule.unit_id != unit.pk),
            },
            changes={**effects.route(unit=unit, at=at, hours=self.deadline, clock=self.clock), "clock_start": at},
            same_moment=automatic,
        )

    def wrong_unit(self) -> Unit:
        proposed, _rule = self.proposed_unit()
        return pick(
            self.r, [u for u in self.ctx.city_units if u.pk != proposed.pk and self.ctx.workers(u)]
        )

    def give_back(self) -> None:
        """The unit returns the report: not its jurisdiction."""
        unit = self.run.unit
        assert unit is not None
        proposed, _rule = self.proposed_unit()
        reason = (
            texts.RETURN_REASON.format(unit=proposed.name)
            if proposed.pk != unit.pk
            else texts.RETURN_REASON_LOCAL
        )
        self.run.act(
            "return",
            self.work(0.3, 6),
            self.officer(unit),
            actor_unit=unit,
            public=False,
            note=reason,
            data={"unit_id": unit.pk, "unit": unit.name},
            changes=effects.give_back(),
        )

    def route_to_unit(self) -> None:
        """Route as the city does: mostly by the rules, sometimes by the operator's judgement."""
        if self.run.status == Status.ASSIGNED:  # an automatic rule did at submit
            return
        code = self.spec.category.code
        if self.r.random() < 0.05:  # sent to the wrong unit first, which returns it
            self.route(self.wrong_unit())
            if self.r.random() < 0.3:
                self.accept()
            self.give_back()
            self.route()
        elif code == "vien-thong" and self.r.random() < 0.4 and "viettel-hue" in self.ctx.units:
            self.route(self.ctx.units["viettel-hue"])
        else:
            self.route()

    def accept(self) -> None:
        unit = self.run.unit
        assert unit is not None
        self.run.act(
            "accept",
            self.work(0.1, 5),
            self.officer(unit),
            actor_unit=unit,
            note=pick(self.r, texts.ACCEPT_NOTES),
        )

    def note(self) -> None:
        unit = self.run.unit
        assert unit is not None
        self.run.act(
            "note",
            self.work(0.2, 3),
            self.officer(unit),
            actor_unit=unit,
            public=False,
            note=pick(self.r, texts.INTERNAL_NOTES),
        )

    def ask(self, answered: bool) -> None:
        unit = self.run.unit
        assert unit is not None and self.spec.reporter is not None
        # the deadline's clock stops and runs again exactly as the services make it
        at = self.run.next_at(self.work(0.3, 4))
        self.run.act(
            "ask_info",
            at,
            self.officer(unit),
            actor_unit=unit,
            note=pick(self.r, texts.ASK_INFO),
            changes=effects.ask_info(self.run, at=at),
        )
        if answered:
            at = self.run.next_at(self.cal(1, 30))
            changes = effects.answer_info(self.run, at=at, clock=self.clock)
            self.run.act(
                "answer_info",
                at,
                self.spec.reporter,
                note=pick(self.r, texts.ANSWERS),
                data={"due_at": changes["due_at"].isoformat()} if "due_at" in changes else None,
                changes=changes,
            )

    def extension(self, decided: bool) -> None:
        unit = self.run.unit
        assert unit is not None
        officer = self.officer(unit)
        hours = pick(self.r, (8, 16, 24, 40))
        at = self.work(1, 8)
        ext = ExtSpec(officer, hours, pick(self.r, texts.EXTENSION_REASONS), at)
        self.run.extensions.append(ext)
        ev = self.run.act(
            "request_extension",
            at,
            officer,
            actor_unit=unit,
            note=ext.reason,
            data={"extra_hours": hours},
        )
        ev.extension = ext
        if not decided:
            return
        head = self.head(unit)
        decider = head or self.operator()
        at = self.run.next_at(self.work(0.5, 6))
        approve = self.r.random() < 0.8
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        ext.decided_by, ext.decided_at = decider, at
        data: dict[str, Any] = {"approved": approve, "extra_hours": hours}
        changes: dict[str, Any] = {}
        if approve:
            changes = effects.extend(self.run, hours=hours, at=at, clock=self.clock)
            data["due_at"] = changes["due_at"].isoformat()
        ev = self.run.act(
            "decide_extension",
            at,
            decider,
            note=pick(self.r, texts.EXTENSION_DECISIONS)
            if approve
            else "Không đồng ý gia hạn, đề nghị đơn vị xử lý đúng hạn.",
            public=approve,
            data=data,
            changes=changes,
        )
        ev.extension = ext

    def extras(self) -> None:
        """What happens on some reports between accepting and resolving."""
        x = self.r.random()
        if x < 0.12:
            self.note()
        elif x < 0.19 and self.spec.reporter is not None:
            self.ask(answered=True)
        elif x < 0.25:
            self.extension(decided=True)

    def result_text(self, unit: Unit) -> str:
        prefix = pick(self.r, texts.RESULT_PREFIXES).format(unit=unit.name)
        _text, _answers, results = texts.DESCRIPTIONS[self.spec.category.code][self.spec.case]
        body = pick(self.r, results).format(place=self.spec.place)
        return prefix + body if prefix else _cap(body)

    def resolve_time(self) -> dt.datetime:
        late = self.r.random() < 0.12
        share = self.r.uniform(1.1, 2.4) if late else self.r.uniform(0.12, 0.9)
        assert self.run.clock_start is not None
        at = deadline_from(self.run.clock_start, max(0.5, share * self.deadline))
        return at if at > self.run.last + dt.timedelta(minutes=10) else self.work(0.3, 2)

    def submit_result(self, unit: Unit, at: dt.datetime) -> Ev:
        text = self.result_text(unit)
        ev = self.run.act(
            "submit_result",
            at,
            self.officer(unit),
            actor_unit=unit,
            note=text,
            changes=effects.submit_result(text=text),
        )
        if self.r.random() < 0.85:
            ev.photos = [(PhotoKind.RESULT, img) for img in self.photos("after", 1, 2)]
        return ev

    def resolve(self, *, pending_only: bool = False) -> None:
        """Publish the result; where the unit requires it, through the head's approval."""
        unit = self.run.unit
        assert unit is not None
        at = self.resolve_time()
        head = self.head(unit)
        if unit.requires_result_approval and head is not None:
            submitted = self.submit_result(unit, at)
            if pending_only:
                return
            if self.r.random() < 0.12:
                self.run.act(
                    "reject_result",
                    self.work(0.5, 4),
                    head,
                    actor_unit=unit,
                    note=pick(self.r, texts.RESULT_SENT_BACK),
                    changes=effects.reject_result(),
                )
                submitted.photos_hidden = True
                self.submit_result(unit, self.work(1, 8))
            at = self.run.next_at(self.work(0.3, 6))
            self.run.act(
                "resolve",
                at,
                head,
                actor_unit=unit,
                note=self.run.result_text,
                data={"approved_by_head": True, "head_note": ""},
                changes=effects.resolve(self.run, at=at, clock=self.clock),
            )
            return
        text = self.result_text(unit)
        at = self.run.next_at(at)
        ev = self.run.act(
            "resolve",
            at,
            self.officer(unit),
            actor_unit=unit,
            note=text,
            changes=effects.resolve(self.run, at=at, clock=self.clock, text=text),
        )
        if self.r.random() < 0.85:
            ev.photos = [(PhotoKind.RESULT, img) for img in self.photos("after", 1, 2)]

    def rate(self, rating: int) -> None:
        at = self.run.next_at(self.cal(0.3, 120))
        comment = pick(self.r, texts.RATING_COMMENTS[rating])
        self.run.act(
            "rate",
            at,
            self.spec.reporter,
            note=comment,
            data={"rating": rating},
            changes=effects.rate(rating=rating, comment=comment, at=at),
        )

    def close(self) -> None:
        assert self.run.resolved_at is not None
        window = dt.timedelta(days=settings.OPENCITY_RATING_WINDOW_DAYS)
        at = self.run.next_at(self.run.resolved_at + window + dt.timedelta(minutes=self.r.randint(2, 60)))
        self.run.act("close", at, None, changes=effects.close(at=at))

    def dispute(self) -> bool:
        """The reporter disputes the result, inside the dispute window (False if it has passed)."""
        at = self.cal(1, 48)
        assert self.run.resolved_at is not None
        closes = self.run.resolved_at + dt.timedelta(days=settings.OPENCITY_DISPUTE_WINDOW_DAYS)
        if at >= closes - dt.timedelta(hours=1):
            at = closes - dt.timedelta(hours=self.r.uniform(1, 6))
        if at <= self.run.last:
            return False
        self.run.act(
            "dispute",
            at,
            self.spec.reporter,
            note=pick(self.r, texts.DISPUTE_REASONS),
            changes=effects.dispute(),
        )
        return True

    def decide_dispute(self, agree: bool) -> None:
        at = self.run.next_at(self.work(0.5, 6))
        if agree:
            self.run.act(
                "reopen",
                at,
                self.operator(),
                note=pick(self.r, texts.REOPEN_NOTES),
                data={"previous": {"rating": self.run.rating, "result": self.run.result_text}},
                changes={**effects.reopen(at=at, hours=self.deadline, clock=self.clock), "clock_start": at},
            )
        else:
            self.run.act(
                "deny_dispute",
                at,
                self.operator(),
                note=pick(self.r, texts.DENY_NOTES),
                changes=effects.deny_dispute(),
            )

    def draw_rating(self) -> int:
        if self.spec.force_rating:
            return self.spec.force_rating
        return self.r.choices(RATINGS, RATING_WEIGHTS)[0]

    def finish(self) -> None:
        """From resolved to closed: rated (maybe disputed) or closed when the window ends."""
        if self.spec.reporter is None or (
            self.spec.force_rating is None and self.r.random() < 0.25
        ):
            self.close()
            return
        rating = self.draw_rating()
        self.rate(rating)
        if (
            rating <= 2
            and self.spec.force_rating is None
            and self.r.random() < 0.45
            and self.dispute()
        ):
            if self.r.random() < 0.6:
                self.decide_dispute(agree=True)
                self.resolve()
                if self.r.random() < 0.8:
                    self.rate(self.r.choices(RATINGS, (1, 1, 3, 30, 65))[0])
                else:
                    self.close()
            else:
                self.decide_dispute(agree=False)

    # whole lives, by the status the report should reach
    def back_to_triage(self) -> None:
        """A report an automatic rule sent to a unit that should not have it: the unit returns
        it (sometimes after accepting it) before the IOC can reject or merge it."""
        if self.run.status == Status.ASSIGNED:
            if self.r.random() < 0.3:
                self.accept()
            self.give_back()

    def play(self) -> Run:
        s, r = self.spec, self.r
        self.submit()
        target = s.target
        if target in (Status.MERGED, Status.REJECTED):
            self.back_to_triage()
        if target == Status.MERGED:
            assert s.original is not None
            ev = self.run.act(
                "merge", self.work(0.1, 3), self.operator(), changes=effects.merge(into=s.original)
            )
            ev.merge_into = s.original
        elif target == Status.REJECTED:
            reason = s.reject_reason
            note = texts.REJECT_NOTES[reason]
            self.run.act(
                "reject",
                self.work(0.1, 4),
                self.operator(),
                note=note,
                data={"reason": reason},
                changes=effects.reject(reason=reason, note=note),
            )
        elif target == Status.NEW:
            if self.run.status == Status.NEW and r.random() < 0.2:
                self.route(self.wrong_unit())
            self.back_to_triage()
        elif target == Status.ASSIGNED:
            self.route_to_unit()
        else:
            self.route_to_unit()
            self.accept()
            if target == Status.IN_PROGRESS:
                self.in_progress()
            else:
                self.extras()
                self.resolve()
                if target == Status.RESOLVED:
                    if s.reporter is not None and s.force_rating is None and r.random() < 0.08:
                        self.dispute()
                elif target == Status.CLOSED:
                    self.finish()
        return self.run

    def in_progress(self) -> None:
        unit = self.run.unit
        assert unit is not None
        x = self.r.random()
        has_reporter = self.spec.reporter is not None
        if unit.requires_result_approval and self.head(unit) is not None and x < 0.4:
            self.resolve(pending_only=True)
        elif x < 0.45:
            if self.r.random() < 0.3:
                self.note()
        elif x < 0.57 and has_reporter:
            self.ask(answered=False)
        elif x < 0.67 and has_reporter:
            self.ask(answered=True)
        elif x < 0.77:
            self.extension(decided=False)
        elif x < 0.87:
            self.extension(decided=True)
        elif has_reporter:
            self.resolve()
            self.rate(self.r.choice((1, 2)))
            if self.dispute():
                self.decide_dispute(agree=True)
