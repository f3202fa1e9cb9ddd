"""The dossier section of the digital reports (``ioc.digital.content``): per agency, the
dossiers received in the month and what became of them, from ``kpi`` — the figures of the
dossier pages for the same month and scope. The caller has already checked who may read the
report; this counts every dossier of its scope (the city, a ward, a unit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from opencity.orgs.models import Unit
from opencity.reports.kpi import Period

from . import kpi


@dataclass
class Section:
    title: str
    columns: list[tuple[str, str, str]]  # (key, label, kind: "text", "int", "pct")
    rows: list[list]


def dossier_section(*, level: str, area_id: int | None, unit_id: int | None, period: Period,
                    now: dt.datetime | None = None) -> Section:
    scope = kpi.Scope(period=period, area_id=area_id if level == "ward" else None,
                      unit_id=unit_id if level == "unit" else None)
    per = kpi.figures_by(kpi.all_dossiers(), scope, "unit", now=now)
    units = Unit.objects.in_bulk([k for k in per if k is not None])
    items = sorted(((units[k].name, f) for k, f in per.items() if k in units), key=lambda x: (-x[1].received, x[0]))
    columns = [
        ("name", _("Agency"), "text"),
        ("received", pgettext("number of dossiers", "Received"), "int"),
        ("done", pgettext("number of dossiers", "Processed"), "int"),
        ("on_time", pgettext("share of dossiers", "On time"), "int"),
        ("on_time_rate", _("On-time rate"), "pct"),
        ("overdue_now", _("Overdue now"), "int"),
    ]
    rows = [[name, f.received, f.done, f.on_time, f.on_time_rate, f.overdue_now] for name, f in items]
    return Section(_("One-stop dossiers by agency"), columns, rows)
