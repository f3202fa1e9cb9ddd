"""Synthetic field reports at city and province scale (``python -m bench.gen_load``).

What is generated, for ``reports`` reports over the last ``years`` years:

- **Where**: the city's wards, weighted like the demo pack (population, the inner-city wards
  more); points drawn once per ward into a pool (inside the ward's polygon and mapped back to
  it by ``geo.selectors.area_id_for_point``), then reused. Merged duplicates sit on the point of
  the report they duplicate.
- **What**: categories weighted like the demo pack (the rainy-season ones peak from September
  to December), with the demo pack's texts: descriptions, answers, results, notes, ratings.
- **When**: more reports in later years and in the rainy season, by the hour of day.
- **Lives**: every report lives a legal run of ``reports.workflow.TRANSITIONS`` in working time
  (routed, accepted, resolved on time or late, rated or closed by the job, sometimes disputed
  and reopened; some rejected, merged, or stuck in the backlog); its state is where that run is
  *now*, so open reports are the recent ones plus a small overdue backlog. One timeline event
  per step, written exactly as ``workflow.apply`` would (statuses, version, actors, data).
- **People**: ``citizens`` generated citizens (phones ``+8470…``) report, follow and say
  "me too"; the demo pack's staff route and process.

Speed: rows are drawn chunk by chunk with numpy, then streamed. On PostgreSQL with ``COPY``
(psycopg 3 ``cursor.copy()``), with the tables' secondary indexes and foreign keys dropped and
rebuilt at the end in the same transaction when the load is large (what ``pg_restore`` does); on
SQLite with ``executemany`` in chunks. Memory is bounded by the chunk size, whatever ``reports``.

Determinism: the same ``seed``, ``reports``, ``citizens``, ``years``, ``now`` and reference data
give the same rows. Signals do not fire (no ``save()``): the KPI roll-ups are rebuilt after the
load (``manage.py rebuild_rollups``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import shapely
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, models, transaction
from django.utils import timezone

from opencity.accounts.models import Role, User
from opencity.demo import texts
from opencity.demo.history import HOUR_WEIGHTS, HOURS, load_wards, person_name
from opencity.demo.pack import CATEGORIES as PACK_CATEGORIES
from opencity.geo.selectors import area_id_for_point
from opencity.lib.worktime import TZ
from opencity.orgs.models import Membership
from opencity.reports import deadlines, effects
from opencity.reports.models import (
    Category,
    Follow,
    Priority,
    QuestionKind,
    Report,
    RoutingRule,
    TimelineEvent,
)
from opencity.worktime.selectors import default_calendar

from .worktime import DAY, ArrayClock, WorkIndex

logger = logging.getLogger(__name__)

CHUNK_SIZE = 20_000
BIG_LOAD = 100_000  # from this many reports on PostgreSQL, rebuild indexes after the load
PRODUCER_FROM = 50_000  # from this many, rows are drawn in a child process while COPY runs
CITIZEN_PHONE_PREFIX = "+8470"  # 070… is a mobile prefix; 10 million numbers
CITIZEN_ID_PREFIX = "046"  # Huế's code in citizen IDs; the demo pack's random ids never start with 0

# Fates: how each report's life ends (if "now" comes late enough).
P_REJECT = 0.07
P_MERGE = 0.05
P_STUCK_NEW = 0.004  # the backlog: never routed…
P_STUCK_ASSIGNED = 0.006  # …never accepted…
P_STUCK_PROGRESS = 0.015  # …never resolved
P_LATE = 0.18  # resolved after the deadline
P_RATE = 0.45  # the reporter rates within the window; else the job closes it after the window
P_DISPUTE_REOPEN = 0.015
P_DISPUTE_DENY = 0.005
P_NOTE = 0.2  # an internal note while in progress
P_PUBLIC = 0.93
P_FOLLOWED = 0.08
RATING_WEIGHTS = np.array([3, 3, 5, 27, 62], dtype=float)  # 1…5, as in the demo pack
PRIORITY_WEIGHTS = np.array([0.08, 0.85, 0.06, 0.01])  # low, normal, high, urgent
CHANNELS = ("web", "api", "hotline")
CHANNEL_WEIGHTS = np.array([0.8, 0.12, 0.08])
RATING_WINDOW_DAYS = 7  # the rating window; the closing job runs after it
SEASON_MONTHS = (9, 10, 11, 12)


def _esc(text: str) -> str:
    """Plain text for ``COPY … FROM STDIN`` (text format) and for SQLite alike: no tabs or line
    breaks in generated text, so that one row is one line."""
    return text.replace("\\", "/").replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _escaped(items):
    return tuple(_esc(x) for x in items)


# The demo pack's texts, escaped once.
REJECT_REASONS = ("spam", "out_of_scope", "not_enough_info", "other")
REJECTED_TEXTS = {k: _escaped(v) for k, v in texts.REJECTED_DESCRIPTIONS.items()}
REJECT_NOTES = {k: _esc(v) for k, v in texts.REJECT_NOTES.items()}
ENDINGS = _escaped(texts.ENDINGS)
MERGE_NOTE = _esc(texts.MERGE_NOTE)
INTERNAL_NOTES = _escaped(texts.INTERNAL_NOTES)
RESULT_PREFIXES = _escaped(texts.RESULT_PREFIXES)
DISPUTE_REASONS = _escaped(texts.DISPUTE_REASONS)
REOPEN_NOTES = _escaped(texts.REOPEN_NOTES)
DENY_NOTES = _escaped(texts.DENY_NOTES)
RATING_COMMENTS = {k: _escaped(v) for k, v in texts.RATING_COMMENTS.items()}
CHANNEL_DATA = {ch: f'{{"channel": "{ch}"}}' for ch in CHANNELS}
# Roles as plain strings (the rows are written as they are)
CITIZEN, OPERATOR, OFFICER, HOTLINE = (str(r.value) for r in (Role.CITIZEN, Role.OPERATOR, Role.OFFICER,
                                                              Role.HOTLINE))


@dataclass
class LoadSummary:
    reports: int = 0
    events: int = 0
    follows: int = 0
    citizens_created: int = 0
    statuses: Counter = field(default_factory=Counter)
    seconds_generate: float = 0.0  # drawing rows and streaming them into the tables
    seconds_indexes: float = 0.0  # rebuilding the dropped indexes and constraints
    seconds_total: float = 0.0  # the whole load, indexes included (roll-ups aside)
    seconds_rollups: float | None = None
    backend: str = ""
    deferred_indexes: bool = False

    @property
    def rate(self) -> float:
        """Reports per second over the whole load (generation, COPY, index rebuild)."""
        return self.reports / self.seconds_total if self.seconds_total else 0.0


# --- reference data ----------------------------------------------------------------------------


def ensure_reference_data() -> bool:
    """Load the demo pack's reference data (wards, units, categories, routing rules, staff)
    without its report history if there are no categories yet. Returns True if it did."""
    if Category.objects.filter(is_active=True).exists():
        return False
    from opencity.demo.services import demo_load

    demo_load(reports=0)
    return True


@dataclass
class WardPool:
    area_id: int
    name: str
    lon: np.ndarray
    lat: np.ndarray
    places: list[tuple[str, str]]  # (address, phrase for the description)
    lat_s: list[str] = field(default_factory=list)  # the points as written
    lon_s: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.lat_s = [repr(x) for x in self.lat.tolist()]
        self.lon_s = [repr(x) for x in self.lon.tolist()]


@dataclass
class CatInfo:
    id: int
    code: str
    name: str
    weight: float
    season: bool
    wards: set[int] | None  # only reported in these wards (None: anywhere)
    deadline: tuple[int, ...]  # working hours by priority (deadlines.deadline_hours)
    cases: list[tuple[str, str, tuple[str, ...]]]  # (description template, answers JSON, results)
    date_questions: tuple[str, ...]
    rules: dict[int | None, tuple[int, bool]]  # area id (None: city) → (unit id, automatic)


def _sample_points(ward, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` points inside the ward that the app maps back to it (vectorised draws, like
    the demo pack: uniform in small wards, gathered around the centre of large communes)."""
    minx, miny, maxx, maxy = ward.shape.bounds
    centre = (ward.area.lon or (minx + maxx) / 2, ward.area.lat or (miny + maxy) / 2)
    gather = (ward.area.area_km2 or 0) >= 25
    lons: list[float] = []
    lats: list[float] = []
    for attempt in range(60):
        n = max(count * 2, 64)
        if gather and attempt < 30:
            x, y = rng.normal(centre[0], 0.012, n), rng.normal(centre[1], 0.012, n)
        else:
            x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        x, y = np.round(x, 6), np.round(y, 6)
        inside = shapely.contains_xy(ward.shape, x, y)
        for lon, lat in zip(x[inside].tolist(), y[inside].tolist(), strict=True):
            if area_id_for_point(lat, lon) == ward.area.pk:
                lons.append(lon)
                lats.append(lat)
        if len(lons) >= count:
            break
    if not lons:
        p = ward.shape.representative_point()
        lons, lats = [round(p.x, 6)], [round(p.y, 6)]
    return np.array(lons[:count]), np.array(lats[:count])


