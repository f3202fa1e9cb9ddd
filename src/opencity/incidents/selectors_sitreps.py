"""Reads of the situation reports: the grid (counters × wards) as the reader may see it, the
city's figure as the sum of the wards (computed, never stored), the briefing (ICS 201), and the
city's figures over a period — exercises excluded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Sum

from opencity import policy
from opencity.errors import NotFoundError
from opencity.geo import collation
from opencity.geo.models import Area
from opencity.lib.params import parse_id

from .models import (
    Asset,
    AssetStatus,
    Counter,
    Deployment,
    Incident,
    IncidentLink,
    LinkState,
    RosterEntry,
    SituationCount,
    SituationReport,
)

COUNTERS: tuple[str, ...] = tuple(Counter.values)
# The grid's sections, as in a báo cáo nhanh: people, houses, response.
SECTIONS = (
    ("people", (Counter.DEAD, Counter.MISSING, Counter.INJURED, Counter.EVACUATED_PEOPLE,
                Counter.EVACUATED_HOUSEHOLDS)),
    ("houses", (Counter.HOUSES_FLOODED, Counter.HOUSES_DAMAGED, Counter.HOUSES_COLLAPSED)),
    ("response", (Counter.SHELTERS_OPEN, Counter.PEOPLE_IN_SHELTERS, Counter.BOATS_DEPLOYED,
                  Counter.TEAMS_DEPLOYED)),
)


@dataclass
class Cell:
    report_id: int
    area_id: int
    counter: str
    value: int = 0
    version: int = 0
    editable: bool = False
    updated_by: str = ""
    updated_at: dt.datetime | None = None
    error: str = ""
    label: str = ""  # "Dead · Phường Phú Xuân", for the box's accessible name


@dataclass
class Row:
    counter: str
    label: str
    cells: list[Cell]
    total: int | None  # the city's figure: the sum of every ward (None: not the reader's to see)


@dataclass
class Grid:
    report: SituationReport
    wards: list[Area]
    rows: list[Row]
    whole: bool  # the reader sees every ward and the city's total
    editable: bool  # some cell may be changed by the reader
    totals: dict[str, int] = field(default_factory=dict)


def sitrep_list(incident: Incident):
    return incident.sitreps.select_related("signed_by").order_by("-number")


def sitrep_get(incident: Incident, number) -> SituationReport:
    n = parse_id(number)
    report = (SituationReport.objects.select_related("signed_by", "incident", "created_by")
              .filter(incident=incident, number=n).first() if n else None)
    if report is None:
        raise NotFoundError(_no_report())
    return report


def _no_report() -> str:
    from django.utils.translation import gettext as _

    return _("This situation report does not exist.")


def sitrep_totals(report: SituationReport) -> dict[str, int]:
    """The city's figures of the report: every counter summed over the wards."""
    sums = {c: 0 for c in COUNTERS}
    for row in report.counts.values("counter").annotate(total=Sum("value")):
        sums[row["counter"]] = row["total"] or 0
    return sums


def report_wards(report: SituationReport, visible: frozenset[int] | None) -> list[Area]:
    """The wards of the report's columns: the incident's wards and any ward that has figures in
    it, in Vietnamese order; only those the reader sees."""
    ids = set(report.incident.areas.values_list("pk", flat=True)) | set(
        report.counts.values_list("area_id", flat=True).distinct())
    if visible is not None:
        ids &= set(visible)
    areas = list(Area.objects.filter(pk__in=ids).only("pk", "name", "code"))
    return sorted(areas, key=lambda a: collation.sort_key(a.name))


