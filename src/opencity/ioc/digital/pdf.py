"""A digital report as a PDF (fpdf2), A4 landscape, in a Unicode TrueType font found by
``lib.pdf`` (the setting ``OPENCITY_PDF_FONT``, else the first installed of
:data:`FONT_CANDIDATES`). Layout only: figures from ``content``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from opencity.lib.numbers import fmt_number
from opencity.lib.pdf import FONT_CANDIDATES, FontNotFound, FooterDocument  # noqa: F401 — FontNotFound: re-exported
from opencity.lib.pdf import find_fonts as _find_fonts

from .content import Content

PURPLE = (74, 35, 119)
LIGHT = (238, 233, 245)


def find_fonts() -> tuple[Path, Path]:
    """The regular and bold font files (``lib.pdf``), from this module's :data:`FONT_CANDIDATES`."""
    return _find_fonts(FONT_CANDIDATES)


def fmt(value, kind: str, *, signed: bool = False) -> str:
    """A figure in the active language's notation ("66,7%" in Vietnamese); none: "—"."""
    if value is None:
        return "—"
    if kind == "date":
        return f"{value:%d/%m/%Y}" if isinstance(value, dt.date) else str(value)
    if kind == "text":
        return str(value)
    sign = "+" if signed and value > 0 else ""
    if kind == "pct":  # as the console's ``pct`` filter: rounded, in the language's notation
        text = fmt_number(value * 100, 1)
        return _("%(value)s pp") % {"value": sign + text} if signed else f"{text}%"
    if kind == "hours":
        return sign + fmt_number(value, 1)
    return sign + number_format(value, 0, use_l10n=True, force_grouping=True)


class _Document(FooterDocument):
    page_number_width = 28


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font("Body", "B", 12)
    pdf.set_text_color(*PURPLE)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Body", "", 8)


def render(content: Content) -> bytes:
    regular, bold = find_fonts()
    pdf = _Document(orientation="L", unit="mm", format="A4")
    pdf.footer_text = f"{settings.SITE_NAME} · {content.title} · {content.generated_label}"
    pdf.set_title(content.title)
    pdf.set_creator(settings.SITE_NAME)
    pdf.set_lang(content.language)
    pdf.add_font("Body", "", str(regular))
    pdf.add_font("Body", "B", str(bold))
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()

    pdf.set_font("Body", "B", 17)
    pdf.set_text_color(*PURPLE)
    pdf.multi_cell(0, 9, content.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(80, 80, 80)
    pdf.set_font("Body", "", 9)
    pdf.multi_cell(0, 5, _("Generated at %(moment)s (Huế time)") % {"moment": content.generated_label},
                   new_x="LMARGIN", new_y="NEXT")
    for note in content.notes:
        pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)

    _heading(pdf, _("Headline figures"))
    pdf.set_font("Body", "", 9)
    heads = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=PURPLE)
    with pdf.table(col_widths=(110, 40, 50, 40), width=240, align="LEFT", headings_style=heads,
                   text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"), line_height=6,
                   cell_fill_color=LIGHT, cell_fill_mode="ROWS") as table:
        table.row([_("Figure"), _("Month %(month)s") % {"month": content.month.label},
                   _("Previous month %(month)s") % {"month": content.previous.label}, _("Change")])
        for row in content.headline:
            table.row([row.label, fmt(row.value, row.kind), fmt(row.previous, row.kind),
                       fmt(row.change, row.kind, signed=True)])

    small_heads = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=PURPLE, size_pt=7)
    for t in content.tables:
        pdf.add_page()
        _heading(pdf, t.title)
        first = 24 if t.columns[0].kind == "date" else 64
        rest = (pdf.epw - first) / (len(t.columns) - 1)
        with pdf.table(col_widths=(first, *([rest] * (len(t.columns) - 1))), width=pdf.epw,
                       headings_style=small_heads, text_align=("LEFT", *(["RIGHT"] * (len(t.columns) - 1))),
                       line_height=4.5, cell_fill_color=LIGHT, cell_fill_mode="ROWS",
                       repeat_headings=1) as table:
            table.row([c.label for c in t.columns])
            if not t.rows:
                row = table.row()
                row.cell(_("No report was received in this month."), colspan=len(t.columns))
            for values in t.rows:
                table.row([fmt(v, c.kind) for c, v in zip(t.columns, values, strict=True)])
    return bytes(pdf.output())
