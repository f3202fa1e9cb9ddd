"""Reads for Open311 and open data. Everything here is what an anonymous visitor may see:
visibility comes from ``opencity.policy`` through ``reports.selectors.report_list(user=None)``
(public reports, never spam)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from opencity import policy
from opencity.reports import selectors as report_selectors
from opencity.reports.models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Category,
    Photo,
    Report,
    Status,
)

MAX_REQUESTS = 1000
MAX_WINDOW = dt.timedelta(days=90)

CLOSED_STATUSES = (Status.RESOLVED, *FINAL_STATUSES)


def service_list() -> QuerySet[Category]:
    return report_selectors.category_list()


def service_get(code: str) -> Category | None:
    return service_list().filter(code=code).first()


def _public_reports(*, extensions: bool = False) -> QuerySet[Report]:
    qs = report_selectors.report_list(user=None)
    if extensions:
        qs = qs.prefetch_related("category__questions")  # the public answers (extended_attributes)
    return qs.prefetch_related(
        Prefetch(
            "photos",
            queryset=Photo.objects.filter(policy.card_photo_q()).order_by(
                "created_at", "id"
            ),
            to_attr="public_report_photos",
        )
    )


@dataclass
class RequestFilters:
    """GET /requests: ``ids`` overrides everything else; otherwise a ``start``–``end`` window
    (at most 90 days), service codes and open/closed."""

    ids: list[int] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: list[str] = field(default_factory=list)


def service_request_list(filters: RequestFilters, *, extensions: bool = False) -> list[Report]:
    qs = _public_reports(extensions=extensions)
    if filters.ids:
        qs = qs.filter(pk__in=filters.ids)
    else:
        if filters.service_codes:
            qs = qs.filter(category__code__in=filters.service_codes)
        if filters.start is not None:
            qs = qs.filter(created_at__gte=filters.start)
        if filters.end is not None:
            qs = qs.filter(created_at__lte=filters.end)
        wanted = set(filters.statuses)
        if wanted == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            qs = qs.filter(status__in=CLOSED_STATUSES)
    return list(qs.order_by("-created_at", "-id")[:MAX_REQUESTS])


def service_request_get(report_id: int, *, extensions: bool = False) -> Report | None:
    return _public_reports(extensions=extensions).filter(pk=report_id).first()


# --- open data ---------------------------------------------------------------------------


@dataclass
class ExportFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    category: str = ""
    ward: str = ""
    statuses: list[str] = field(default_factory=list)


EXPORT_VALUES = (
    "pk",
    "category__code",
    "category__name_vi",
    "status",
    "area__code",
    "area__name",
    "lat",
    "lon",
    "created_at",
    "assigned_at",
    "resolved_at",
    "closed_at",
    "due_at",
    "unit__name",
    "rating",
    "description",
    "description_public",
    "category_id",
    "answers",
)


def export_rows(filters: ExportFilters, *, chunk_size: int = 2000):
    """Public reports as plain tuples (``EXPORT_VALUES``), oldest first, read in chunks so a
    export of any size never sits in memory."""
    from django.utils import timezone

    qs = report_selectors.report_list(user=None)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(
            created_at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz)
        )
    if filters.date_to:
        qs = qs.filter(
            created_at__lt=dt.datetime.combine(
                filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
        )
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.ward:
        qs = qs.filter(area__code=filters.ward)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    return qs.order_by("pk").values_list(*EXPORT_VALUES).iterator(chunk_size=chunk_size)
