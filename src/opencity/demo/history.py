"""A year of field reports for the demo: every report a legal run of the state machine.

Pushing 2,000 reports through the services one by one (locks, photo processing, notifications,
audit) would take minutes. Instead each report's life is *played* in memory
(:mod:`opencity.demo.life`: every step checked against ``reports.workflow.TRANSITIONS`` —
sources, targets and guards — exactly as ``workflow.apply`` would) and then everything is
written with ``bulk_create``. Times follow working hours (``deadline_from``): operators route
during office hours, units resolve most reports before the deadline and some after it,
citizens rate within the rating window, the periodic job closes the rest.

Determinism: one ``random.Random(seed)`` draws every report's plan and a per-report seed; a
report is replayed from its own seed while its start time is adjusted so that it ends before
now, so the same seed gives the same history (relative to the day it is loaded).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Collection
from typing import Any

from django.conf import settings
from shapely.geometry import Point, shape
from shapely.prepared import prep

from opencity.accounts.models import User
from opencity.geo.models import Area, AreaKind
from opencity.geo.selectors import area_id_for_point
from opencity.lib.worktime import TZ
from opencity.reports.models import (
    Category,
    ExtensionRequest,
    Follow,
    Photo,
    Priority,
    QuestionKind,
    RejectReason,
    Report,
    Status,
    TimelineEvent,
)
from opencity.reports.workflow import OPEN

from . import texts
from .life import (
    Context,
    Ev,
    HistoryError,
    Run,
    Spec,
    Story,
    Ward,
    pick,
)
from .pack import CATEGORIES, CategoryRow

# Share of each final status in the history: most reports are long closed; the open ones are
# the last days' work and an overdue backlog (the city publishes a processing rate of ~98%).
STATUS_SHARES: dict[str, float] = {
    Status.NEW: 0.01,
    Status.ASSIGNED: 0.015,
    Status.IN_PROGRESS: 0.035,
    Status.RESOLVED: 0.03,
    Status.REJECTED: 0.07,
    Status.MERGED: 0.045,
}
CORE_WARDS = frozenset(
    {
        "Phường Phú Xuân",
        "Phường Thuận Hóa",
        "Phường Vỹ Dạ",
        "Phường An Cựu",
        "Phường Kim Long",
        "Phường Thủy Xuân",
        "Phường Hương An",
    }
)
# Kiệt 32 Lê Văn Hưu: the story is played live by the browser test; keep street-light history
# away from it so the duplicate check does not offer an old report.
STORY_POINT = (16.4745, 107.5755)
STORY_CLEARANCE_M = 250
HOURS = tuple(range(6, 23))
HOUR_WEIGHTS = (1, 3, 4, 4, 4, 3, 2, 2, 3, 4, 4, 4, 3, 3, 3, 2, 1)

# --- drawing the plans ----------------------------------------------------------------------


def _ward_weight(area: Area) -> float:
    factor = 3.0 if area.name in CORE_WARDS else (1.0 if area.kind == AreaKind.WARD else 0.5)
    return (area.population or 20000) * factor


def load_wards() -> list[Ward]:
    wards = []
    for area in (
        Area.objects.filter(parent__code=settings.OPENCITY_CITY_CODE)
        .exclude(boundary=None)
        .order_by("code")
    ):
        geom = shape(area.boundary)
        wards.append(
            Ward(area, geom, prep(geom), _ward_weight(area), texts.STREETS.get(area.name, ()))
        )
    return wards


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat1 - lat2) * 110_540
    dx = (lon1 - lon2) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


def sample_point(
    r: random.Random,
    ward: Ward,
    *,
    avoid_story: bool = False,
    near: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """A point inside the ward that the app itself maps back to this ward.

    Small urban wards are sampled uniformly; in the large rural communes points gather around
    the centre, where people live, instead of spreading over forest and lagoon.
    """
    minx, miny, maxx, maxy = ward.shape.bounds
    centre = (ward.area.lon or (minx + maxx) / 2, ward.area.lat or (miny + maxy) / 2)
    spread = None if (ward.area.area_km2 or 0) < 25 else 0.012
    for attempt in range(200):
        if near is not None:
            lon, lat = near[1] + r.gauss(0, 0.00012), near[0] + r.gauss(0, 0.00012)
        elif spread is None or attempt > 100:
            lon, lat = r.uniform(minx, maxx), r.uniform(miny, maxy)
        else:
            lon, lat = r.gauss(centre[0], spread), r.gauss(centre[1], spread)
        lat, lon = round(lat, 6), round(lon, 6)
        if not ward.prepared.contains(Point(lon, lat)):
            continue
        if avoid_story and _distance_m(lat, lon, *STORY_POINT) < STORY_CLEARANCE_M:
            continue
        if area_id_for_point(lat, lon) != ward.area.pk:
            continue
        return lat, lon
    if near is not None:
        return near
    point = ward.shape.representative_point()
    return round(point.y, 6), round(point.x, 6)


def make_place(r: random.Random, ward: Ward) -> tuple[str, str]:
    """(address, phrase for the description), e.g. ("Kiệt 32 Lê Văn Hưu, Phường Phú Xuân",
    "trong kiệt 32 Lê Văn Hưu")."""
    if ward.streets:
        street = pick(r, ward.streets)
        n = r.randint(1, 240)
        x = r.random()
        landmarks = texts.LANDMARKS.get(ward.name)
        if x < 0.45:
            address, place = f"{n} {street}", f"trước số nhà {n} {street}"
        elif x < 0.75:
            k = r.randint(2, 120)
            address, place = f"Kiệt {k} {street}", f"trong kiệt {k} {street}"
        elif x < 0.9 or not landmarks:
            address, place = f"Đường {street} (gần số {n})", f"trên đường {street}, gần số nhà {n}"
        else:
            landmark = pick(r, landmarks)
            address, place = f"{street}, gần {landmark}", f"gần {landmark}"
    else:
        village = pick(r, texts.VILLAGES)
        roads = texts.MOUNTAIN_ROADS if ward.name in texts.MOUNTAIN_WARDS else texts.ROADS
        if r.random() < 0.6:
            address, place = village, "tại " + village[0].lower() + village[1:]
        else:
            road = pick(r, roads)
            address = f"{road}, đoạn qua {village[0].lower() + village[1:]}"
            place = f"trên {road}, đoạn qua {village[0].lower() + village[1:]}"
    return f"{address}, {ward.name}", place


def make_answers(r: random.Random, category: Category, fixed: dict, created: dt.datetime) -> dict:
    """Answers to the category's questions, in the shape ``validate_answers`` stores."""
    answers: dict[str, Any] = {}
    for q in category.questions.all():
        if q.code in fixed:
            answers[q.code] = fixed[q.code]
            continue
        if not q.required and r.random() < 0.5:
            continue
        keys = [c["key"] for c in q.choices]
        if q.kind == QuestionKind.SINGLE:
            answers[q.code] = pick(r, keys)
        elif q.kind == QuestionKind.MULTIPLE:
            answers[q.code] = sorted(r.sample(keys, r.randint(1, min(2, len(keys)))))
        elif q.kind == QuestionKind.NUMBER:
            answers[q.code] = float(r.randint(10, 60))
        elif q.kind == QuestionKind.DATE:
            answers[q.code] = (
                created.astimezone(TZ).date() - dt.timedelta(days=r.randint(0, 3))
            ).isoformat()
        elif q.code == "so-cot":
            answers[q.code] = f"Cột số {r.randint(1, 60)}"
        elif q.code == "bien-so":
            answers[q.code] = (
                f"75{pick(r, 'ABCDEFGHKL')}{r.randint(1, 9)}-{r.randint(100, 999)}.{r.randint(10, 99)}"
            )
        else:
            answers[q.code] = "Không rõ"
    for key, value in fixed.items():  # fixed answers may be numbers for number questions
        if isinstance(value, int):
            answers[key] = float(value)
    return answers


