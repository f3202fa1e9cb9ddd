"""A situation report as a PDF in the format of a Vietnamese báo cáo nhanh (fpdf2, A4 portrait,
the Unicode font of ``lib.pdf``).

The layout follows an administrative document (Decree 30/2020/NĐ-CP): the issuing body and the
number top left, the national title and motto top right with the place and date, the title,
then I. the situation, II. the damage (counters × wards and the total), III. the response, and
the signature block with "Nơi nhận". The national title and motto are fixed Vietnamese words;
the rest is translated text rendered in Vietnamese (the document's language) whatever the
reader's. The city's name comes from the city's area (``OPENCITY_CITY_CODE``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF
from fpdf.fonts import FontFace

from opencity.geo import collation
from opencity.geo.models import Area
from opencity.lib.pdf import FooterDocument, find_fonts

from .models import CommandRole, Counter, SituationReport
from .selectors_sitreps import SECTIONS, report_wards, sitrep_totals

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
WARDS_PER_TABLE = 5
GREY = (235, 235, 235)


def city_names() -> tuple[str, str]:
    """("Thành phố Huế", "Huế"): the city's name and the place a document is dated at."""
    area = Area.objects.filter(code=settings.OPENCITY_CITY_CODE).only("name").first()
    name = area.name if area else settings.SITE_NAME
    place = name
    for prefix in ("Thành phố ", "Tỉnh ", "TP. "):
        if place.startswith(prefix):
            place = place[len(prefix):]
    return name, place


def vn_long_date(moment) -> str:
    local = timezone.localtime(moment)
    return f"ngày {local:%d} tháng {local:%m} năm {local:%Y}"


class Document(FooterDocument):
    pass


