"""Reads on reports. Visibility is applied here, once, from opencity.policy."""

from __future__ import annotations

import datetime as dt
import math
import re

from django.db import connection
from django.db.models import CharField, ExpressionWrapper, F, FloatField, Q, QuerySet
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from opencity import policy
from opencity.geo.models import LocationPrecision
from opencity.lib.params import parse_id
from opencity.lib.text import refuse_nul

from . import deadlines, kpi
from .models import (
    OPEN_STATUSES,
    Category,
    Photo,
    PhotoKind,
    Report,
    Status,
    TimelineEvent,
    public_text_contains,
)

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
# The ward's fields a list never shows, left unread when its reports are listed.
AREA_HEAVY = ("area__boundary", "area__old_units")


def report_page_stamp(report_id) -> str | None:
    """The fingerprint of a report's public page and public JSON, for the pages kept for
    visitors (``lib/pagecache.py``): its ``updated_at``, which every transition (the lifecycle
    kernel) and every other change a visitor can see (the "me too" count) sets. None when a
    visitor would not get the page itself (missing, private, spam, merged: a redirect), so that
    the view answers as usual. One indexed row, read with a plain cursor: this runs on every
    visitor's request, and compiling an ORM query would cost more than the query."""
    pk = parse_id(report_id)  # the URL's <int:…> takes any digits: beyond 64 bits, no report
    if pk is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT updated_at, is_public, status, reject_reason FROM {Report._meta.db_table} "
                       "WHERE id = %s", [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    updated_at, is_public, status, reject_reason = row
    if not policy.is_public_report(Report(is_public=bool(is_public), status=status, reject_reason=reject_reason)):
        return None
    if status == "merged":
        return None
    return str(updated_at.timestamp() if hasattr(updated_at, "timestamp") else updated_at)


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).prefetch_related("questions")


def report_list(*, user, filters: dict | None = None) -> QuerySet[Report]:
    """Reports the user may see, filtered by category, area, status, unit, period, text.

    ``period`` is a relative one ("30d") or a calendar period of the report's reception
    ("2026", "2026-Q1", "2026-03", "2026-W10", "2026-03-05"; see ``kpi.Period``). Besides the
    statuses, ``status`` takes "open", "done" and the KPI figures of ``kpi.STATUS_FILTERS``
    ("on_time", "late", "rated", "satisfied", "reopened", "received"), so that each figure's
    drill-down lists exactly the reports it counts."""
    f = filters or {}
    # a list shows the ward's name: not its boundary polygon (a few kB of JSON decoded per row)
    qs = (Report.objects.filter(policy.report_scope(user)).select_related("category", "area", "unit")
          .defer(*AREA_HEAVY))
    for name in ("category", "area", "unit"):
        if f.get(name):
            # an id no row can have (a 30-digit number overflows the database's bigint): nothing
            wanted = parse_id(f[name])
            qs = qs.filter(**{f"{name}_id": wanted}) if wanted is not None else qs.none()
    status = f.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "done":
        qs = qs.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    elif status in Status.values:
        qs = qs.filter(status=status)
    elif status in kpi.STATUS_FILTERS:
        qs = qs.filter(kpi.STATUS_FILTERS[status]())
    if f.get("period") in PERIODS:
        qs = qs.filter(created_at__gte=timezone.now() - dt.timedelta(days=PERIODS[f["period"]]))
    elif f.get("period"):
        period = kpi.Period.parse(str(f["period"])[:12])
        if period is not None:
            qs = qs.filter(**period.created_filter())
    if f.get("q"):
        qs = qs.filter(search_q(user, str(f["q"])[:100]))
    if f.get("overdue"):
        qs = qs.filter(deadlines.overdue_q())
    if f.get("public_only"):
        qs = qs.filter(policy.listed_report_q())
    return qs


# A report's code as people type or say it: "PA002001", "pa2001", "PA 002001", "PA-002001".
# ``Report.ref`` writes it "PA" + the id on at least 6 digits.
_CODE = re.compile(r"(PA)?0*([0-9]{1,12})", re.IGNORECASE)
_CODE_NOISE = re.compile(r"[\s.\-_#:/]")
# Digits alone are a code in a search box from this many on (a padded code: "002001"); fewer may
# be a house number ("32 Lê Lợi") and are searched as text only.
CODE_BARE_DIGITS = 6