def _places(ward, r: random.Random, count: int) -> list[tuple[str, str]]:
    from opencity.demo.history import make_place

    return [tuple(_esc(s) for s in make_place(r, ward)) for _ in range(count)]  # type: ignore[misc]


def _answers_json(category: Category, fixed: dict) -> tuple[str, tuple[str, ...]]:
    """The answers a typical citizen gives: the case's fixed answers, the first choice of any
    other required question. Date answers are filled in per report (``__DATE__``)."""
    answers: dict[str, Any] = {}
    dates = []
    for q in category.questions.all():
        if q.code in fixed:
            value = fixed[q.code]
            answers[q.code] = float(value) if isinstance(value, int) else value
        elif q.kind == QuestionKind.DATE:
            answers[q.code] = "__DATE__"
            dates.append(q.code)
        elif q.required:
            keys = [c["key"] for c in q.choices]
            if q.kind == QuestionKind.SINGLE and keys:
                answers[q.code] = keys[0]
            elif q.kind == QuestionKind.MULTIPLE and keys:
                answers[q.code] = [keys[0]]
            elif q.kind == QuestionKind.NUMBER:
                answers[q.code] = 20.0
            else:
                answers[q.code] = "Không rõ"
    return _esc(json.dumps(answers, ensure_ascii=False)), tuple(dates)


@dataclass
class Reference:
    wards: list[WardPool]
    ward_weights: np.ndarray
    categories: list[CatInfo]
    operators: list[int]
    hotline: list[int]
    workers: dict[int, list[int]]  # unit id → officers (heads if none)
    unit_names: dict[int, tuple[str, str]]  # unit id → (name, short name)


