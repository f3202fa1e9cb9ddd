"""Every figure's count equals its list's rows, overall, per agency and per ward."""

from __future__ import annotations

import pytest

from opencity.dossiers import kpi
from opencity.reports.kpi import Period

from .conftest import at, row

NOW = at(10, hour=12)


@pytest.fixture
def mix(load, urban_works):
    load(
        row("A-0001", status="10", finished="04/11/2026 10:00"),  # on time
        row("A-0002", status="9", finished="07/11/2026 10:00"),  # late
        row("A-0003", status="4"),  # open, due 05/11: overdue now
        row("A-0004", status="4", due="20/11/2026 17:00"),  # open, not yet due
        row("A-0005", status="7"),  # withdrawn
        row("A-0006", status="9", finished="03/11/2026 09:00", unit="hepco", ward="Phường Thuận Hóa"),
        row("A-0007", status="2", received="02/10/2026 08:00", due="03/10/2026 17:00"),  # October, overdue
    )


def test_the_figures_are_as_defined(mix):
    f = kpi.figures(kpi.all_dossiers(), kpi.Scope(period=Period.parse("2026-11")), now=NOW)
    assert (f.received, f.done, f.on_time, f.overdue_done, f.overdue_now) == (6, 3, 2, 1, 1)
    assert f.on_time_rate == pytest.approx(2 / 3)
    every = kpi.figures(kpi.all_dossiers(), kpi.Scope(), now=NOW)
    assert (every.received, every.overdue_now) == (7, 2)


def test_the_period_is_by_the_day_received_in_hue_time(load):
    load(row("B-0001", received="01/11/2026 00:30", due="03/11/2026 17:00"))  # 31/10 17:30 UTC
    nov = kpi.figures(kpi.all_dossiers(), kpi.Scope(period=Period.parse("2026-11")), now=NOW)
    oct_ = kpi.figures(kpi.all_dossiers(), kpi.Scope(period=Period.parse("2026-10")), now=NOW)
    assert (nov.received, oct_.received) == (1, 0)


@pytest.mark.parametrize("figure", list(kpi.FIGURES))
@pytest.mark.parametrize("period", ["", "2026-11", "2026-10"])
def test_every_figure_counts_exactly_its_list(mix, figure, period, ward_unit, urban_works, phu_xuan, thuan_hoa):
    qs = kpi.all_dossiers()
    scopes = [kpi.Scope(period=Period.parse(period))]
    scopes += [kpi.Scope(period=Period.parse(period), unit_id=u.pk) for u in (ward_unit, urban_works)]
    scopes += [kpi.Scope(period=Period.parse(period), area_id=a.pk) for a in (phu_xuan, thuan_hoa)]
    for scope in scopes:
        count = getattr(kpi.figures(qs, scope, now=NOW), figure)
        assert kpi.drilldown(qs, scope, figure, now=NOW).count() == count
    by_unit = kpi.figures_by(qs, scopes[0], "unit", now=NOW)
    for unit_id, f in by_unit.items():
        scope = kpi.Scope(period=scopes[0].period, unit_id=unit_id)
        assert kpi.drilldown(qs, scope, figure, now=NOW).count() == getattr(f, figure)
