"""Reads on reports. Visibility is applied here, once, from opencity.policy."""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Q, QuerySet
from django.utils import timezone

from opencity import policy

from . import deadlines, kpi
from .models import OPEN_STATUSES, Category, PhotoKind, Report, Status, TimelineEvent

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}


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
    qs = Report.objects.filter(policy.report_scope(user)).select_related("category", "area", "unit")
    if f.get("category"):
        qs = qs.filter(category_id=f["category"])
    if f.get("area"):
        qs = qs.filter(area_id=f["area"])
    if f.get("unit"):
        qs = qs.filter(unit_id=f["unit"])
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
        q = str(f["q"])[:100]
        qs = qs.filter(Q(description__icontains=q) | Q(address__icontains=q))
    if f.get("overdue"):
        qs = qs.filter(deadlines.overdue_q())
    if f.get("public_only"):
        qs = qs.filter(is_public=True).exclude(status__in=[Status.REJECTED, Status.MERGED])
    return qs


def report_mine(*, user) -> QuerySet[Report]:
    return Report.objects.filter(Q(reporter=user) | Q(follows__user=user)).distinct().select_related(
        "category", "area", "unit"
    )


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


def timeline(*, user, report: Report) -> QuerySet[TimelineEvent]:
    qs = report.events.select_related("actor", "actor_unit").prefetch_related("photos")
    if not policy.can_view_internal(user, report):
        qs = qs.filter(is_public=True)
    return qs


def visible_photos(*, user, report: Report, kind: str | None = None):
    qs = report.photos.all()
    if kind:
        qs = qs.filter(kind=kind)
    if not policy.can_view_internal(user, report):
        qs = qs.filter(is_hidden=False)
        if report.status not in (Status.RESOLVED, Status.CLOSED):
            qs = qs.exclude(kind=PhotoKind.RESULT)  # a result is public once it is published
    return qs


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
                radius_m: float = 50, exclude_id: int | None = None, limit: int = 5) -> list[Report]:
    """Open reports within ``radius_m`` (bounding box on the indexed columns, then exact distance)."""
    dlat, dlon = _meters_to_deg(radius_m, lat)
    qs = Report.objects.filter(policy.report_scope(user)).filter(
        status__in=OPEN_STATUSES, lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon)
    ).select_related("category")
    if category_id:
        qs = qs.filter(category_id=category_id)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    found = []
    for r in qs[:200]:
        d = haversine_m(lat, lon, r.lat, r.lon)
        if d <= radius_m:
            r.distance_m = round(d)
            found.append(r)
    found.sort(key=lambda r: r.distance_m)
    return found[:limit]


def map_points(*, user, filters: dict | None = None, limit: int = 5000) -> dict:
    """Public reports as GeoJSON points for the map (no personal data)."""
    qs = report_list(user=None, filters={**(filters or {}), "public_only": True}).values(
        "pk", "lat", "lon", "status", "category__name_vi", "category__name_en", "category__icon", "created_at"
    )[:limit]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {
                "id": r["pk"],
                "status": r["status"],
                "category": r["category__name_vi"],
                "category_en": r["category__name_en"],
                "icon": r["category__icon"],
                "created": timezone.localtime(r["created_at"]).strftime("%d/%m/%Y"),
            },
        }
        for r in qs
    ]
    return {"type": "FeatureCollection", "features": features}



def report_answers(report: Report) -> list[tuple[str, str]]:
    """The answers to the category's questions, as (question, readable answer) pairs."""
    out = []
    for q in report.category.questions.all():
        if q.code not in (report.answers or {}):
            continue
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
