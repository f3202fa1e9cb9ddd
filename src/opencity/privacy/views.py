"""The privacy centre's pages: a person's own (/privacy/) and the privacy officer's registers
(/privacy/staff/). Views parse, call a selector or service, render; domain errors go through the
shared middleware (a form sent from our page comes back with its message)."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity.errors import DomainError, NotFoundError, ValidationError, form_error

from . import pdf, selectors, services
from .deadlines import working_days_for
from .forms import (
    AuthorityNoticeForm,
    BreachForm,
    DeleteAccountForm,
    PeopleNoticeForm,
    PrivacyRequestForm,
    RequestActForm,
)
from .models import RequestKind, RequestStatus
from .permissions import access_export, require_privacy_officer

PREVIEW_ROWS = 3
NAME_KEYS = ("ref", "title", "device", "report", "service")
TIME_KEYS = ("created_at", "started_at", "received_at", "since", "granted_at", "released_at")
ACCOUNT_LABELS = {
    "account_number": _lazy("OpenCity account number"), "phone": _lazy("Phone"), "full_name": _lazy("Full name"),
    "email": _lazy("E-mail"), "home_area": _lazy("Home ward/commune"), "date_joined": _lazy("Joined"),
}


def _when(value: str | None) -> str:
    if not value:
        return ""
    return dt.datetime.fromisoformat(value).strftime("%H:%M %d/%m/%Y")


def _code_labels() -> dict[str, dict[str, dict]]:
    """Per section, the codes a row carries (the export's stable values) and their labels: the
    page says "Đã xử lý", not "closed"."""
    from opencity.emergency.models import Status as RescueStatus
    from opencity.hotline.models import Direction
    from opencity.reports.models import Status as ReportStatus

    kinds = {"consent": _lazy("consent given"), "release": _lazy("data received"),
             "web_push": _lazy("web push"), "app_token": _lazy("app signed in")}
    return {
        "reports": {"status": dict(ReportStatus.choices)},
        "rescue_requests": {"status": dict(RescueStatus.choices)},
        "hotline_calls": {"direction": dict(Direction.choices)},
        "privacy_requests": {"kind": dict(RequestKind.choices), "status": dict(RequestStatus.choices)},
        "consents": {"kind": kinds},
        "devices": {"kind": kinds},
    }


def summary_line(row: dict, section: str = "") -> str:
    """One line a person reads for a row of a section (the copy has every field)."""
    labels = _code_labels().get(section, {})
    parts = [str(row[k]) for k in NAME_KEYS if row.get(k)][:1]
    parts += [_when(row[k]) for k in TIME_KEYS if row.get(k)][:1]
    for key in ("category", "status", "kind", "direction"):
        if row.get(key):
            parts.append(str(labels.get(key, {}).get(row[key], row[key])))
    if row.get("description"):
        parts.append(row["description"][:80])
    return " · ".join(parts)


def _preview(section) -> dict:
    if section.key == "account" and section.rows:
        row = section.rows[0]
        pairs = [(label, _when(row[k]) if k == "date_joined" else row[k]) for k, label in ACCOUNT_LABELS.items()
                 if row.get(k)]
        if row["phone"]:
            from opencity.lib.phone import display_phone

            pairs = [(label, display_phone(v) if label == ACCOUNT_LABELS["phone"] else v) for label, v in pairs]
        return {"section": section, "pairs": pairs, "lines": []}
    return {"section": section, "pairs": [], "lines": [summary_line(r, section.key) for r in section.rows[:PREVIEW_ROWS]]}


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """"My data": what the city holds about me, grouped, each with where it is used."""
    sections = [_preview(s) for s in services.personal_data(request.user)]
    exports = selectors.privacy_request_list(user=request.user).filter(kind=RequestKind.EXPORT,
                                                                        status=RequestStatus.ANSWERED)[:3]
    return render(request, "privacy/home.html", {
        "sections": sections, "preview_rows": PREVIEW_ROWS, "exports": exports,
        "requests": selectors.privacy_request_list(user=request.user)[:5],
    })


@login_required
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    req = services.privacy_export_request(user=request.user)
    messages.success(request, _("Your data are ready: download them below (%(ref)s).") % {"ref": req.ref})
    return redirect("privacy:home")


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The export, for its owner only (another person's id is a 404), built from the data as they are now."""
    if fmt not in ("json", "pdf"):
        raise NotFoundError(_("This export does not exist."))
    req = access_export(request.user, pk)
    document = services.export_document(request.user)
    stamp = timezone.localtime().strftime("%Y%m%d")
    if fmt == "pdf":
        response = HttpResponse(pdf.render(document), content_type="application/pdf")
    else:
        response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="opencity-{req.ref}-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def request_list(request: HttpRequest) -> HttpResponse:
    """My requests and their state; a request for a correction, a restriction or an objection."""
    form = PrivacyRequestForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                req = services.privacy_request_create(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("Request %(ref)s received: we answer it before %(due)s.") % {
                    "ref": req.ref, "due": timezone.localtime(req.due_at).strftime("%H:%M %d/%m/%Y")})
                return redirect("privacy:requests")
        else:
            status = 400
    return render(request, "privacy/requests.html", {
        "form": form, "requests": selectors.privacy_request_list(user=request.user),
        "days": {k: working_days_for(k) for k in RequestKind.values},
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Delete my account: what is erased and what stays public (without me), then the password."""
    form = DeleteAccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.account_erase(user=request.user, password=form.cleaned_data["password"],
                                       ip=_client_ip(request))
            except DomainError as exc:
                form_error(form, exc)
                status = exc.http_status
            else:
                logout(request)
                messages.success(request, _("Your account was deleted. Your reports stay public without your name."))
                return redirect("home")
        else:
            status = 400
    return render(request, "privacy/delete.html", {"form": form}, status=status)


# --- The privacy officer's pages -------------------------------------------------------------


@login_required
@require_GET
def staff_requests(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in ("", "open", *RequestStatus.values):
        status = "open"
    rows = selectors.privacy_request_register(actor=request.user, status=status)[:200]
    return render(request, "privacy/staff_requests.html", {
        "rows": rows, "status": status, "statuses": RequestStatus.choices, "now": timezone.now(),
        "counts": selectors.privacy_register_counts(actor=request.user),
    })


@login_required
@require_POST
def staff_request_act(request: HttpRequest, pk: int) -> HttpResponse:
    require_privacy_officer(request.user)
    form = RequestActForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Unknown action."), field="action")
    req = services.privacy_request_act(actor=request.user, request_id=selectors.privacy_request_get(
        actor=request.user, request_id=pk).pk, action=form.cleaned_data["action"],
        note=form.cleaned_data["note"] or "", expected_version=form.cleaned_data["version"])
    messages.success(request, _("%(ref)s: %(status)s.") % {"ref": req.ref, "status": req.get_status_display()})
    return redirect("privacy:staff_requests")


@login_required
@require_http_methods(["GET", "POST"])
def staff_breaches(request: HttpRequest) -> HttpResponse:
    require_privacy_officer(request.user)
    form = BreachForm(request.POST or None, initial={"discovered_at": timezone.localtime().replace(second=0,
                                                                                                  microsecond=0)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                breach = services.breach_record(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("Breach %(ref)s recorded: notify the authority before %(due)s.") % {
                    "ref": breach.ref, "due": timezone.localtime(breach.notify_due_at).strftime("%H:%M %d/%m/%Y")})
                return redirect("privacy:staff_breach", pk=breach.pk)
        else:
            status = 400
    return render(request, "privacy/staff_breaches.html", {
        "form": form, "breaches": selectors.breach_list(actor=request.user), "now": timezone.now(),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_breach(request: HttpRequest, pk: int) -> HttpResponse:
    breach = selectors.breach_get(actor=request.user, breach_id=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    authority = AuthorityNoticeForm(request.POST if action == "authority" else None,
                                    initial={"notified_at": timezone.localtime().replace(second=0, microsecond=0)})
    people = PeopleNoticeForm(request.POST if action == "people" else None)
    status = 200
    if action:
        form = authority if action == "authority" else people
        if action not in ("authority", "people") or not form.is_valid():
            status = 400
        else:
            try:
                if action == "authority":
                    services.breach_notify_authority(actor=request.user, breach_id=breach.pk,
                                                     **form.cleaned_data)
                    messages.success(request, _("The notification of the authority is recorded."))
                else:
                    b = services.breach_notify_people(actor=request.user, breach_id=breach.pk, **form.cleaned_data)
                    messages.success(request, _("%(count)s people were notified.") % {
                        "count": b.subjects_notified_count})
            except DomainError as exc:
                form_error(form, exc)
                status = exc.http_status
            else:
                return redirect("privacy:staff_breach", pk=breach.pk)
    return render(request, "privacy/staff_breach.html", {
        "breach": breach, "authority_form": authority, "people_form": people, "now": timezone.now(),
        "affected": breach.affected_people.count(),
    }, status=status)


@login_required
@require_GET
def staff_processing(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/staff_processing.html", {
        "records": selectors.processing_record_list(actor=request.user)})