def new_document(title: str) -> Document:
    regular, bold = find_fonts()
    pdf = Document(orientation="P", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator(settings.SITE_NAME)
    pdf.set_lang("vi")
    pdf.add_font("Body", "", str(regular))
    pdf.add_font("Body", "B", str(bold))
    pdf.set_margins(18, 14, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    return pdf


def letterhead(pdf: FPDF, *, number_line: str, dated) -> None:
    """The two header columns of an administrative document."""
    city, place = city_names()
    left_w, right_w = 78, pdf.epw - 78
    top = pdf.get_y()
    pdf.set_font("Body", "", 10)
    pdf.multi_cell(left_w, 5, f"UBND {city.upper()}", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Body", "B", 9.5)
    pdf.multi_cell(left_w, 5, "BAN CHỈ HUY PHÒNG CHỐNG THIÊN TAI\nVÀ TÌM KIẾM CỨU NẠN", align="C",
                   new_x="LEFT", new_y="NEXT")
    y = pdf.get_y() + 1
    pdf.line(pdf.l_margin + left_w / 2 - 15, y, pdf.l_margin + left_w / 2 + 15, y)
    pdf.set_y(y + 2)
    pdf.set_font("Body", "", 10)
    pdf.multi_cell(left_w, 5, number_line, align="C", new_x="LMARGIN", new_y="NEXT")
    bottom_left = pdf.get_y()

    x = pdf.l_margin + left_w
    pdf.set_xy(x, top)
    pdf.set_font("Body", "B", 10)
    pdf.multi_cell(right_w, 5, NATION, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Body", "B", 10.5)
    pdf.multi_cell(right_w, 5, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    y = pdf.get_y() + 1
    pdf.line(x + right_w / 2 - 24, y, x + right_w / 2 + 24, y)
    pdf.set_xy(x, y + 7)
    pdf.set_font("Body", "", 10)
    pdf.multi_cell(right_w, 5, f"{place}, {vn_long_date(dated)}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(bottom_left, pdf.get_y()) + 6)


def heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("Body", "B", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 10.5)


def paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("Body", "", 10.5)
    pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")


def fmt(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _damage_tables(pdf: FPDF, report: SituationReport, counters) -> None:
    """Counters as rows, wards as columns (a few per table, so that names stay readable), and the
    city total in the last table."""
    wards = report_wards(report, None)
    values = {(c.area_id, c.counter): c.value for c in report.counts.all()}
    totals = sitrep_totals(report)
    labels = dict(Counter.choices)
    chunks = [wards[i:i + WARDS_PER_TABLE] for i in range(0, len(wards), WARDS_PER_TABLE)] or [[]]
    heads = FontFace(emphasis="BOLD", fill_color=GREY, size_pt=8.5)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        columns = len(chunk) + (1 if last else 0)
        first = 52
        rest = (pdf.epw - first) / max(columns, 1)
        pdf.set_font("Body", "", 9)
        with pdf.table(col_widths=(first, *([rest] * columns)), width=pdf.epw, headings_style=heads,
                       text_align=("LEFT", *(["RIGHT"] * columns)), line_height=5, first_row_as_headings=True,
                       repeat_headings=1) as table:
            head = [_("Figure"), *[w.name for w in chunk]]
            if last:
                head.append(pgettext("situation report", "Total"))
            table.row(head)
            for counter in counters:
                row = [labels[counter], *[fmt(values.get((w.pk, counter), 0)) for w in chunk]]
                if last:
                    row.append(fmt(totals[counter]))
                cells = table.row()
                for i, text in enumerate(row):
                    cells.cell(text, style=FontFace(emphasis="BOLD") if last and i == len(row) - 1 else None)
        pdf.ln(3)


def _signature(pdf: FPDF, report: SituationReport) -> None:
    incident = report.incident
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    top = pdf.get_y()
    half = pdf.epw / 2
    pdf.set_font("Body", "B", 9.5)
    pdf.multi_cell(half, 5, _("Recipients:"), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Body", "", 9)
    recipients = [_("- The Steering Committee for Natural Disaster Prevention and Control (to report);"),
                  _("- The city's People's Committee (to report);"),
                  _("- The wards' commands;"),
                  _("- Filed.")]
    pdf.multi_cell(half, 4.6, "\n".join(recipients), new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    signer = report.signed_by
    position = ""
    if signer is not None:
        entry = incident.roster.filter(user=signer, area__isnull=True).first()
        position = (_("COMMANDER") if entry is None or entry.position == CommandRole.COMMANDER
                    else str(entry.get_position_display()).upper())
    pdf.set_font("Body", "B", 10)
    pdf.multi_cell(half, 5, f"TM. BAN CHỈ HUY\n{position or _('COMMANDER')}", align="C", new_x="LEFT",
                   new_y="NEXT")
    pdf.set_font("Body", "", 9)
    if report.is_signed:
        pdf.multi_cell(half, 5, _("(signed in the system at %(time)s)") % {
            "time": timezone.localtime(report.signed_at).strftime("%H:%M %d/%m/%Y")},
            align="C", new_x="LEFT", new_y="NEXT")
        pdf.ln(12)
        pdf.set_font("Body", "B", 10.5)
        pdf.multi_cell(half, 5, signer.full_name if signer else "", align="C", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(half, 5, _("(draft: not signed yet)"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(bottom, pdf.get_y()))


def render_sitrep(report: SituationReport) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _render(report)


def _render(report: SituationReport) -> bytes:
    incident = report.incident
    pdf = new_document(f"Báo cáo nhanh số {report.number} — {incident.name}")
    pdf.footer_text = f"{settings.SITE_NAME} · {incident.ref} · " + _("Situation report no. %(n)d") % {
        "n": report.number} + ("" if report.is_signed else " · " + _("DRAFT"))
    letterhead(pdf, number_line=f"Số: {report.number}/BC-BCH", dated=report.signed_at or report.as_of)

    pdf.set_font("Body", "B", 15)
    pdf.cell(0, 8, "BÁO CÁO NHANH", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "B", 11)
    pdf.multi_cell(0, 6, _("Situation of the %(kind)s: %(name)s") % {
        "kind": incident.get_kind_display().lower(), "name": incident.name}, align="C",
        new_x="LMARGIN", new_y="NEXT")
    local = timezone.localtime(report.as_of)
    pdf.set_font("Body", "", 10.5)
    pdf.multi_cell(0, 6, _("(as of %(hour)s on %(date)s)") % {"hour": f"{local:%H:%M}", "date": f"{local:%d/%m/%Y}"},
                   align="C", new_x="LMARGIN", new_y="NEXT")
    if incident.is_exercise:
        pdf.set_font("Body", "B", 10.5)
        pdf.multi_cell(0, 6, _("EXERCISE — not real figures"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    wards = sorted(incident.areas.only("name"), key=lambda a: collation.sort_key(a.name))
    heading(pdf, _("I. THE SITUATION"))
    facts = [_("Type: %(kind)s") % {"kind": incident.get_kind_display()}]
    if incident.level:
        facts.append(_("natural-disaster risk level %(level)d") % {"level": incident.level})
    facts.append(_("since %(time)s") % {"time": timezone.localtime(incident.started_at).strftime("%H:%M %d/%m/%Y")})
    paragraph(pdf, "; ".join(facts) + ".")
    paragraph(pdf, _("Affected wards and communes: %(wards)s.") % {"wards": ", ".join(w.name for w in wards)})
    if report.summary:
        paragraph(pdf, report.summary)

    people, houses, response = (counters for _name, counters in SECTIONS)
    heading(pdf, _("II. DAMAGE"))
    _damage_tables(pdf, report, (*people, *houses))
    heading(pdf, _("III. RESPONSE"))
    _damage_tables(pdf, report, response)
    _signature(pdf, report)
    return bytes(pdf.output())
