"""The incident briefing (ICS 201, "Báo cáo tóm tắt sự cố") as a PDF: the incident, the current
objectives (the latest operational period), the command, the resources (teams by status, assets
in use), what is linked (counts by kind) and the latest situation report's totals. For the
commander who takes over at a shift change, on paper."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf.fonts import FontFace

from .models import AssetKind, Counter, DeploymentStatus, Incident, LinkKind
from .selectors_sitreps import briefing
from .sitrep_pdf import GREY, fmt, heading, letterhead, new_document, paragraph
from .workflow import DEPLOYMENT_CHAIN


def render_briefing(incident: Incident) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _render(incident)


def _two_columns(pdf, rows, heads) -> None:
    pdf.set_font("Body", "", 9.5)
    style = FontFace(emphasis="BOLD", fill_color=GREY, size_pt=9)
    with pdf.table(col_widths=(120, 40), width=160, align="LEFT", headings_style=style,
                   text_align=("LEFT", "RIGHT"), line_height=5.5) as table:
        table.row(list(heads))
        for label, value in rows:
            table.row([str(label), value])
    pdf.ln(2)


def _render(incident: Incident) -> bytes:
    data = briefing(incident)
    now = timezone.now()
    pdf = new_document(f"Báo cáo tóm tắt sự cố — {incident.name}")
    pdf.footer_text = f"{settings.SITE_NAME} · {incident.ref} · " + _("Incident briefing (ICS 201)") + \
        f" · {timezone.localtime(now):%H:%M %d/%m/%Y}"
    letterhead(pdf, number_line=f"{incident.ref}", dated=now)
    pdf.set_font("Body", "B", 15)
    pdf.cell(0, 8, "BÁO CÁO TÓM TẮT SỰ CỐ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 10.5)
    pdf.multi_cell(0, 6, _("(as of %(hour)s on %(date)s)") % {"hour": f"{timezone.localtime(now):%H:%M}",
                                                               "date": f"{timezone.localtime(now):%d/%m/%Y}"},
                   align="C", new_x="LMARGIN", new_y="NEXT")
    if incident.is_exercise:
        pdf.set_font("Body", "B", 10.5)
        pdf.multi_cell(0, 6, _("EXERCISE — not real figures"), align="C", new_x="LMARGIN", new_y="NEXT")

    heading(pdf, _("1. The incident"))
    lines = [f"{incident.ref} · {incident.name}",
             _("Type: %(kind)s") % {"kind": incident.get_kind_display()}
             + (" · " + _("natural-disaster risk level %(level)d") % {"level": incident.level} if incident.level else ""),
             _("Status: %(status)s") % {"status": incident.get_status_display()},
             _("since %(time)s") % {"time": timezone.localtime(incident.started_at).strftime("%H:%M %d/%m/%Y")},
             _("Affected wards and communes: %(wards)s.") % {"wards": ", ".join(w.name for w in data["wards"])}]
    paragraph(pdf, "\n".join(lines))
    if incident.description:
        paragraph(pdf, incident.description)

    heading(pdf, _("2. Current objectives"))
    period = data["period"]
    if period is None:
        paragraph(pdf, _("No operational period yet."))
    else:
        paragraph(pdf, _("Period %(n)d: %(start)s – %(end)s") % {
            "n": period.number, "start": timezone.localtime(period.starts_at).strftime("%H:%M %d/%m/%Y"),
            "end": timezone.localtime(period.ends_at).strftime("%H:%M %d/%m/%Y")})
        paragraph(pdf, "\n".join(f"{i}. {o}" for i, o in enumerate(period.objective_list, start=1)))

    heading(pdf, _("3. Command"))
    if data["roster"]:
        pdf.set_font("Body", "", 9.5)
        style = FontFace(emphasis="BOLD", fill_color=GREY, size_pt=9)
        with pdf.table(col_widths=(60, 50, 60), width=170, align="LEFT", headings_style=style,
                       line_height=5.5) as table:
            table.row([_("Name"), _("Position"), _("Level")])
            for r in data["roster"]:
                position = str(r.get_position_display()) + (f" ({r.section})" if r.section else "")
                table.row([r.user.full_name, position, r.area.name if r.area else _("City command")])
        pdf.ln(2)
    else:
        paragraph(pdf, _("The centre and the city leaders command until a roster is set."))

    heading(pdf, _("4. Resources"))
    team_labels = dict(DeploymentStatus.choices)
    _two_columns(pdf, [(team_labels[s], fmt(data["teams"].get(s, 0))) for s in DEPLOYMENT_CHAIN],
                 (_("Teams"), _("Number")))
    asset_labels = dict(AssetKind.choices)
    _two_columns(pdf, [(asset_labels[k], fmt(data["assets"].get(k, 0))) for k in AssetKind.values],
                 (_("Assets in use"), _("Number")))

    heading(pdf, _("5. Linked"))
    link_labels = dict(LinkKind.choices)
    _two_columns(pdf, [(link_labels[k], fmt(data["links"].get(k, 0))) for k in LinkKind.values],
                 (_("Kind"), _("Number")))

    heading(pdf, _("6. Latest situation report"))
    report = data["report"]
    if report is None:
        paragraph(pdf, _("No situation report yet."))
    else:
        state = (_("signed by %(who)s at %(time)s") % {
            "who": report.signed_by.full_name if report.signed_by else "—",
            "time": timezone.localtime(report.signed_at).strftime("%H:%M %d/%m/%Y")}
            if report.is_signed else _("draft: not signed yet"))
        paragraph(pdf, _("Report no. %(n)d, as of %(time)s; %(state)s.") % {
            "n": report.number, "time": timezone.localtime(report.as_of).strftime("%H:%M %d/%m/%Y"),
            "state": state})
        labels = dict(Counter.choices)
        _two_columns(pdf, [(labels[c], fmt(v)) for c, v in data["totals"].items()], (_("Figure"), _("City total")))
    return bytes(pdf.output())
