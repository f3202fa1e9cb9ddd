"""What a digital report says: every figure is asked of ``reports.kpi`` for the report's scope,
so a report shows exactly what the console shows for the same month, ward or unit. Nothing
here counts, adds or divides reports; the renderers (``xlsx.py``, ``pdf.py``) only lay out.

Build the content under ``translation.override(language)``: labels are translated on build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from opencity.dossiers.digital import dossier_section
from opencity.geo.models import Area
from opencity.lib.worktime import TZ
from opencity.orgs.models import Unit
from opencity.reports import kpi
from opencity.reports.models import Category

# kinds: "text", "date", "int" (a count), "pct" (a share, 0–1), "hours" (working hours)
HEADLINE = (
    ("received", gettext_lazy("Reports received"), "int"),
    ("processed", gettext_lazy("Reports processed"), "int"),
    ("processing_rate", gettext_lazy("Processing rate"), "pct"),
    ("on_time", gettext_lazy("Processed on time"), "int"),
    ("on_time_rate", gettext_lazy("On-time rate"), "pct"),
    ("rated", gettext_lazy("Rated by the reporter"), "int"),
    ("satisfied", gettext_lazy("Satisfied (4 or 5 stars)"), "int"),
    ("satisfaction_rate", gettext_lazy("Satisfaction"), "pct"),
    ("reopened_rate", gettext_lazy("Reopened after a dispute"), "pct"),
    ("average_work_hours", gettext_lazy("Average processing time (working hours)"), "hours"),
    ("median_work_hours", gettext_lazy("Median processing time (working hours)"), "hours"),
    ("overdue_now", gettext_lazy("Overdue at the time of generation"), "int"),
)

# the columns of every breakdown table after its first (name) column
TABLE_FIGURES = (
    ("received", pgettext_lazy("number of reports", "Received"), "int"),
    ("processed", pgettext_lazy("number of reports", "Processed"), "int"),
    ("processing_rate", gettext_lazy("Processing rate"), "pct"),
    ("on_time", pgettext_lazy("number of reports", "On time"), "int"),
    ("on_time_rate", gettext_lazy("On-time rate"), "pct"),
    ("rated", pgettext_lazy("number of reports", "Rated"), "int"),
    ("satisfied", pgettext_lazy("number of reports", "Satisfied"), "int"),
    ("satisfaction_rate", gettext_lazy("Satisfaction"), "pct"),
    ("reopened_rate", gettext_lazy("Reopened rate"), "pct"),
    ("average_work_hours", gettext_lazy("Average hours"), "hours"),
    ("overdue_now", gettext_lazy("Overdue now"), "int"),
)


@dataclass
class Column:
    key: str
    label: str
    kind: str


@dataclass
class Table:
    key: str  # "unit", "area", "category", "day"
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)


@dataclass
class HeadlineRow:
    key: str
    label: str
    kind: str
    value: float | int | None
    previous: float | int | None

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass
class Content:
    title: str
    scope_name: str
    month: kpi.Period
    previous: kpi.Period
    generated_at: dt.datetime  # aware, Asia/Ho_Chi_Minh
    language: str
    headline: list[HeadlineRow]
    tables: list[Table]
    notes: list[str]

    @property
    def generated_label(self) -> str:
        return f"{self.generated_at:%d/%m/%Y %H:%M}"


def city_name() -> str:
    area = Area.objects.filter(code=settings.OPENCITY_CITY_CODE).only("name").first()
    return area.name if area else settings.SITE_NAME


def scope_name(level: str, area: Area | None, unit: Unit | None) -> str:
    """"Thành phố Huế", "Phường Phú Xuân" or "Đơn vị <name>" (in the active language)."""
    if level == "ward" and area is not None:
        return area.name
    if level == "unit" and unit is not None:
        return _("Unit %(name)s") % {"name": unit.name}
    return city_name()


def report_title(month: dt.date, name: str) -> str:
    return _("Digital report %(month)s — %(scope)s") % {"month": f"{month:%m/%Y}", "scope": name}


def kpi_scope(level: str, area_id: int | None, unit_id: int | None, period: kpi.Period) -> kpi.Scope:
    """The console's scope for a report: every report (public or not), as staff see them."""
    if level == "ward":
        return kpi.Scope(period=period, area_id=area_id)
    if level == "unit":
        return kpi.Scope(period=period, unit_id=unit_id)
    return kpi.Scope(period=period)


def _row(label, f: kpi.Figures) -> list:
    return [label, *(getattr(f, key) for key, _label, _kind in TABLE_FIGURES)]