def _status_plan(n: int, r: random.Random) -> list[str]:
    counts = {status: max(1, round(n * share)) for status, share in STATUS_SHARES.items()}
    counts[Status.CLOSED] = n - sum(counts.values())
    if counts[Status.CLOSED] < 1:  # tiny packs: one of each as far as it goes
        order = [
            Status.CLOSED,
            Status.RESOLVED,
            Status.IN_PROGRESS,
            Status.NEW,
            Status.ASSIGNED,
            Status.REJECTED,
            Status.MERGED,
        ]
        return [order[i % len(order)] for i in range(n)]
    plan = [status for status, count in counts.items() for _ in range(count)]
    r.shuffle(plan)
    return plan


def _start(r: random.Random, ctx: Context, target: str, season: bool) -> dt.datetime:
    """A first guess for when the report was sent (the fit adjusts it)."""
    if target == Status.NEW:
        age = r.uniform(0.05, 1.5)
    elif target == Status.ASSIGNED:
        age = r.uniform(0.1, 2.5) if r.random() < 0.75 else r.uniform(3, 15)
    elif target == Status.IN_PROGRESS:
        age = r.uniform(0.5, 8) if r.random() < 0.7 else r.uniform(8, 50)
    elif target == Status.RESOLVED:
        age = r.uniform(1, 8)
    else:
        for _ in range(6):  # more reports lately; rain-related ones in the rainy season
            age = 2 + 360 * r.random() ** 1.25
            month = (ctx.now - dt.timedelta(days=age)).astimezone(TZ).month
            if not season or month >= 9:
                break
    day = (ctx.now - dt.timedelta(days=age)).astimezone(TZ).date()
    hour = r.choices(HOURS, HOUR_WEIGHTS)[0]
    return dt.datetime.combine(day, dt.time(hour, r.randint(0, 59), r.randint(0, 59)), TZ)