def _read_code(text: str) -> tuple[int | None, bool, int]:
    """(the id, whether "PA" was written, how many characters) of a code as typed, or None."""
    compact = _CODE_NOISE.sub("", text or "")
    m = _CODE.fullmatch(compact)
    if m is None:
        return None, False, len(compact)
    return int(m.group(2)) or None, m.group(1) is not None, len(compact)


def report_code_id(text: str, *, bare: bool = False) -> int | None:
    """The report id in a code as typed (case, spaces, dashes and leading zeros do not matter),
    or None if ``text`` is not a code. Digits without "PA" are a code where ``bare`` (a field that
    asks for a code) or when there are at least ``CODE_BARE_DIGITS`` of them."""
    code_id, prefixed, length = _read_code(text)
    if not (prefixed or bare or length >= CODE_BARE_DIGITS):
        return None
    return code_id


def search_q(user, text: str) -> Q:
    """The search box of every list: a report's code ("PA002001", "pa 2001") finds that report
    alone; padded digits ("002001") the report with that code or the text; anything else the text
    (:func:`text_search`)."""
    code_id = report_code_id(text)
    if code_id is not None and _read_code(text)[1]:
        return Q(pk=code_id)
    if code_id is not None:
        return Q(pk=code_id) | text_search(user, text)
    return text_search(user, text)


def report_by_code(*, user, code: str, bare: bool = False) -> Report | None:
    """The report with this code if ``user`` may see it; None for a code no report has and for a
    report out of their sight alike (nobody learns that a private report exists)."""
    code_id = report_code_id(code, bare=bare)
    if code_id is None:
        return None
    return Report.objects.filter(policy.report_scope(user)).filter(pk=code_id).first()


def text_search(user, text: str) -> Q:
    """Reports whose text contains ``text``, as ``user`` may read it: the address and the public
    (moderated) text for everyone; the original text only where ``user`` may see it (staff whose
    scope covers the report). Searching the original would give back, a character at a time,
    what moderation hid (issue #13)."""
    refuse_nul(text, field="q")
    original = policy.internal_scope(user) & Q(description__icontains=text)
    return Q(address__icontains=text) | public_text_contains(text) | original


def report_mine(*, user) -> QuerySet[Report]:
    """What the user reported or follows, among the reports they may see: a followed report
    rejected as spam (or otherwise out of their sight) leaves the list."""
    return (Report.objects.filter(Q(reporter=user) | Q(follows__user=user)).filter(policy.report_scope(user))
            .distinct().select_related("category", "area", "unit"))


def triage_queue(*, user, filters: dict | None = None) -> QuerySet[Report]:
    """New reports, highest priority first, then oldest first."""
    return report_list(user=user, filters=filters).filter(status=Status.NEW).order_by("-priority", "created_at")


def unit_inbox(*, user, filters: dict | None = None) -> QuerySet[Report]:
    qs = report_list(user=user, filters=filters)
    if policy.role_of(user) == "ward_official" and user.home_area_id:
        mine = Q(unit_id__in=policy.unit_ids(user)) | Q(unit__level="ward", unit__area_id=user.home_area_id)
    else:
        mine = Q(unit_id__in=policy.unit_ids(user))
    qs = qs.filter(mine)
    if not (filters or {}).get("status"):
        qs = qs.filter(status__in=[Status.ASSIGNED, Status.IN_PROGRESS])
    return qs.order_by("due_at", "created_at")


def timeline(*, user, report: Report, photos: bool = False) -> QuerySet[TimelineEvent]:
    """The events the user may see, oldest first; with each event's photos if asked (the API
    lists them per event; the pages show them with the report)."""
    qs = report.events.select_related("actor", "actor_unit")
    if photos:
        qs = qs.prefetch_related("photos")
    return qs.filter(policy.visible_event_q(user, report))


def visible_photos(*, user, report: Report, kind: str | None = None):
    qs = report.photos.all()
    if kind:
        qs = qs.filter(kind=kind)
    return qs.filter(policy.visible_photo_q(user, report))