def _columns(first: str, kind: str = "text") -> list[Column]:
    return [Column("name", first, kind), *(Column(k, str(label), kd) for k, label, kd in TABLE_FIGURES)]


def _by_unit(scope: kpi.Scope, now: dt.datetime) -> Table:
    per = kpi.figures_by(scope, "unit", now=now)
    units = Unit.objects.in_bulk(list(per))
    table = Table("unit", _("By unit"), _columns(_("Unit")))
    items = sorted(((units[k].name, f) for k, f in per.items() if k in units), key=lambda x: (-x[1].received, x[0]))
    table.rows = [_row(name, f) for name, f in items]
    return table


def _by_area(scope: kpi.Scope, now: dt.datetime) -> Table:
    per = kpi.figures_by(scope, "area", now=now)
    areas = Area.objects.in_bulk(list(per))
    table = Table("area", _("By ward or commune"), _columns(_("Ward/commune")))
    items = sorted(((areas[k].name, f) for k, f in per.items() if k in areas), key=lambda x: (-x[1].received, x[0]))
    table.rows = [_row(name, f) for name, f in items]
    return table


def _by_category(scope: kpi.Scope, now: dt.datetime) -> Table:
    per = kpi.figures_by(scope, "category", now=now)
    categories = Category.objects.in_bulk(list(per))
    table = Table("category", _("By category"), _columns(_("Category")))
    items = sorted(((categories[k].name, f) for k, f in per.items() if k in categories),
                   key=lambda x: (-x[1].received, x[0]))
    table.rows = [_row(name, f) for name, f in items]
    return table


def _by_day(scope: kpi.Scope, now: dt.datetime) -> Table:
    """Every day of the month, days without a report as empty figures."""
    per = kpi.figures_by(scope, "day", now=now)
    table = Table("day", _("By day"), _columns(_("Day"), "date"))
    day = scope.period.start
    while day < scope.period.end:
        table.rows.append(_row(day, per.get(kpi.Period.of("day", day), kpi.Figures())))
        day += dt.timedelta(days=1)
    return table


def _press(period: kpi.Period) -> tuple[Table, str] | None:
    """The press section, built by the press app (``press.selectors.digital_section``); none
    for a month without press items."""
    from opencity.press.selectors import digital_section

    s = digital_section(start=period.start, end=period.end)
    return (Table(s["key"], s["title"], [Column(*c) for c in s["columns"]], s["rows"]), s["note"]) if s else None


def build(*, level: str, area: Area | None, unit: Unit | None, month: dt.date, language: str,
          now: dt.datetime | None = None) -> Content:
    """Ask ``reports.kpi`` for the month and the month before, and the breakdowns of the level:
    the city by unit, ward, category and day; a ward by unit, category and day; a unit by
    category and day."""
    now = now or timezone.now()
    period = kpi.Period.of("month", month)
    previous = period.previous()
    area_id, unit_id = (area.pk if area else None), (unit.pk if unit else None)
    scope = kpi_scope(level, area_id, unit_id, period)
    current = kpi.figures(scope, now=now)
    before = kpi.figures(kpi_scope(level, area_id, unit_id, previous), now=now)
    headline = [HeadlineRow(key, str(label), kind, getattr(current, key), getattr(before, key))
                for key, label, kind in HEADLINE]
    tables = []
    if level in ("city", "ward"):
        tables.append(_by_unit(scope, now))
    if level == "city":
        tables.append(_by_area(scope, now))
    tables += [_by_category(scope, now), _by_day(scope, now)]
    section = dossier_section(level=level, area_id=area_id, unit_id=unit_id, period=period, now=now)
    if section.rows:  # an installation without one-stop dossiers has no such table
        tables.append(Table("dossiers", section.title, [Column(*c) for c in section.columns], section.rows))
    press = _press(period) if level == "city" else None  # press monitoring is city-wide
    if press:
        tables.append(press[0])
    name = scope_name(level, area, unit)
    notes = [
        _("Reports received in the month (by the date they were sent, in Huế time) and what has "
          "happened to them until the time of generation; merged duplicates and rejected reports "
          "are not counted. Processing time is counted in working hours."),
        _("The same figures as the operations console for the same month and scope."),
    ]
    if level in ("city", "ward"):
        notes.append(_("Reports not yet routed to a unit count in the totals but in no unit's row."))
    if press:
        notes.append(press[1])
    return Content(
        title=report_title(period.start, name), scope_name=name, month=period, previous=previous,
        generated_at=timezone.localtime(now, TZ), language=language, headline=headline,
        tables=tables, notes=notes,
    )