def load_reference(*, seed: int, points_per_ward: int) -> Reference:
    wards = load_wards()
    if not wards:
        raise RuntimeError("No wards with boundaries: run migrate (the geo data migration) first.")
    rng = np.random.default_rng([seed, 0xA2EA])
    r = random.Random(seed)
    pools = []
    for ward in wards:
        lon, lat = _sample_points(ward, points_per_ward, rng)
        pools.append(WardPool(ward.area.pk, ward.name, lon, lat, _places(ward, r, 300)))
    weights = np.array([w.weight for w in wards], dtype=float)
    by_name = {w.name: w.area.pk for w in wards}

    rows = {row.code: row for row in PACK_CATEGORIES}
    rules: dict[int, dict[int | None, tuple[int, bool]]] = {}
    for rule in RoutingRule.objects.filter(unit__is_active=True):
        rules.setdefault(rule.category_id, {})[rule.area_id] = (rule.unit_id, rule.automatic)
    cats = []
    for c in Category.objects.filter(is_active=True).prefetch_related("questions").order_by("pk"):
        row = rows.get(c.code)
        cases = []
        for template, fixed, results in texts.DESCRIPTIONS.get(c.code, ()):
            answers, dates = _answers_json(c, fixed)
            cases.append((_esc(template), answers, tuple(_esc(x) for x in results)))
        if not cases:
            answers, dates = _answers_json(c, {})
            cases.append((_esc(f"{c.name_vi} {{place}} cần được kiểm tra, xử lý."), answers,
                          ("đơn vị đã kiểm tra và xử lý {place}.",)))
        places = {by_name[p] for p in (row.places if row else ()) if p in by_name} or None
        cats.append(CatInfo(
            id=c.pk, code=c.code, name=c.name_vi, weight=row.weight if row else 1.0,
            season=bool(row and row.season), wards=places,
            deadline=tuple(deadlines.deadline_hours(c, p) for p in Priority.values),
            cases=cases, date_questions=dates, rules=rules.get(c.pk, {}),
        ))
    if not cats:
        raise RuntimeError("No active categories: load the reference data first (manage.py load_demo).")

    operators = list(User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("pk")
                     .values_list("pk", flat=True))
    hotline = list(User.objects.filter(role=Role.HOTLINE, is_active=True).order_by("pk")
                   .values_list("pk", flat=True))
    officers: dict[int, list[int]] = {}
    heads: dict[int, list[int]] = {}
    for unit_id, user_id, is_head in Membership.objects.order_by("unit_id", "user_id").values_list(
        "unit_id", "user_id", "is_head"
    ):
        (heads if is_head else officers).setdefault(unit_id, []).append(user_id)
    workers = {u: officers.get(u) or heads.get(u) or [] for u in set(officers) | set(heads)}
    from opencity.orgs.models import Unit

    unit_names = {u.pk: (_esc(u.name), _esc(u.short_name or u.name)) for u in Unit.objects.all()}
    return Reference(pools, weights / weights.sum(), cats, operators, hotline, workers, unit_names)


def ensure_citizens(count: int, *, seed: int, log: Callable[[str], None]) -> tuple[np.ndarray, int]:
    """The generated citizens (phone ``+8470`` + 7 digits), creating the missing ones in bulk.
    They cannot log in (unusable password). Returns (their ids in order, how many were created)."""
    if count > 10_000_000:
        raise ValueError("at most 10,000,000 generated citizens")
    phones = [f"{CITIZEN_PHONE_PREFIX}{i:07d}" for i in range(count)]
    existing = dict(User.objects.filter(phone__startswith=CITIZEN_PHONE_PREFIX).values_list("phone", "pk"))
    missing = [i for i, p in enumerate(phones) if p not in existing]
    areas = [w.area for w in load_wards()]
    r = random.Random(seed ^ 0xC171)
    joined = timezone.now() - dt.timedelta(days=1200)
    batch = []
    for n, i in enumerate(missing, 1):
        batch.append(User(
            phone=phones[i], citizen_id=f"{CITIZEN_ID_PREFIX}{i:09d}", full_name=person_name(r),
            role=Role.CITIZEN, home_area=areas[i % len(areas)] if areas else None,
            password=f"{UNUSABLE_PASSWORD_PREFIX}bench{i}", date_joined=joined,
        ))
        if len(batch) == 5000 or n == len(missing):
            User.objects.bulk_create(batch)
            batch = []
    if missing:
        log(f"created {len(missing)} citizens")
        existing = dict(User.objects.filter(phone__startswith=CITIZEN_PHONE_PREFIX)
                        .values_list("phone", "pk"))
    return np.array([existing[p] for p in phones], dtype=np.int64), len(missing)


# --- the plan ---------------------------------------------------------------------------------


def _day_weights(first: dt.date, days: int) -> np.ndarray:
    """More reports in later years (the app catches on) and in the rainy season."""
    idx = np.arange(days)
    growth = 0.6 + 0.8 * idx / max(days - 1, 1)
    dates = [first + dt.timedelta(days=int(i)) for i in idx]
    season = np.array([1.35 if d.month in SEASON_MONTHS else 1.0 for d in dates])
    weekend = np.array([0.8 if d.weekday() >= 5 else 1.0 for d in dates])
    w = growth * season * weekend
    return w / w.sum()


REPORT_COLUMNS = (
    "id", "status", "version", "category_id", "description", "description_public", "answers",
    "lat", "lon", "address", "area_id", "is_public", "priority", "reporter_id", "reporter_name",
    "reporter_phone", "channel", "client_token", "unit_id", "merged_into_id", "reject_reason",
    "status_note", "result_text", "result_pending", "awaiting_citizen", "dispute_pending",
    "rating", "rating_comment", "me_too_count", "created_at", "updated_at", "assigned_at",
    "due_at", "resolved_at", "closed_at", "paused_at", "work_hours",
)
EVENT_COLUMNS = ("report_id", "actor_id", "actor_role", "actor_unit_id", "action", "from_status",
                 "to_status", "note", "is_public", "data", "created_at")
FOLLOW_COLUMNS = ("report_id", "user_id", "me_too", "created_at")


NUL = "\\N"  # NULL in COPY text
B = {True: "1", False: "0"}  # PostgreSQL and SQLite both read these as booleans


def _extra_columns(model, generated: tuple[str, ...]) -> dict[str, str]:
    """Columns of ``model`` that the generator does not fill, with the text to put there (a
    nullable column: NULL; else its default). Raises if a column has neither, so that a new
    required field shows up here (and in the tests) instead of as a failed load."""
    extra = {}
    for f in model._meta.concrete_fields:
        if f.column in generated or f.column == "id":
            continue
        if f.null:
            extra[f.column] = NUL
        elif isinstance(f, models.JSONField) and f.has_default():
            extra[f.column] = _esc(json.dumps(f.get_default()))
        elif f.has_default() and not callable(f.default):
            value = f.get_default()
            extra[f.column] = B[value] if isinstance(value, bool) else _esc(str(value))
        else:
            raise RuntimeError(f"gen_load does not know how to fill {model.__name__}.{f.name}")
    return extra