def photos_by_kind(*, user, report: Report) -> tuple[list[Photo], list[Photo]]:
    """The report's photos and its result photos that the user may see, in one query."""
    photos = list(visible_photos(user=user, report=report))
    return ([p for p in photos if p.kind == PhotoKind.REPORT],
            [p for p in photos if p.kind == PhotoKind.RESULT])


def _meters_to_deg(meters: float, lat: float) -> tuple[float, float]:
    dlat = meters / 111_320
    dlon = meters / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return dlat, dlon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def nearby_open(*, user, lat: float, lon: float, category_id: int | None = None,
                radius_m: float = 50, exclude_id: int | None = None, limit: int = 5,
                category: Category | None = None) -> list[Report]:
    """The nearest open reports within ``radius_m``, nearest first: a bounding box on the
    indexed ``lat, lon``, ordered in SQL by the planar distance in metres (exact enough at this
    scale), so only ``limit`` rows are read; each then gets its great-circle ``distance_m``.
    Reports placed only by their ward are left out (their lat/lon are the ward's centre).
    Given the ``category`` itself (the caller has read it), its reports are not joined to it."""
    if category is not None:
        category_id = category.pk
    dlat, dlon = _meters_to_deg(radius_m, lat)
    # metres per degree here: north-south, and east-west at this latitude
    my, mx = 111_320.0, 111_320.0 * max(math.cos(math.radians(lat)), 0.01)
    scope = policy.report_scope_sql(user)
    if scope is not None and category is not None:
        found = _nearby_sql(scope, lat=lat, lon=lon, dlat=dlat, dlon=dlon, my=my, mx=mx, radius_m=radius_m,
                            category=category, exclude_id=exclude_id, limit=limit)
    else:
        dy, dx = (F("lat") - lat) * my, (F("lon") - lon) * mx
        d2 = ExpressionWrapper(dy * dy + dx * dx, output_field=FloatField())
        qs = (Report.objects.filter(policy.report_scope(user))
              .filter(status__in=OPEN_STATUSES, lat__range=(lat - dlat, lat + dlat),
                      lon__range=(lon - dlon, lon + dlon))
              .annotate(d2=d2).filter(d2__lte=radius_m * radius_m)
              .exclude(location_precision=LocationPrecision.AREA))  # at a ward's centre, not near anything
        if category is None:
            qs = qs.select_related("category")
        if category_id:
            qs = qs.filter(category_id=category_id)
        if exclude_id:
            qs = qs.exclude(pk=exclude_id)
        found = list(qs.order_by("d2", "-pk")[:limit])
    for r in found:
        r.distance_m = round(haversine_m(lat, lon, r.lat, r.lon))
        if category is not None:
            r.category = category
    return found


def _nearby_sql(scope: tuple[str, list], *, lat, lon, dlat, dlon, my, mx, radius_m, category, exclude_id,
                limit) -> list[Report]:
    """:func:`nearby_open` for a visitor or a citizen with the category known, the hot path of
    the report form (every pin and category the person picks): the same query in SQL written
    once, since compiling the ORM's took two thirds of the request (bench/README.md). The ORM
    path above stays for staff; a test checks both answer the same."""
    where, params = scope
    d2 = "((lat - %s) * %s) * ((lat - %s) * %s) + ((lon - %s) * %s) * ((lon - %s) * %s)"
    d2_params = [lat, my, lat, my, lon, mx, lon, mx]
    columns = ", ".join(f.column for f in Report._meta.concrete_fields)  # whole rows: nothing loaded later
    sql = (f"SELECT {columns}, {d2} AS d2 FROM {Report._meta.db_table} "
           f"WHERE {where} AND status IN ({', '.join(['%s'] * len(OPEN_STATUSES))}) AND lat BETWEEN %s AND %s AND lon BETWEEN %s AND %s "
           f"AND category_id = %s AND location_precision <> %s AND {d2} <= %s"
           + (" AND id <> %s" if exclude_id else "") + " ORDER BY d2, id DESC LIMIT %s")
    values = [*d2_params, *params, *OPEN_STATUSES, lat - dlat, lat + dlat, lon - dlon, lon + dlon,
              category.pk, LocationPrecision.AREA, *d2_params, radius_m * radius_m,
              *([exclude_id] if exclude_id else []), limit]
    return list(Report.objects.raw(sql, values))