def _fit(ctx: Context, spec: Spec, created: dt.datetime) -> Run:
    """Play the report, moving its start until its life ends before now (and, for a report
    left ``resolved``, inside the rating window, or the periodic job would have closed it)."""
    limit = ctx.now - dt.timedelta(minutes=5)
    window_start = (
        ctx.now - dt.timedelta(days=settings.OPENCITY_RATING_WINDOW_DAYS) + dt.timedelta(hours=6)
    )
    r = random.Random(spec.seed ^ 0x5EED)
    target_resolved = ctx.now - dt.timedelta(days=r.uniform(0.3, 5.5))
    run = Story(ctx, spec, created).play()
    for attempt in range(16):
        if spec.target == Status.RESOLVED:
            assert run.resolved_at is not None
            if window_start <= run.resolved_at and run.last <= limit:
                return run
            created += target_resolved - run.resolved_at
        else:
            if run.last <= limit:
                return run
            created -= (run.last - limit) + dt.timedelta(minutes=30 * 2**attempt)
        if spec.original is not None:
            created = max(created, spec.original.created_at + dt.timedelta(minutes=5))
        run = Story(ctx, spec, created).play()
    if spec.target == Status.RESOLVED:  # could not land it in the window: it was closed then
        spec.target = Status.CLOSED
        return _fit(ctx, spec, ctx.now - dt.timedelta(days=40))
    raise HistoryError(f"report {spec.index} does not fit before now")