def _tail(model, generated: tuple[str, ...]) -> str:
    extra = _extra_columns(model, generated)
    return "".join("\t" + v for v in extra.values())


class Planner:
    """Draws the reports chunk by chunk; keeps what later chunks need (the last report of each
    ward and category, for merged duplicates)."""

    def __init__(self, ref: Reference, citizens: np.ndarray, *, reports: int, seed: int,
                 now: dt.datetime, years: float, first_id: int, ts: Callable[[np.ndarray], list[str]]):
        self.ref, self.citizens, self.seed, self.ts = ref, citizens, seed, ts
        self.citizens_l = citizens.tolist()
        self.now = int(now.timestamp())
        today = timezone.localtime(now, TZ).date()
        self.first_day = today - dt.timedelta(days=max(1, round(365.25 * years)) - 1)
        days = (today - self.first_day).days + 1
        calendar = default_calendar()
        longest = max(max(c.deadline) for c in ref.categories)
        horizon = today + dt.timedelta(days=int(longest * 3.5 / 8 * 7 / 5) + 60)
        self.work = WorkIndex(calendar, self.first_day - dt.timedelta(days=1), horizon)
        self.clock = ArrayClock(self.work)
        rng = np.random.default_rng([seed, 0xDA75])
        self.day_counts = rng.multinomial(reports, _day_weights(self.first_day, days))
        self.day_ends = np.cumsum(self.day_counts)
        self.first_local_midnight = int(dt.datetime.combine(self.first_day, dt.time(0), TZ).timestamp())
        self.reports = reports
        self.first_id = first_id
        self.last_of: dict[tuple[int, int], tuple[int, int]] = {}  # (ward, cat) → (report id, point)
        self.r = random.Random(seed ^ 0x7E47)
        # ward × category weights (categories reported only in some wards are left out elsewhere)
        w = np.array([c.weight for c in ref.categories])
        season_w = np.array([c.weight * (1.6 if c.season else 1.0) for c in ref.categories])
        self.cat_p = {}
        for wi, ward in enumerate(ref.wards):
            ok = np.array([c.wards is None or ward.area_id in c.wards for c in ref.categories])
            for season, base in ((False, w), (True, season_w)):
                p = base * ok
                self.cat_p[(wi, season)] = np.cumsum(p / p.sum())
        self.day_in_season = np.array([(self.first_day + dt.timedelta(days=d)).month in SEASON_MONTHS
                                       for d in range(days)])
        # (category, ward) → the routing rule's unit (0: none) and whether it routes automatically
        shape = (len(ref.categories), len(ref.wards))
        self.rule_unit = np.zeros(shape, dtype=np.int64)
        self.rule_auto = np.zeros(shape, dtype=bool)
        self.route_data: dict[tuple[int | None, bool], str] = {}
        for c, cat in enumerate(ref.categories):
            for wi, pool in enumerate(ref.wards):
                rule = cat.rules.get(pool.area_id) or cat.rules.get(None)
                if rule:
                    self.rule_unit[c, wi], self.rule_auto[c, wi] = rule
                    for auto in (False, True):
                        self.route_data[(rule[0], auto)] = _esc(json.dumps(
                            {"unit_id": rule[0], "unit": ref.unit_names.get(rule[0], ("", ""))[0],
                             "automatic": auto, "proposed_unit_id": rule[0], "overridden": False},
                            ensure_ascii=False))
        self.deadline_s = np.array([[h * 3600 for h in cat.deadline] for cat in ref.categories],
                                   dtype=np.int64)
        self.tails = (_tail(Report, REPORT_COLUMNS), _tail(TimelineEvent, EVENT_COLUMNS),
                      _tail(Follow, FOLLOW_COLUMNS))
        self.hours = np.array(HOURS)
        hw = np.array(HOUR_WEIGHTS, dtype=float)
        self.hour_p = hw / hw.sum()

    def chunks(self, size: int) -> Iterator[tuple[int, int]]:
        for start in range(0, self.reports, size):
            yield start, min(start + size, self.reports)

    # The plan of one chunk: everything drawn at once with numpy, then one Python pass that
    # writes the rows (no per-report random calls in numpy's place).
    def plan(self, start: int, stop: int, chunk_no: int) -> tuple[list[str], list[str], list[str], Counter]:
        ref, n = self.ref, stop - start
        rng = np.random.default_rng([self.seed, chunk_no])
        day = np.searchsorted(self.day_ends, np.arange(start, stop), side="right")
        created = (self.first_local_midnight + day * 86_400
                   + rng.choice(self.hours, n, p=self.hour_p) * 3600 + rng.integers(0, 3600, n))
        created = np.minimum(created, self.now - rng.integers(60, 3600, n))
        created.sort()
        in_season = self.day_in_season[day]
        ward = np.searchsorted(np.cumsum(ref.ward_weights), rng.random(n) * (1 - 1e-12), side="right")
        u_cat = rng.random(n) * (1 - 1e-12)
        fate_u = rng.random(n)
        late = rng.random(n) < P_LATE
        rated = rng.random(n) < P_RATE
        rating = rng.choice(5, n, p=RATING_WEIGHTS / RATING_WEIGHTS.sum()) + 1
        priority = rng.choice(4, n, p=PRIORITY_WEIGHTS)
        channel = rng.choice(3, n, p=CHANNEL_WEIGHTS)
        public = rng.random(n) < P_PUBLIC
        reporter = self.citizens[rng.integers(0, len(self.citizens), n)]
        noted = rng.random(n) < P_NOTE
        dispute_u = rng.random(n)
        followed = rng.random(n) < P_FOLLOWED
        picks = rng.integers(0, 1 << 30, (n, 8))

        # Working-time steps (seconds): route, accept, the note, resolve (as a share of the
        # deadline), then calendar time to the rating / the closing job / a dispute.
        ws_created = self.work.to_ws(created)
        ws_route = ws_created + 300 + rng.exponential(1.5 * 3600, n).astype(np.int64)
        ws_accept = ws_route + 120 + rng.exponential(2.0 * 3600, n).astype(np.int64)
        share = np.where(late, rng.uniform(1.05, 3.0, n), rng.uniform(0.12, 0.95, n))
        ws_note = ws_accept + rng.integers(600, 4 * 3600, n)
        rate_after = rng.uniform(0.05, RATING_WINDOW_DAYS - 0.5, n) * 86_400
        close_after = RATING_WINDOW_DAYS * 86_400 + rng.integers(60, 3600, n)
        dispute_after = rng.uniform(0.2, 5, n) * 86_400
        decide_ws = 1800 + rng.exponential(4 * 3600, n).astype(np.int64)
        share2 = rng.uniform(0.1, 0.9, n)

        # Categories and their rule (unit, automatic) per report, then the run's moments, all as
        # arrays: the per-report pass below only picks from them.
        ci = np.zeros(n, dtype=np.int64)
        for (wi, season), cum in self.cat_p.items():
            mask = (ward == wi) & (in_season == season)
            if mask.any():
                ci[mask] = np.searchsorted(cum, u_cat[mask], side="right")
        unit = self.rule_unit[ci, ward]
        automatic = self.rule_auto[ci, ward]
        hours = self.deadline_s[ci, priority]
        work = self.work
        w_route = np.where(automatic, work.to_ws(created), ws_route)  # routed in the submit's transaction
        t_route = np.where(automatic, created, work.from_ws(ws_route))
        w_accept = np.maximum(ws_accept, w_route + 60)
        w_resolve = w_accept + np.maximum(600, (share * hours).astype(np.int64) - (w_accept - w_route))
        w_note = np.clip(ws_note, w_accept + 1, w_resolve - 1)
        t_accept, t_note, t_resolve = (work.from_ws(w) for w in (w_accept, w_note, w_resolve))
        t_dispute = t_resolve + dispute_after.astype(np.int64)
        w_decide = work.to_ws(t_dispute) + decide_ws
        t_decide = work.from_ws(w_decide)
        reopen = dispute_u < P_DISPUTE_REOPEN
        deny = (dispute_u >= P_DISPUTE_REOPEN) & (dispute_u < P_DISPUTE_REOPEN + P_DISPUTE_DENY)
        w_resolve2 = w_decide + np.maximum(600, (share2 * hours).astype(np.int64))
        t_resolve2 = work.from_ws(w_resolve2)
        t_final = np.where(reopen, t_resolve2, t_resolve)
        t_rate = np.maximum(t_final + rate_after.astype(np.int64), np.where(deny, t_decide + 600, 0))
        t_close = t_final + close_after
        # What the steps set, by the product's own effect functions (over whole arrays): the
        # deadline from the routing and from a reopening, the processing time at each result.
        clock, hours_h = self.clock, hours / 3600
        routed = effects.route(unit=unit, at=t_route, hours=hours_h, clock=clock)
        t_due = routed["due_at"]
        assigned = SimpleNamespace(assigned_at=t_route, due_at=t_due, paused_at=None)
        first_work = np.round(effects.resolve(assigned, at=t_resolve, clock=clock)["work_hours"], 4)
        t_due2 = effects.reopen(at=t_decide, hours=hours_h, clock=clock)["due_at"]
        second_work = effects.resolve(SimpleNamespace(assigned_at=t_route, due_at=t_due2, paused_at=None), at=t_resolve2,
                                      clock=clock)["work_hours"]
        work_hours = np.where(reopen, np.round(second_work, 4), first_work)
        S = {name: self.ts(a) for name, a in (
            ("created", created), ("route", t_route), ("accept", t_accept), ("note", t_note),
            ("resolve", t_resolve), ("due", t_due), ("dispute", t_dispute), ("decide", t_decide),
            ("resolve2", t_resolve2), ("due2", t_due2), ("rate", t_rate), ("close", t_close))}
        T = {"created": created, "route": t_route, "accept": t_accept, "note": t_note,
             "resolve": t_resolve, "dispute": t_dispute, "decide": t_decide, "resolve2": t_resolve2,
             "rate": t_rate, "close": t_close}
        T = {k: v.tolist() for k, v in T.items()}

        ward_l, ci_l, picks_l, channel_l, unit_l = (a.tolist() for a in (ward, ci, picks, channel, unit))
        fate_l, reporter_l, auto_l, noted_l, reopen_l = (a.tolist() for a in (fate_u, reporter, automatic,
                                                                             noted, reopen))
        deny_l, rated_l, rating_l, work_l, followed_l = (a.tolist() for a in (deny, rated, rating,
                                                                             work_hours, followed))
        public_l, priority_l, first_work_l = public.tolist(), priority.tolist(), first_work.tolist()
        S_created, S_route, S_accept, S_note, S_resolve, S_due = (S[k] for k in (
            "created", "route", "accept", "note", "resolve", "due"))
        S_dispute, S_decide, S_resolve2, S_due2, S_rate, S_close = (S[k] for k in (
            "dispute", "decide", "resolve2", "due2", "rate", "close"))
        T_created, T_route, T_accept, T_note, T_resolve = (T[k] for k in (
            "created", "route", "accept", "note", "resolve"))
        T_dispute, T_decide, T_resolve2, T_rate, T_close = (T[k] for k in (
            "dispute", "decide", "resolve2", "rate", "close"))
        citizens = self.citizens_l
        reports: list[str] = []  # COPY text lines (tab-separated, \\N for NULL)
        events: list[str] = []
        follows: list[str] = []
        statuses: Counter = Counter()
        now = self.now
        ev_append = events.append
        for i in range(n):
            rid = self.first_id + start + i
            wi = ward_l[i]
            pool = ref.wards[wi]
            cat = ref.categories[ci_l[i]]
            pk = picks_l[i]
            pi = pk[0] % len(pool.lat_s)
            key = (wi, ci_l[i])
            ch = CHANNELS[channel_l[i]]
            unit_id = unit_l[i] or None
            u = fate_l[i]
            merged_into = None
            if u < P_MERGE and key in self.last_of:
                fate = "merge"
                merged_into, pi = self.last_of[key]
            elif u < P_MERGE + P_REJECT:
                fate = "reject"
            elif u < P_MERGE + P_REJECT + P_STUCK_NEW or unit_id is None:
                fate = "new"  # the backlog, or nobody could process it: stays in triage
            elif u < P_MERGE + P_REJECT + P_STUCK_NEW + P_STUCK_ASSIGNED:
                fate = "assigned"
            elif u < P_MERGE + P_REJECT + P_STUCK_NEW + P_STUCK_ASSIGNED + P_STUCK_PROGRESS:
                fate = "in_progress"
            else:
                fate = "done"
            if fate != "merge":
                self.last_of[key] = (rid, pi)
            address, phrase = pool.places[pk[1] % len(pool.places)]
            template, answers, results = cat.cases[pk[2] % len(cat.cases)]
            reason = ""
            if fate == "reject":
                reason = REJECT_REASONS[pk[3] % 4]
                options = REJECTED_TEXTS[reason]
                description = options[pk[4] % len(options)]
            else:
                description = template.replace("{place}", phrase) + ENDINGS[pk[4] % len(ENDINGS)]
            if cat.date_questions:
                answers = answers.replace("__DATE__", S_created[i][:10])
            if ch == "hotline":
                reporter_id, name = None, _esc(person_name(self.r))
                phone = f"+849{pk[5] % 100_000_000:08d}"
                submitter = ref.hotline[pk[6] % len(ref.hotline)] if ref.hotline else None
                submit_role = HOTLINE if submitter else ""
            else:
                reporter_id, name, phone = reporter_l[i], "", ""
                submitter, submit_role = reporter_id, CITIZEN
            operator = ref.operators[pk[6] % len(ref.operators)] if ref.operators else None
            crew = ref.workers.get(unit_id or 0) or [None]
            worker = crew[pk[7] % len(crew)]
            worker_role = OFFICER if worker else ""

            # The run, as (time, event row); played below up to now.
            run = [(T_created[i], (rid, submitter, submit_role, None, "submit", "", "new", "", True,
                                      CHANNEL_DATA[ch], S_created[i]))]
            result = ""
            if fate == "reject":
                run.append((T_route[i], (rid, operator, OPERATOR, None, "reject", "new",
                                            "rejected", REJECT_NOTES[reason], True,
                                            f'{{"reason": "{reason}"}}', S_route[i])))
            elif fate == "merge":
                code = f"PA{merged_into:06d}"
                run.append((T_route[i], (rid, operator, OPERATOR, None, "merge", "new", "merged",
                                            MERGE_NOTE.format(ref=code), True,
                                            f'{{"into": {merged_into}, "into_ref": "{code}"}}',
                                            S_route[i])))
            elif fate != "new":
                auto = auto_l[i]
                run.append((T_route[i], (rid, None if auto else operator, "" if auto else OPERATOR,
                                            None, "route", "new", "assigned", "", True,
                                            self.route_data[(unit_id, auto)], S_route[i])))
                if fate != "assigned":
                    run.append((T_accept[i], (rid, worker, worker_role, unit_id, "accept", "assigned",
                                                 "in_progress", "", True, "{}", S_accept[i])))
                    if noted_l[i]:
                        run.append((T_note[i], (rid, worker, worker_role, unit_id, "note",
                                                   "in_progress", "in_progress",
                                                   INTERNAL_NOTES[pk[3] % len(INTERNAL_NOTES)], False,
                                                   "{}", S_note[i])))
                if fate == "done":
                    prefix = RESULT_PREFIXES[pk[5] % len(RESULT_PREFIXES)]
                    body = results[pk[3] % len(results)].replace("{place}", phrase)
                    result = (prefix.replace("{unit}", ref.unit_names.get(unit_id, ("", ""))[1]) + body
                              if prefix else body[:1].upper() + body[1:])
                    run.append((T_resolve[i], (rid, worker, worker_role, unit_id, "resolve",
                                                  "in_progress", "resolved", result, True, "{}",
                                                  S_resolve[i])))
                    if (reopen_l[i] or deny_l[i]) and reporter_id is not None:
                        run.append((T_dispute[i], (rid, reporter_id, CITIZEN, None, "dispute",
                                                      "resolved", "resolved",
                                                      DISPUTE_REASONS[pk[4] % len(DISPUTE_REASONS)],
                                                      True, "{}", S_dispute[i])))
                        if reopen_l[i]:
                            run.append((T_decide[i], (rid, operator, OPERATOR, None, "reopen",
                                                         "resolved", "in_progress", REOPEN_NOTES[0],
                                                         True, '{"previous": "resolved"}',
                                                         S_decide[i])))
                            run.append((T_resolve2[i], (rid, worker, worker_role, unit_id, "resolve",
                                                           "in_progress", "resolved", result, True, "{}",
                                                           S_resolve2[i])))
                        else:
                            run.append((T_decide[i], (rid, operator, OPERATOR, None,
                                                         "deny_dispute", "resolved", "resolved",
                                                         DENY_NOTES[0], True, "{}", S_decide[i])))
                    if rated_l[i] and reporter_id is not None:
                        stars = rating_l[i]
                        comments = RATING_COMMENTS[stars]
                        comment = comments[pk[7] % len(comments)]
                        run.append((T_rate[i], (rid, reporter_id, CITIZEN, None, "rate", "resolved",
                                                   "closed", comment, True, f'{{"rating": {stars}}}',
                                                   S_rate[i])))
                    else:
                        run.append((T_close[i], (rid, None, "", None, "close", "resolved", "closed", "",
                                                    True, "{}", S_close[i])))

            # Play the run up to now: the report is where its life is today.
            status, assigned, due, resolved, closed = "new", None, None, None, None
            stars, comment, dispute, note, hours_done, published = None, "", False, "", None, False
            version, last = 0, S_created[i]
            for t, ev in run:
                if t > now:
                    break
                action = ev[4]
                ev_append(f"{rid}\t{NUL if ev[1] is None else ev[1]}\t{ev[2]}\t{NUL if ev[3] is None else ev[3]}\t"
                          f"{action}\t{ev[5]}\t{ev[6]}\t{ev[7]}\t{B[ev[8]]}\t{ev[9]}\t{ev[10]}{self.tails[1]}\n")
                version += 1
                last = ev[10]
                status = ev[6]
                if action == "route":
                    assigned, due = ev[10], S_due[i]
                elif action == "resolve":
                    hours_done = work_l[i] if published else first_work_l[i]  # reopened: the second
                    resolved, published = ev[10], True
                elif action == "reopen":
                    due, resolved, hours_done, dispute = S_due2[i], None, None, False
                elif action == "dispute":
                    dispute = True
                elif action == "deny_dispute":
                    dispute = False
                elif action == "rate":
                    stars, comment, closed = rating_l[i], ev[7], ev[10]
                elif action == "close":
                    closed = ev[10]
                elif action == "reject":
                    note = ev[7]
            statuses[status] += 1
            routed = assigned is not None
            me_too = 0
            if followed_l[i] and status != "merged" and public_l[i]:
                seen = {reporter_id}
                for j in range(1 + (pk[0] >> 20) % 3):
                    user = citizens[(pk[1] + 7919 * (j + 1)) % len(citizens)]
                    if user in seen:
                        continue
                    seen.add(user)
                    mt = bool((pk[2] >> j) & 1)
                    me_too += mt
                    follows.append(f"{rid}\t{user}\t{B[mt]}\t{S_created[i]}{self.tails[2]}\n")
            reports.append(
                f"{rid}\t{status}\t{version}\t{cat.id}\t{description}\t\t{answers}\t"
                f"{pool.lat_s[pi]}\t{pool.lon_s[pi]}\t{address}\t{pool.area_id}\t{B[public_l[i]]}\t"
                f"{priority_l[i]}\t{NUL if reporter_id is None else reporter_id}\t{name}\t{phone}\t{ch}\t"
                f"{NUL}\t{unit_id if routed else NUL}\t{merged_into if status == 'merged' else NUL}\t"
                f"{reason if status == 'rejected' else ''}\t{note}\t{result if published else ''}\t"
                f"0\t0\t{B[dispute]}\t{NUL if stars is None else stars}\t{comment}\t{me_too}\t"
                f"{S_created[i]}\t{last}\t{assigned or NUL}\t{due or NUL}\t{resolved or NUL}\t"
                f"{closed or NUL}\t{NUL}\t{NUL if hours_done is None else hours_done}{self.tails[0]}\n"
            )
        return reports, events, follows, statuses


