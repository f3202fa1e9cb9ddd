"""The digital reports page (/ioc/reports/): generate a month's report, follow it until it is
ready (htmx polling), download it, subscribe to it every month.

Views parse, call a selector or service, render. Bad input answers 400 with the form and its
message, a scope outside the user's bounds 403, an unknown report 404 — never a 500. Domain
errors of a POST are caught here so they keep their status (the shared middleware would redirect).
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencity.errors import ConflictError, DomainError, PermissionDeniedError, form_error

from ..models import DigitalReportFormat
from . import selectors, services
from .forms import DigitalReportForm, SubscriptionForm
from .permissions import access_digital_report, require_digital_reports

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _page(request: HttpRequest, *, form=None, status: int = 200) -> HttpResponse:
    bounds = require_digital_reports(request.user)
    options = selectors.target_options(user=request.user)
    months = selectors.month_options()
    if form is None:
        initial = {
            "month": months[1].key if len(months) > 1 else months[0].key,  # last month: complete
            "level": options.levels[0][0] if options.levels else "",
            "area": str(bounds.area_id or ""),
            "unit": str(options.units[0].pk) if bounds.level == "unit" and options.units else "",
            "format": DigitalReportFormat.XLSX,
        }
        form = DigitalReportForm(initial=initial)
    values = form.data if form.is_bound else form.initial
    context = {
        "form": form,
        "values": values,
        "bounds": bounds,
        "options": options,
        "months": months,
        "formats": DigitalReportFormat.choices,
        "reports": selectors.digital_report_list(user=request.user),
        "subscriptions": selectors.digital_report_subscription_list(user=request.user),
    }
    return render(request, "ioc/digital/page.html", context, status=status)


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def request_report(request: HttpRequest) -> HttpResponse:
    require_digital_reports(request.user)
    form = DigitalReportForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        report = services.digital_report_request(actor=request.user, language=get_language(), **form.service_kwargs())
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        form_error(form, exc)
        return _page(request, form=form, status=exc.http_status)
    messages.success(request, _("The report is being generated; it will be ready in a moment."))
    return redirect(f"{reverse('ioc:digital_reports')}#report-{report.pk}")


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the list (htmx polls it while the report is queued or being generated)."""
    report = access_digital_report(request.user, pk)
    return render(request, "ioc/digital/partials/report_row.html", {"report": report})


def _content_disposition(name: str) -> str:
    """An ASCII fallback and the real (Vietnamese) name, RFC 6266 / 5987."""
    ascii_name = name.replace("đ", "d").replace("Đ", "D")
    stem, _dot, ext = ascii_name.rpartition(".")
    fallback = f"{slugify(stem) or 'report'}.{ext}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_digital_report(request.user, pk)
    if not report.is_ready:
        raise ConflictError(_("This report is not ready yet."))
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise ConflictError(_("This report's file is missing: generate it again.")) from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[report.format])
    response["Content-Disposition"] = _content_disposition(services.download_name(report))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    require_digital_reports(request.user)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        services.digital_report_subscribe(actor=request.user, **form.service_kwargs())
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        form_error(form, exc)
        return _page(request, form=form, status=exc.http_status)
    messages.success(request, _("Subscribed: last month's report will reach you at the start of each month."))
    return redirect("ioc:digital_reports")


@login_required
@require_POST
def unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    require_digital_reports(request.user)
    services.digital_report_unsubscribe(actor=request.user, subscription_id=pk)
    messages.success(request, _("Unsubscribed."))
    return redirect("ioc:digital_reports")