# --- the public map ---------------------------------------------------------------------------

# At most this many points in one answer; a viewport holding more is answered with clusters
# (below ``MAP_POINTS_ZOOM``) or with the newest points and ``more: true`` (at street level).
MAP_POINTS_MAX = 500
# From this zoom on, points only (a street: clustering would hide neighbouring reports).
MAP_POINTS_ZOOM = 17
# A cluster cell is about this many screen pixels wide (256-pixel Web Mercator tiles).
MAP_CELL_PX = 80
MAP_DEFAULT_ZOOM = 12


def map_cell_degrees(zoom: int) -> float:
    """The side of a cluster cell in degrees at ``zoom`` (about ``MAP_CELL_PX`` pixels)."""
    return 360.0 / (2 ** zoom) * MAP_CELL_PX / 256


def _map_point_features(rows) -> list[dict]:
    """GeoJSON points from (id, lat, lon, status, category id, local date as YYYY-MM-DD,
    location precision) rows; the category's name in the reader's language (from one read of
    the small category table, not joined into every row), the date as dd/mm/yyyy, and
    ``approx`` for a place from a typed address."""
    categories = {pk: (c.name, c.icon) for pk, c in Category.objects.in_bulk().items()}
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": pk, "status": status, "category": categories[category_id][0],
                "icon": categories[category_id][1], "created": f"{day[8:10]}/{day[5:7]}/{day[:4]}",
                "approx": precision != LocationPrecision.EXACT,
            },
        }
        for pk, lat, lon, status, category_id, day, precision in rows
    ]


def _cluster_cells(qs, cell: float) -> list[tuple[int, int, int, float, float]]:
    """(cell row, cell column, count, centre lat, centre lon) of the reports of ``qs`` grouped
    by a grid cell of ``cell`` degrees, in SQL."""
    from django.db.models import Avg, Count, F, IntegerField
    from django.db.models.functions import Cast, Floor

    rows = (
        qs.order_by()
        .annotate(cy=Cast(Floor(F("lat") / cell), IntegerField()), cx=Cast(Floor(F("lon") / cell), IntegerField()))
        .values("cy", "cx")
        .annotate(n=Count("pk"), clat=Avg("lat"), clon=Avg("lon"))
        .values_list("cy", "cx", "n", "clat", "clon")
    )
    return [(cy, cx, n, round(clat, 6), round(clon, 6)) for cy, cx, n, clat, clon in rows]


def _in_bbox(cells: list, cell: float, bbox) -> list:
    if bbox is None:
        return cells
    south, west, north, east = bbox
    return [c for c in cells if (c[0] + 1) * cell >= south and c[0] * cell <= north
            and (c[1] + 1) * cell >= west and c[1] * cell <= east]


def _cluster_grid(filters: dict, zoom: int) -> list[tuple[int, int, int, float, float]]:
    """The whole city's clusters at ``zoom`` for ``filters``, computed at most once per
    ``OPENCITY_MAP_CLUSTER_CACHE_SECONDS`` for all server processes (``lib.cache.cached``) and
    cut to each viewport by the caller. Grouping every public report of the city takes 0.5–1 s
    at 1 M reports; a zoomed-out view may be that many seconds old, a zoomed-in one (points) is
    always live."""
    import hashlib

    from django.conf import settings

    from opencity.lib.cache import cached

    digest = hashlib.sha1(repr(sorted(filters.items())).encode()).hexdigest()[:16]
    return cached(
        f"reports:map-clusters:{zoom}:{digest}",
        lambda: _cluster_cells(report_list(user=None, filters={**filters, "public_only": True})
                               .exclude(location_precision=LocationPrecision.AREA), map_cell_degrees(zoom)),
        fresh=settings.OPENCITY_MAP_CLUSTER_CACHE_SECONDS,
    )