class Planner:
    """Draws the specs from the master generator."""

    def __init__(self, ctx: Context, r: random.Random):
        self.ctx, self.r = ctx, r
        self.ward_weights = [w.weight for w in ctx.wards]
        self.citizen_weights = [1 / (i + 1) ** 0.6 for i in range(len(ctx.citizens))]
        self.rows = [row for row in CATEGORIES if row.code in ctx.categories]

    def ward(self) -> Ward:
        return self.r.choices(self.ctx.wards, self.ward_weights)[0]

    def category(self, ward: Ward) -> tuple[Category, CategoryRow]:
        rows = [row for row in self.rows if not row.places or ward.name in row.places]
        row = self.r.choices(rows, [row.weight for row in rows])[0]
        return self.ctx.categories[row.code]

    def citizen(self, ward: Ward, exclude: Collection[int] = ()) -> User:
        local = [c for c in self.ctx.citizens_by_area.get(ward.area.pk, []) if c.pk not in exclude]
        if local and self.r.random() < 0.6:
            return pick(self.r, local)
        while True:
            user = self.r.choices(self.ctx.citizens, self.citizen_weights)[0]
            if user.pk not in exclude:
                return user

    def spec(
        self,
        index: int,
        target: str,
        *,
        ward: Ward | None = None,
        category_code: str = "",
        reporter: User | None = None,
        force_rating: int | None = None,
    ) -> Spec:
        r = self.r
        ward = ward or self.ward()
        category, row = self.ctx.categories[category_code] if category_code else self.category(ward)
        lat, lon = sample_point(r, ward, avoid_story=row.code == "chieu-sang")
        address, place = make_place(r, ward)
        reject_reason, case = "", -1
        if target == Status.REJECTED:
            reject_reason = r.choices(RejectReason.values, (20, 40, 35, 5))[0]
            description, fixed = pick(r, texts.REJECTED_DESCRIPTIONS[reject_reason]), {}
        else:
            case = r.randrange(len(texts.DESCRIPTIONS[row.code]))
            template, fixed, _results = texts.DESCRIPTIONS[row.code][case]
            description = template.format(place=place) + pick(r, texts.ENDINGS)
        channel, filer, name, phone = "web", None, "", ""
        if reporter is None and r.random() < 0.07:
            channel, filer = "hotline", pick(r, self.ctx.hotline)
            if r.random() < 0.6:
                name = person_name(r)
                phone = "+84" + pick(r, texts.MOBILE_PREFIXES)[1:] + f"{r.randrange(10**6):06d}"
            else:
                reporter = self.citizen(ward)
            description = (
                "Công dân gọi tổng đài 1900 1075 phản ánh: "
                + description[:1].lower()
                + description[1:]
            )
        elif reporter is None:
            reporter = self.citizen(ward)
        spec = Spec(
            index=index,
            target=target,
            seed=r.getrandbits(64),
            category=category,
            row=row,
            ward=ward,
            lat=lat,
            lon=lon,
            address=address,
            place=place,
            description=description,
            answers={},
            reporter=reporter,
            filer=filer or reporter,
            channel=channel,
            reporter_name=name,
            reporter_phone=phone,
            is_public=r.random() >= 0.05,
            reject_reason=reject_reason,
            force_rating=force_rating,
            case=case,
        )
        spec.answers = make_answers(r, category, fixed, self.ctx.now)
        return spec

    def duplicate(self, index: int, original: Run) -> Spec:
        """A second report on the same problem, close by, which the IOC merges."""
        r, o = self.r, original.spec
        reporter = self.citizen(o.ward, exclude={u.pk for u in (o.reporter,) if u is not None})
        lat, lon = sample_point(r, o.ward, near=(o.lat, o.lon))
        template, fixed, _results = texts.DESCRIPTIONS[o.row.code][o.case]  # the same problem
        spec = Spec(
            index=index,
            target=Status.MERGED,
            seed=r.getrandbits(64),
            category=o.category,
            row=o.row,
            ward=o.ward,
            lat=lat,
            lon=lon,
            address=o.address,
            place=o.place,
            description=template.format(place=o.place) + pick(r, texts.ENDINGS),
            answers={},
            reporter=reporter,
            filer=reporter,
            original=original,
            case=o.case,
        )
        spec.answers = make_answers(r, o.category, fixed, self.ctx.now)
        return spec


def person_name(r: random.Random) -> str:
    """A plausible Vietnamese full name (Huế has many Tôn Thất / Tôn Nữ / Nguyễn Phúc)."""
    surnames, weights = zip(*texts.SURNAMES, strict=True)
    surname = r.choices(surnames, weights)[0]
    if r.random() < 0.5:
        middle, given = pick(r, texts.MALE_MIDDLE), pick(r, texts.MALE_GIVEN)
        if surname in ("Tôn Thất", "Nguyễn Phúc"):  # these family names carry no middle name
            return f"{surname} {given}"
    else:
        middle, given = pick(r, texts.FEMALE_MIDDLE), pick(r, texts.FEMALE_GIVEN)
        if surname == "Tôn Thất":
            surname = "Tôn Nữ"
    return f"{surname} {middle} {given}"


