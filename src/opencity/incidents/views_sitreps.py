"""The situation report pages (báo cáo nhanh): start the next report, the entry grid (counters ×
wards, one cell saved at a time, with htmx or a plain form), the text, signing, the exports (PDF,
XLSX) and the incident briefing (ICS 201, PDF).

Views raise DomainErrors; the error middleware answers them. The one exception is a cell saved
with htmx: its 409 (someone else changed it) and 400 (not a number) come back as the cell
itself, showing the value it holds now and the message, so that nobody types over a figure
they have not seen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencity import policy
from opencity.errors import PermissionDeniedError, ValidationError
from opencity.lib.params import parse_id

from . import selectors_sitreps as selectors
from . import services
from .forms_sitreps import SummaryForm
from .permissions import access_incident


def _report(request: HttpRequest, pk: int, number: int):
    incident = access_incident(request.user, pk)
    return incident, selectors.sitrep_get(incident, number)


def _detail_url(report, anchor: str = "") -> str:
    return reverse("incidents:sitrep_detail", args=[report.incident_id, report.number]) + (
        f"#{anchor}" if anchor else "")


@login_required
@require_POST
def sitrep_start(request: HttpRequest, pk: int) -> HttpResponse:
    access_incident(request.user, pk)
    raw = request.POST.get("after", "")
    after = 0 if raw == "0" else parse_id(raw)
    report = services.sitrep_start(actor=request.user, incident_id=pk, after=after)
    messages.success(request, _("Situation report %(n)d is open: each ward updates its figures.") % {
        "n": report.number})
    return redirect(_detail_url(report))


@login_required
@require_GET
def sitrep_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    incident, report = _report(request, pk, number)
    user = request.user
    grid = selectors.sitrep_grid(report, user=user)
    commands = policy.can_command_incident(user, incident)
    form = SummaryForm(initial={"as_of": timezone.localtime(report.as_of), "summary": report.summary,
                                "version": report.version})
    return render(request, "incidents/sitreps/detail.html", {
        "incident": incident, "report": report, "grid": grid,
        "edits_text": commands and not report.is_signed,
        "can_sign": policy.can_sign_sitrep(user, incident) and not report.is_signed,
        "can_export": policy.can_read_city_sitrep(user, incident),
        "reports": list(selectors.sitrep_list(incident)),
        "summary_form": form,
        "system_counters": services.sitreps.SYSTEM_COUNTERS,
    })


@login_required
@require_POST
def sitrep_cell(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One ward's counter. A plain form goes back to the grid (a refusal: with its message, by
    the middleware); htmx gets the cell and the row's city total."""
    incident, report = _report(request, pk, number)
    post = request.POST
    save = {"actor": request.user, "report_id": report.pk, "area_id": post.get("area"),
            "counter": post.get("counter", ""), "value": post.get("value"), "expected_version": post.get("version")}
    if not request.headers.get("HX-Request"):
        count = services.sitrep_set_count(**save)
        messages.success(request, _("Saved."))
        return redirect(_detail_url(report, f"row-{count.counter}"))
    status, error, typed = 200, "", None
    try:
        count = services.sitrep_set_count(**save)
    except services.StaleCount as exc:
        count, status, error = exc.count, exc.http_status, exc.message
    except ValidationError as exc:
        if exc.field != "value":
            raise
        status, error, typed = exc.http_status, exc.message, post.get("value", "")[:20]
        count = None
    area_id = count.area_id if count is not None else parse_id(post.get("area"))
    counter = count.counter if count is not None else post.get("counter", "")
    cell = selectors.cell_of(report, area_id, counter, user=request.user)
    cell.error = error
    total = selectors.row_total(report, counter) if policy.can_read_city_sitrep(request.user, incident) else None
    return render(request, "incidents/sitreps/cell.html",
                  {"cell": cell, "typed": typed, "total": total, "oob": True, "incident": incident, "report": report},
                  status=status)


@login_required
@require_POST
def sitrep_summary(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    incident, report = _report(request, pk, number)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        raise ValidationError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    d = form.cleaned_data
    services.sitrep_update(actor=request.user, report_id=report.pk, summary=d["summary"], as_of=d["as_of"],
                           expected_version=d["version"])
    messages.success(request, _("The report's text was saved."))
    return redirect(_detail_url(report, "summary"))


@login_required
@require_POST
def sitrep_fill(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    incident, report = _report(request, pk, number)
    changed = services.sitrep_fill_from_system(actor=request.user, report_id=report.pk)
    messages.success(request, _("Filled from the shelters, assets and teams: %(n)d figures changed.") % {
        "n": changed})
    return redirect(_detail_url(report, "grid"))


@login_required
@require_POST
def sitrep_sign(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    incident, report = _report(request, pk, number)
    report = services.sitrep_sign(actor=request.user, report_id=report.pk,
                                  expected_version=request.POST.get("version"))
    messages.success(request, _("Report %(n)d is signed.") % {"n": report.number})
    return redirect(_detail_url(report))


def _exportable(request: HttpRequest, pk: int, number: int | None = None):
    incident = access_incident(request.user, pk)
    if not policy.can_read_city_sitrep(request.user, incident):
        raise PermissionDeniedError(_("The report of the whole city is for its city command."))
    return incident, (selectors.sitrep_get(incident, number) if number is not None else None)


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def sitrep_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    from .sitrep_pdf import render_sitrep

    incident, report = _exportable(request, pk, number)
    return _download(render_sitrep(report), "application/pdf", f"bao-cao-nhanh-{incident.ref}-{report.number}.pdf")


@login_required
@require_GET
def sitrep_xlsx(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    from .sitrep_xlsx import render_sitrep_xlsx

    incident, report = _exportable(request, pk, number)
    return _download(render_sitrep_xlsx(report),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"bao-cao-nhanh-{incident.ref}-{report.number}.xlsx")


@login_required
@require_GET
def briefing_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from .briefing_pdf import render_briefing

    incident, _r = _exportable(request, pk)
    return _download(render_briefing(incident), "application/pdf", f"tom-tat-su-co-{incident.ref}.pdf")