def sitrep_grid(report: SituationReport, *, user) -> Grid:
    """The counters × wards grid as ``user`` may see and edit it."""
    incident = report.incident
    visible = policy.visible_ward_ids(user, incident)
    wards = report_wards(report, visible)
    counts = {(c.area_id, c.counter): c for c in
              report.counts.filter(area_id__in=[w.pk for w in wards]).select_related("updated_by")}
    open_ = not report.is_signed
    editable_wards = {w.pk for w in wards if open_ and policy.can_edit_ward_part(user, incident, w.pk)}
    whole = visible is None
    totals = sitrep_totals(report) if whole else {}
    labels = dict(Counter.choices)
    rows = []
    for counter in COUNTERS:
        cells = []
        for w in wards:
            c = counts.get((w.pk, counter))
            cells.append(Cell(report.pk, w.pk, counter, c.value if c else 0, c.version if c else 0,
                              w.pk in editable_wards,
                              (c.updated_by.full_name if c and c.updated_by else ""), c.updated_at if c else None,
                              label=f"{labels[counter]} · {w.name}"))
        rows.append(Row(counter, labels[counter], cells, totals.get(counter) if whole else None))
    return Grid(report, wards, rows, whole, bool(editable_wards), totals)


def cell_of(report: SituationReport, area_id: int, counter: str, *, user) -> Cell:
    c = (SituationCount.objects.select_related("updated_by")
         .filter(report=report, area_id=area_id, counter=counter).first())
    editable = not report.is_signed and policy.can_edit_ward_part(user, report.incident, area_id)
    ward = Area.objects.filter(pk=area_id).values_list("name", flat=True).first() or ""
    return Cell(report.pk, area_id, counter, c.value if c else 0, c.version if c else 0, editable,
                c.updated_by.full_name if c and c.updated_by else "", c.updated_at if c else None,
                label=f"{dict(Counter.choices).get(counter, counter)} · {ward}")


def row_total(report: SituationReport, counter: str) -> int:
    return report.counts.filter(counter=counter).aggregate(total=Sum("value"))["total"] or 0


def latest_signed(incident: Incident) -> SituationReport | None:
    return incident.sitreps.filter(signed_at__isnull=False).order_by("-number").first()


def city_figures(*, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """The city's figures over a period: for every real incident (exercises excluded), its
    latest report signed with ``as_of`` in [start, end], summed counter by counter."""
    latest = (SituationReport.objects.filter(signed_at__isnull=False, as_of__gte=start, as_of__lte=end,
                                             incident__is_exercise=False)
              .values("incident_id").annotate(number=Max("number")))
    sums = {c: 0 for c in COUNTERS}
    report_ids = []
    for row in latest:
        report_ids.extend(SituationReport.objects.filter(incident_id=row["incident_id"], number=row["number"])
                          .values_list("pk", flat=True))
    for row in (SituationCount.objects.filter(report_id__in=report_ids).values("counter")
                .annotate(total=Sum("value"))):
        sums[row["counter"]] = row["total"] or 0
    return sums


def briefing(incident: Incident) -> dict:
    """What the incident briefing (ICS 201) shows: the incident, the current objectives, the
    command, the resources, what is linked, the latest report's totals."""
    period = incident.periods.order_by("-number").first()
    roster = list(RosterEntry.objects.filter(incident=incident).select_related("user", "area"))
    teams = dict(Deployment.objects.filter(incident=incident).values_list("status")
                 .annotate(n=Count("id")).values_list("status", "n"))
    assets = dict(Asset.objects.filter(incident=incident, status=AssetStatus.ASSIGNED).values_list("kind")
                  .annotate(n=Count("id")).values_list("kind", "n"))
    links = dict(IncidentLink.objects.filter(incident=incident, state=LinkState.LINKED).values_list("kind")
                 .annotate(n=Count("id")).values_list("kind", "n"))
    report = incident.sitreps.order_by("-number").first()
    return {
        "incident": incident,
        "wards": sorted(incident.areas.only("pk", "name"), key=lambda a: collation.sort_key(a.name)),
        "period": period,
        "roster": roster,
        "teams": teams,
        "assets": assets,
        "links": links,
        "report": report,
        "totals": sitrep_totals(report) if report else None,
    }
