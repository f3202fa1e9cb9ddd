"""The dossier section of the digital reports: the same figures as the dossier pages."""

from __future__ import annotations

from django.utils import translation

from opencity.dossiers import kpi
from opencity.dossiers.digital import dossier_section
from opencity.ioc.digital import content
from opencity.reports.kpi import Period

from .conftest import at, row

NOW = at(10, hour=12)


def test_the_section_counts_per_agency_as_the_pages_do(load, ward_unit, urban_works):
    load(row("D-0001", status="10", finished="04/11/2026 10:00"), row("D-0002", status="4"),
         row("D-0003", status="9", finished="03/11/2026 09:00", unit="hepco"))
    november = Period.parse("2026-11")
    section = dossier_section(level="city", area_id=None, unit_id=None, period=november, now=NOW)
    assert [c[0] for c in section.columns] == ["name", "received", "done", "on_time", "on_time_rate", "overdue_now"]
    rows = {r[0]: r[1:] for r in section.rows}
    f = kpi.figures(kpi.all_dossiers(), kpi.Scope(period=november, unit_id=ward_unit.pk), now=NOW)
    assert rows[ward_unit.name] == [f.received, f.done, f.on_time, f.on_time_rate, f.overdue_now] == [2, 1, 1, 1.0, 1]
    unit_only = dossier_section(level="unit", area_id=None, unit_id=urban_works.pk, period=november, now=NOW)
    assert [r[0] for r in unit_only.rows] == [urban_works.name]


def test_the_digital_report_gains_the_section(load, ward_unit, urban_works):
    load(row("D-0001", status="10", finished="04/11/2026 10:00"))
    with translation.override("vi"):
        built = content.build(level="city", area=None, unit=None, month=at(1).date(), language="vi", now=NOW)
    table = next(t for t in built.tables if t.key == "dossiers")
    assert table.title == "Hồ sơ một cửa theo cơ quan"
    assert table.rows[0][0] == ward_unit.name


def test_no_dossier_no_section(db, city):
    built = content.build(level="city", area=None, unit=None, month=at(1).date(), language="vi", now=NOW)
    assert all(t.key != "dossiers" for t in built.tables)
