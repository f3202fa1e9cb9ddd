"""A situation report as a spreadsheet (openpyxl): one sheet, the counters as rows, the wards as
columns and the city's total last; every figure a number (a formula-free sum, so that the file
reads the same everywhere)."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .models import Counter, SituationReport
from .selectors_sitreps import COUNTERS, report_wards, sitrep_totals


def _safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def render_sitrep_xlsx(report: SituationReport) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _render(report)


def _render(report: SituationReport) -> bytes:
    incident = report.incident
    wards = report_wards(report, None)
    values = {(c.area_id, c.counter): c.value for c in report.counts.all()}
    totals = sitrep_totals(report)
    labels = dict(Counter.choices)

    book = Workbook()
    sheet = book.active
    sheet.title = _("Report %(n)d") % {"n": report.number}
    sheet["A1"] = _safe(_("Situation report no. %(n)d: %(name)s") % {"n": report.number, "name": incident.name})
    sheet["A1"].font = Font(bold=True, size=13)
    local = timezone.localtime(report.as_of)
    status = (_("signed by %(who)s at %(time)s") % {
        "who": report.signed_by.full_name if report.signed_by else "—",
        "time": timezone.localtime(report.signed_at).strftime("%H:%M %d/%m/%Y")}
        if report.is_signed else _("draft: not signed yet"))
    sheet["A2"] = _safe(_("As of %(time)s; %(status)s") % {"time": f"{local:%H:%M %d/%m/%Y}", "status": status})
    if incident.is_exercise:
        sheet["A3"] = _("EXERCISE — not real figures")
    head = 4
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEE9F5")
    sheet.cell(head, 1, _("Figure")).font = bold
    for j, ward in enumerate(wards, start=2):
        c = sheet.cell(head, j, _safe(ward.name))
        c.font, c.alignment = bold, Alignment(wrap_text=True, horizontal="center")
    total_col = len(wards) + 2
    c = sheet.cell(head, total_col, pgettext("situation report", "Total"))
    c.font, c.fill = bold, fill
    for i, counter in enumerate(COUNTERS, start=head + 1):
        sheet.cell(i, 1, str(labels[counter]))
        for j, ward in enumerate(wards, start=2):
            sheet.cell(i, j, values.get((ward.pk, counter), 0)).number_format = "#,##0"
        t = sheet.cell(i, total_col, totals[counter])
        t.number_format, t.font, t.fill = "#,##0", bold, fill
    sheet.column_dimensions["A"].width = 28
    for j in range(2, total_col + 1):
        sheet.column_dimensions[sheet.cell(head, j).column_letter].width = 16
    sheet.freeze_panes = sheet.cell(head + 1, 2)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