# --- writing ------------------------------------------------------------------------------------


def _timestamps(suffix: str) -> Callable[[np.ndarray], list[str]]:
    """Epoch seconds → 'YYYY-MM-DD HH:MM:SS' in UTC (+ suffix), for a whole array at once: the
    day and the time of day come from tables. A space, not a 'T': SQLite compares datetimes as
    text, as Django writes them."""
    days: dict[int, str] = {}
    clock = [f" {h:02d}:{m:02d}:{s:02d}{suffix}" for h in range(24) for m in range(60) for s in range(60)]
    epoch = dt.date(1970, 1, 1)

    def ts(a: np.ndarray) -> list[str]:
        d, sec = np.divmod(np.asarray(a, dtype=np.int64), DAY)
        for day in np.unique(d).tolist():
            if day not in days:
                days[day] = (epoch + dt.timedelta(days=day)).isoformat()
        return [days[x] + clock[y] for x, y in zip(d.tolist(), sec.tolist(), strict=True)]

    return ts


class _Writer:
    """COPY text lines into a table: ``COPY`` on PostgreSQL, ``executemany`` elsewhere (the
    lines split back into values; SQLite's column affinity stores numbers as numbers)."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"

    def write(self, model, columns: tuple[str, ...], lines: list[str] | str) -> None:
        if not lines:
            return
        columns = columns + tuple(_extra_columns(model, columns))
        q = connection.ops.quote_name
        table, cols = q(model._meta.db_table), ", ".join(q(c) for c in columns)
        if self.postgres:
            with self.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                copy.write(lines if isinstance(lines, str) else "".join(lines))
        else:
            rows = [tuple(None if v == NUL else v for v in line[:-1].split("\t")) for line in lines]
            marks = ", ".join(["%s"] * len(columns))
            self.cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def _count(lines: list[str] | str) -> int:
    return lines.count("\n") if isinstance(lines, str) else len(lines)


def _producer(planner: Planner, chunk_size: int, queue) -> None:
    """In a forked child: draw every chunk and hand over its COPY text. The child never touches
    the database (the connection it inherited belongs to the parent) and leaves by os._exit."""
    try:
        for chunk_no, (a, b) in enumerate(planner.chunks(chunk_size)):
            rows, events, follows, statuses = planner.plan(a, b, chunk_no)
            queue.put((b, "".join(rows), "".join(events), "".join(follows), statuses))
        queue.put(None)
    except BaseException as exc:  # noqa: BLE001 — reported to the parent, which raises it
        queue.put(("error", repr(exc)))


def _produced(planner: Planner, chunk_size: int) -> Iterator[tuple]:
    """Chunks drawn by a child process while this one streams the previous chunk to the server:
    on two cores the drawing (Python) and the COPY (the server) overlap. At most two chunks wait
    in the queue, so memory stays bounded."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue(maxsize=2)
    child = ctx.Process(target=_producer, args=(planner, chunk_size, queue), daemon=True)
    child.start()
    try:
        while True:
            item = queue.get()
            if item is None:
                break
            if item[0] == "error":
                raise RuntimeError(f"the load generator's child failed: {item[1]}")
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def _secondary_ddl(cursor, tables: list[str]) -> tuple[list[str], list[str]]:
    """(drop, create) statements for the secondary indexes, unique constraints and foreign keys
    of ``tables`` (PostgreSQL), with their definitions as the catalogue has them, so that the
    schema after a rebuild is exactly the migrated one. The primary keys and checks stay."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
        ORDER BY c.contype DESC, c.conname
        """,
        [tables],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                          WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                            AND c.contype IN ('p', 'u', 'x'))
        ORDER BY 1
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    drop = [f'ALTER TABLE {t} DROP CONSTRAINT "{name}"' for t, name, _d, _k in constraints]
    drop += [f"DROP INDEX {name}" for name, _d in indexes]
    create = [ddl for _name, ddl in indexes]
    create += [f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {d}' for t, name, d, k in constraints if k == "u"]
    create += [f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {d}' for t, name, d, k in constraints if k == "f"]
    return drop, create


def gen_load(*, reports: int, seed: int = 7, citizens: int | None = None, years: float = 3.0,
             now: dt.datetime | None = None, chunk_size: int = CHUNK_SIZE,
             defer_indexes: bool | None = None, rollups: bool = True,
             log: Callable[[str], None] = logger.info) -> LoadSummary:
    """Generate ``reports`` reports (with timelines, ratings, follows) in one transaction.

    ``defer_indexes`` (PostgreSQL only; default: from ``BIG_LOAD`` reports) drops the report,
    timeline and follow tables' secondary indexes and foreign keys for the load and rebuilds
    them before the commit; the tables are locked meanwhile, so use it on a database nobody is
    using (``make bench`` does)."""
    if reports < 1:
        raise ValueError("reports must be at least 1")
    started = time.monotonic()
    postgres = connection.vendor == "postgresql"
    summary = LoadSummary(backend=connection.vendor)
    now = (now or timezone.now()).replace(microsecond=0)
    if ensure_reference_data():
        log("loaded the reference data (the demo pack without its reports)")
    citizens = citizens if citizens is not None else max(200, min(reports // 10, 2_000_000))
    citizen_ids, summary.citizens_created = ensure_citizens(citizens, seed=seed, log=log)
    points = int(min(5000, max(200, reports // 150)))
    ref = load_reference(seed=seed, points_per_ward=points)
    log(f"reference: {len(ref.wards)} wards × {points} points, {len(ref.categories)} categories, "
        f"{len(citizen_ids)} citizens ({time.monotonic() - started:.1f} s)")
    defer = postgres and (reports >= BIG_LOAD if defer_indexes is None else defer_indexes)
    summary.deferred_indexes = defer
    tables = [m._meta.db_table for m in (Report, TimelineEvent, Follow)]
    t_load = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        create: list[str] = []
        if postgres:
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")
            if defer:
                drop, create = _secondary_ddl(cursor, tables)
                for statement in drop:
                    cursor.execute(statement)
                log(f"dropped {len(drop)} indexes and constraints for the load")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {Report._meta.db_table}")
        first_id = cursor.fetchone()[0]
        planner = Planner(ref, citizen_ids, reports=reports, seed=seed, now=now, years=years,
                          first_id=first_id, ts=_timestamps("+00" if postgres else ""))
        writer = _Writer(cursor)
        chunks = _produced(planner, chunk_size) if postgres and reports >= PRODUCER_FROM else (
            (b, *planner.plan(a, b, chunk_no)) for chunk_no, (a, b) in enumerate(planner.chunks(chunk_size))
        )
        for chunk_no, (b, rows, events, follows, statuses) in enumerate(chunks):
            writer.write(Report, REPORT_COLUMNS, rows)
            writer.write(TimelineEvent, EVENT_COLUMNS, events)
            writer.write(Follow, FOLLOW_COLUMNS, follows)
            summary.reports += _count(rows)
            summary.events += _count(events)
            summary.follows += _count(follows)
            summary.statuses.update(statuses)
            if chunk_no % 10 == 9 or b == reports:
                spent = time.monotonic() - t_load
                log(f"{b:,} reports, {summary.events:,} events ({b / spent:,.0f} reports/s)")
        summary.seconds_generate = time.monotonic() - t_load
        if postgres:
            t_index = time.monotonic()
            if create:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for statement in create:
                    cursor.execute(statement)
                summary.seconds_indexes = time.monotonic() - t_index
                log(f"rebuilt {len(create)} indexes and constraints in {summary.seconds_indexes:.1f} s")
            for table in tables:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
    summary.seconds_total = time.monotonic() - started
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
    if rollups:
        summary.seconds_rollups = rebuild_rollups(log)
    return summary


def rebuild_rollups(log: Callable[[str], None]) -> float | None:
    """Rows written in bulk fire no signals: rebuild the KPI roll-ups where the app has them."""
    from django.core.management import call_command, get_commands

    if "rebuild_rollups" not in get_commands():
        return None
    t = time.monotonic()
    call_command("rebuild_rollups", stdout=_Discard())
    seconds = time.monotonic() - t
    log(f"KPI roll-ups rebuilt in {seconds:.1f} s")
    return seconds


class _Discard:
    def write(self, *_args: Any) -> None:
        pass

    def flush(self) -> None:
        pass