def _add_follows(ctx: Context, planner: Planner, run: Run, r: random.Random) -> None:
    """Followers and "me too": the third "me too" on an open, normal report raises its
    priority, as ``report_follow`` does."""
    spec = run.spec
    if not spec.is_public or r.random() >= 0.14:
        return
    exclude = {u.pk for u in (spec.reporter, ctx.demo_citizen) if u is not None}
    me_too_times: list[dt.datetime] = []
    for _ in range(r.randint(1, 4)):
        user = planner.citizen(spec.ward, exclude=exclude | set(run.follows))
        at = run.created_at + dt.timedelta(hours=r.uniform(0.2, 72))
        if at >= ctx.now:
            continue
        me_too = r.random() < 0.6
        run.follows[user.pk] = (user, me_too, at)
        if me_too:
            me_too_times.append(at)
    run.me_too_count += len(me_too_times)
    if len(me_too_times) < 3 or any(ev.action == "set_priority" for ev in run.events):
        return
    at = sorted(me_too_times)[2]
    status = run.status_at(at)
    if status not in OPEN or at in {ev.at for ev in run.events}:
        return
    ev = Ev(
        "set_priority",
        at,
        None,
        None,
        "",
        False,
        {"from": Priority.NORMAL, "to": Priority.HIGH, "me_too": 3},
        status,
        status,
    )
    run.events.append(ev)
    run.events.sort(key=lambda e: e.at)
    run.last = max(run.last, at)
    run.priority = Priority.HIGH


def generate(ctx: Context, *, count: int, seed: int) -> list[Run]:
    """Plan and play ``count`` reports. Nothing is written here."""
    r = random.Random(seed)
    planner = Planner(ctx, r)
    plan = _status_plan(count, r)
    specs: list[Spec | None] = [None] * count
    by_ward = {w.name: w for w in ctx.wards}
    phu_xuan = by_ward.get("Phường Phú Xuân")

    def take(status: str) -> int | None:
        for i, s in enumerate(plan):
            if s == status and specs[i] is None:
                return i
        return None

    # A few street-light reports in Phường Phú Xuân, and the demo citizen's own history.
    if phu_xuan is not None and "chieu-sang" in ctx.categories:
        for status in (
            Status.CLOSED,
            Status.CLOSED,
            Status.CLOSED,
            Status.RESOLVED,
            Status.IN_PROGRESS,
        ):
            i = take(status)
            if i is not None:
                specs[i] = planner.spec(i, status, ward=phu_xuan, category_code="chieu-sang")
        for code, rating in (("rac-thai", 5), ("hu-hong-duong", 4), ("chieu-sang", 5)):
            i = take(Status.CLOSED)
            if i is not None and code in ctx.categories:
                specs[i] = planner.spec(
                    i,
                    Status.CLOSED,
                    ward=phu_xuan,
                    category_code=code,
                    reporter=ctx.demo_citizen,
                    force_rating=rating,
                )
    for i, status in enumerate(plan):
        if specs[i] is None and status != Status.MERGED:
            specs[i] = planner.spec(i, status)

    runs: list[Run] = []
    for spec in specs:
        if spec is None:
            continue
        run = _fit(ctx, spec, _start(r, ctx, spec.target, spec.row.season))
        runs.append(run)

    originals = [
        run
        for run in runs
        if run.status not in (Status.REJECTED, Status.MERGED)
        and run.spec.reporter is not None
        and run.created_at < ctx.now - dt.timedelta(hours=6)
    ]
    for i, status in enumerate(plan):
        if status != Status.MERGED:
            continue
        if not originals:  # nothing to merge into: the IOC rejects it instead
            spec = planner.spec(i, Status.REJECTED)
            runs.append(_fit(ctx, spec, _start(r, ctx, spec.target, spec.row.season)))
            continue
        for _attempt in range(8):
            original = pick(r, originals)
            spec = planner.duplicate(i, original)
            created = original.created_at + dt.timedelta(hours=r.uniform(0.3, 48))
            try:
                run = _fit(ctx, spec, min(created, ctx.now - dt.timedelta(hours=1)))
                break
            except HistoryError:  # the original is too recent for a merge before now
                continue
        else:
            raise HistoryError(f"no original to merge report {i} into")
        runs.append(run)
        reporter = spec.reporter
        assert reporter is not None
        merge_at = run.events[-1].at
        if reporter.pk != original.spec.reporter.pk and reporter.pk not in original.follows:  # type: ignore[union-attr]
            original.follows[reporter.pk] = (reporter, True, merge_at)
            original.me_too_count += 1

    for run in runs:
        if run.status != Status.MERGED:
            _add_follows(ctx, planner, run, random.Random(run.spec.seed ^ 0xF011))
    runs.sort(key=lambda run: (run.created_at, run.spec.index))
    return runs


