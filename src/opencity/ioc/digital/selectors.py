"""Reads for the digital reports page, bounded by the user's ``policy.kpi_bounds``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from opencity import policy
from opencity.geo import selectors as geo
from opencity.geo.collation import sorted_vi
from opencity.geo.models import Area
from opencity.orgs.models import Unit
from opencity.reports import kpi

from ..models import DigitalReport, DigitalReportLevel, DigitalReportSubscription
from .services import MAX_MONTHS_BACK


def _bounded(qs: QuerySet, bounds: policy.KpiBounds | None) -> QuerySet:
    if bounds is None:
        return qs.none()
    if bounds.level == "city":
        return qs
    if bounds.level == "ward":
        return qs.filter(level=DigitalReportLevel.WARD, area_id=bounds.area_id)
    return qs.filter(Q(level=DigitalReportLevel.UNIT, unit_id__in=bounds.unit_ids))


def digital_report_list(*, user, limit: int = 60) -> list[DigitalReport]:
    """The reports the user may download, newest month first."""
    qs = DigitalReport.objects.select_related("area", "unit", "requested_by")
    return list(_bounded(qs, policy.kpi_bounds(user))[:limit])


def digital_report_subscription_list(*, user) -> list[DigitalReportSubscription]:
    return list(DigitalReportSubscription.objects.filter(user=user, active=True).select_related("area", "unit"))


def month_options() -> list[kpi.Period]:
    return kpi.recent_periods("month", MAX_MONTHS_BACK)


@dataclass
class TargetOptions:
    levels: list[tuple[str, str]]
    wards: list[Area]
    units: list[Unit]


def target_options(*, user) -> TargetOptions:
    """What the form offers: the city, wards and units within the user's bounds."""
    bounds = policy.kpi_bounds(user)
    labels = dict(DigitalReportLevel.choices)
    if bounds is None:
        return TargetOptions([], [], [])
    if bounds.level == "city":
        return TargetOptions(list(DigitalReportLevel.choices), list(geo.wards()),
                             sorted_vi(Unit.objects.filter(is_active=True), key=lambda u: u.name))
    if bounds.level == "ward":
        return TargetOptions([("ward", labels["ward"])], list(geo.wards().filter(pk=bounds.area_id)), [])
    return TargetOptions([("unit", labels["unit"])], [],
                         sorted_vi(Unit.objects.filter(pk__in=bounds.unit_ids, is_active=True), key=lambda u: u.name))