def map_points(*, user, filters: dict | None = None, bbox: tuple[float, float, float, float] | None = None,
               zoom: int | None = None, limit: int | None = None) -> dict:
    """Public reports in a viewport for the map, as GeoJSON (no personal data, never a private
    report): the points when the viewport holds at most ``limit`` of them or the zoom is at
    street level (then the newest ``limit`` and ``more: true``); otherwise server-side clusters —
    reports grouped in SQL by a grid cell of their lat/lon whose size follows the zoom, each with
    its count and the centre of its reports. ``bbox`` is (south, west, north, east) in degrees;
    none: the whole city. A report placed only by its ward (``LocationPrecision.AREA``) is not
    on the map: its lat/lon are the ward's centre, not its place."""
    zoom = MAP_DEFAULT_ZOOM if zoom is None else max(0, min(int(zoom), 22))
    limit = MAP_POINTS_MAX if limit is None else limit
    qs = (report_list(user=None, filters={**(filters or {}), "public_only": True})
          .exclude(location_precision=LocationPrecision.AREA))
    if bbox is not None:
        south, west, north, east = bbox
        qs = qs.filter(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)
    # the day of the report in the city's time, as text: no datetime object per row
    day = Cast(TruncDate("created_at", tzinfo=timezone.get_current_timezone()), CharField())
    fields = ("pk", "lat", "lon", "status", "category_id", "day", "location_precision")
    base = {"type": "FeatureCollection", "zoom": zoom}
    if zoom < MAP_POINTS_ZOOM:
        cell = map_cell_degrees(zoom)
        cells = None
        if not (filters or {}).get("q"):
            # The city's cached grid for this zoom and filters, cut to the viewport: when it
            # holds more than ``limit`` reports the answer needs no SQL at all.
            cells = _in_bbox(_cluster_grid(filters or {}, zoom), cell, bbox)
            if sum(c[2] for c in cells) <= limit:
                cells = None  # few enough: the live points below
        elif qs.order_by().values("pk")[: limit + 1].count() > limit:
            cells = _cluster_cells(qs, cell)  # free text: counted live, in the viewport only
        if cells is not None:
            features = [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [clon, clat]},
                 "properties": {"cluster": True, "count": n}}
                for _cy, _cx, n, clat, clon in cells
            ]
            return {**base, "mode": "clusters", "cell": cell, "count": sum(c[2] for c in cells),
                    "more": False, "features": features}
    rows = list(qs.annotate(day=day).order_by("-created_at").values_list(*fields)[: limit + 1])
    more = len(rows) > limit
    features = _map_point_features(rows[:limit])
    return {**base, "mode": "points", "count": len(features), "more": more, "features": features}


def answered_questions(*, user, report: Report) -> list:
    """The category's questions that the report answers and ``user`` may see the answer to
    (``policy.can_view_answer``), in the form's order."""
    if not report.answers:
        return []  # most reports answer no extra question: no query
    return [q for q in report.category.questions.all()
            if q.code in report.answers and policy.can_view_answer(user, report, q)]


def public_questions() -> dict[int, list]:
    """Per category id, the questions whose answers anyone may see (``policy.can_view_answer``
    for an anonymous reader), in the form's order: for exports that read many reports at once."""
    from collections import defaultdict

    from .models import CategoryQuestion

    public = Report()  # a report as the public sees it: no reporter, nobody in scope
    out: dict[int, list] = defaultdict(list)
    for q in CategoryQuestion.objects.order_by("category_id", "order", "id"):
        if policy.can_view_answer(None, public, q):
            out[q.category_id].append(q)
    return out


def visible_answers(*, user, report: Report) -> dict:
    """The stored answers ``user`` may see, keyed by question code (the API's ``answers``)."""
    return {q.code: report.answers[q.code] for q in answered_questions(user=user, report=report)}


def report_answers(report: Report, *, user) -> list[tuple[str, str]]:
    """The answers ``user`` may see, as (question, readable answer) pairs (the report page)."""
    out = []
    for q in answered_questions(user=user, report=report):
        value = report.answers[q.code]
        labels = dict(q.choice_pairs())
        if isinstance(value, list):
            text = ", ".join(labels.get(v, v) for v in value)
        elif q.kind == "date":
            text = dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        elif q.kind == "number":
            text = f"{value:g}"
        else:
            text = labels.get(value, value)
        out.append((q.label, text))
    return out
