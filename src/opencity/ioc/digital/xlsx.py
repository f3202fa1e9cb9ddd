"""A digital report as an Excel workbook (openpyxl): a summary sheet with the headline figures
and the previous month, then one sheet per table. Numbers are numbers (counts, shares with a
percent format, hours), dates are dates, headers are frozen, so the workbook can be filtered
and computed on. Layout only: the figures come from ``content.build``."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .content import Content

FORMATS = {"int": "#,##0", "pct": "0.0%", "hours": "0.0", "date": "DD/MM/YYYY"}
CHANGE_FORMATS = {"int": "+#,##0;-#,##0;0", "pct": "+0.0%;-0.0%;0.0%", "hours": "+0.0;-0.0;0.0"}
HEADER_FILL = PatternFill("solid", fgColor="4A2377")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SUMMARY_HEADER_ROW = 6


def _sheet_title(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31]


def _header(ws, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _value(value):
    return value.date() if isinstance(value, dt.datetime) else value


def render(content: Content) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(_("Summary"))
    ws["A1"] = content.title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = _("Generated at %(moment)s (Huế time)") % {"moment": content.generated_label}
    ws["A3"] = content.notes[0]
    ws["A4"] = content.notes[1]
    for cell in ("A2", "A3", "A4"):
        ws[cell].font = Font(italic=True, color="555555")
    _header(ws, SUMMARY_HEADER_ROW, [
        _("Figure"),
        _("Month %(month)s") % {"month": content.month.label},
        _("Previous month %(month)s") % {"month": content.previous.label},
        _("Change"),
        _("Key"),
    ])
    for i, row in enumerate(content.headline, start=SUMMARY_HEADER_ROW + 1):
        ws.cell(row=i, column=1, value=row.label)
        for col, value, fmt in ((2, row.value, FORMATS[row.kind]), (3, row.previous, FORMATS[row.kind]),
                                (4, row.change, CHANGE_FORMATS[row.kind])):
            cell = ws.cell(row=i, column=col, value=value)
            cell.number_format = fmt
        key = ws.cell(row=i, column=5, value=row.key)
        key.font = Font(color="888888", size=8)
    ws.freeze_panes = ws.cell(row=SUMMARY_HEADER_ROW + 1, column=2)
    for col, width in zip("ABCDE", (46, 16, 20, 12, 20), strict=True):
        ws.column_dimensions[col].width = width

    for table in content.tables:
        sheet = wb.create_sheet(_sheet_title(table.title))
        _header(sheet, 1, [c.label for c in table.columns])
        for r, values in enumerate(table.rows, start=2):
            for c, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
                cell = sheet.cell(row=r, column=c, value=_value(value))
                if column.kind in FORMATS:
                    cell.number_format = FORMATS[column.kind]
        sheet.freeze_panes = "B2"
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A1:{last}{max(1, len(table.rows) + 1)}"
        sheet.column_dimensions["A"].width = 12 if table.columns[0].kind == "date" else 44
        for c in range(2, len(table.columns) + 1):
            sheet.column_dimensions[get_column_letter(c)].width = 13
        sheet.row_dimensions[1].height = 32

    wb.properties.title = content.title
    wb.properties.creator = settings.SITE_NAME
    wb.properties.language = content.language
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
