"""The readable copy of a person's data (fpdf2, A4 portrait), from the same document as the JSON
export, in the Unicode font ``lib.pdf`` finds (Vietnamese letters)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opencity.lib.pdf import FooterDocument, find_fonts

PURPLE = (74, 35, 119)


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "—"
    return str(value)


def render(document: dict) -> bytes:
    regular, bold = find_fonts()
    pdf = FooterDocument(orientation="P", unit="mm", format="A4")
    title = _("My personal data held by %(site)s") % {"site": settings.SITE_NAME}
    generated = dt.datetime.fromisoformat(document["generated_at"])
    pdf.footer_text = f"{settings.SITE_NAME} · {generated:%H:%M %d/%m/%Y}"
    pdf.set_title(title)
    pdf.set_creator(settings.SITE_NAME)
    pdf.set_lang(get_language() or "vi")
    pdf.add_font("Body", "", str(regular))
    pdf.add_font("Body", "B", str(bold))
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.set_font("Body", "B", 16)
    pdf.set_text_color(*PURPLE)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(80, 80, 80)
    pdf.set_font("Body", "", 9)
    pdf.multi_cell(0, 5, _("Made at %(moment)s (Huế time). The same data, machine-readable, are in the JSON "
                           "export.") % {"moment": f"{generated:%H:%M %d/%m/%Y}"}, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    for section in document["sections"].values():
        pdf.ln(3)
        pdf.set_font("Body", "B", 12)
        pdf.set_text_color(*PURPLE)
        pdf.multi_cell(0, 7, f"{section['title']} ({len(section['rows'])})", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(90, 90, 90)
        pdf.set_font("Body", "", 8)
        pdf.multi_cell(0, 4.5, section["used_for"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        if not section["rows"]:
            pdf.set_font("Body", "", 9)
            pdf.multi_cell(0, 5, _("Nothing."), new_x="LMARGIN", new_y="NEXT")
        for row in section["rows"]:
            pdf.ln(1)
            for key, value in row.items():
                pdf.set_font("Body", "B", 8)
                pdf.cell(45, 4.5, key)
                pdf.set_font("Body", "", 8)
                pdf.multi_cell(0, 4.5, _value(value)[:2000], new_x="LMARGIN", new_y="NEXT")
        if section["truncated"]:
            pdf.set_font("Body", "", 8)
            pdf.multi_cell(0, 4.5, _("Only the first rows are listed; ask us for the rest."),
                           new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