# --- writing -------------------------------------------------------------------------------


def persist(runs: list[Run]) -> dict[str, int]:
    """Write the played history with bulk inserts, in dependency order. Returns row counts."""
    reports = []
    for run in runs:
        s = run.spec
        run.obj = Report(
            status=run.status,
            version=len(run.events),
            category=s.category,
            description=s.description,
            answers=s.answers,
            lat=s.lat,
            lon=s.lon,
            address=s.address,
            area=s.ward.area,
            is_public=s.is_public,
            priority=run.priority,
            reporter=s.reporter,
            reporter_name=s.reporter_name,
            reporter_phone=s.reporter_phone,
            channel=s.channel,
            unit=run.unit,
            reject_reason=run.reject_reason,
            status_note=run.status_note,
            result_text=run.result_text,
            result_pending=run.result_pending,
            awaiting_citizen=run.awaiting_citizen,
            paused_at=run.paused_at,
            dispute_pending=run.dispute_pending,
            rating=run.rating,
            rating_comment=run.rating_comment,
            me_too_count=run.me_too_count,
            created_at=run.created_at,
            updated_at=run.last,
            assigned_at=run.assigned_at,
            due_at=run.due_at,
            resolved_at=run.resolved_at,
            work_hours=run.work_hours,
            closed_at=run.closed_at,
        )
        reports.append(run.obj)
    Report.objects.bulk_create(reports, batch_size=500)

    merged = [run for run in runs if run.merged_into is not None]
    for run in merged:
        run.obj.merged_into_id = run.merged_into.obj.pk  # type: ignore[union-attr]
    Report.objects.bulk_update([run.obj for run in merged], ["merged_into"], batch_size=500)

    extensions = []
    for run in runs:
        for ext in run.extensions:
            ext.obj = ExtensionRequest(
                report=run.obj,
                requested_by=ext.requested_by,
                extra_hours=ext.extra_hours,
                reason=ext.reason,
                status=ext.status,
                decided_by=ext.decided_by,
                decided_at=ext.decided_at,
                created_at=ext.created_at,
            )
            extensions.append(ext.obj)
    ExtensionRequest.objects.bulk_create(extensions, batch_size=500)

    events = []
    for run in runs:
        for ev in run.events:
            data, note = dict(ev.data), ev.note
            if ev.extension is not None:
                data = {"extension": ev.extension.obj.pk, **data}  # type: ignore[union-attr]
            if ev.merge_into is not None:
                ref = ev.merge_into.obj.ref  # type: ignore[union-attr]
                data = {"into": ev.merge_into.obj.pk, "into_ref": ref}  # type: ignore[union-attr]
                note = texts.MERGE_NOTE.format(ref=ref)
            ev.obj = TimelineEvent(
                report=run.obj,
                actor=ev.actor,
                actor_role=ev.actor.role if ev.actor else "",
                actor_unit=ev.actor_unit,
                action=ev.action,
                from_status=ev.from_status,
                to_status=ev.to_status,
                note=note,
                is_public=ev.is_public,
                data=data,
                created_at=ev.at,
            )
            events.append(ev.obj)
    TimelineEvent.objects.bulk_create(events, batch_size=1000)

    photos = [
        Photo(
            report=run.obj,
            kind=kind,
            event=ev.obj,
            image=img.image,
            thumb=img.thumb,
            width=img.width,
            height=img.height,
            is_hidden=ev.photos_hidden,
            created_at=ev.at,
        )
        for run in runs
        for ev in run.events
        for kind, img in ev.photos
    ]
    Photo.objects.bulk_create(photos, batch_size=1000)

    follows = [
        Follow(report=run.obj, user=user, me_too=me_too, created_at=at)
        for run in runs
        for user, me_too, at in run.follows.values()
    ]
    Follow.objects.bulk_create(follows, batch_size=1000)
    return {
        "reports": len(reports),
        "events": len(events),
        "photos": len(photos),
        "follows": len(follows),
        "extensions": len(extensions),
    }
