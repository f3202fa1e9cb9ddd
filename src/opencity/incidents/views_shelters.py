"""The shelter pages: the public ``/shelters/`` (open shelters and how full they are, no sign-in,
never who is there), a shelter's page for its managers and the command (register and check out
households), and the actions of the incident page's shelters part (open, close, notice).

Views raise DomainErrors; the error middleware answers them (``opencity/errors.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError, form_error

from . import selectors_shelters as selectors
from . import services
from .forms_shelters import CheckInForm, NoticeForm
from .models import Incident
from .permissions import access_incident


@require_GET
def shelters_public(request: HttpRequest) -> HttpResponse:
    """Open shelters, by ward: how full, the shelter's phone, the way there. Usable without
    JavaScript and without map tiles (the list is the page; the map is an extra)."""
    shelters = selectors.open_shelter_list()
    response = render(request, "incidents/shelters/public.html", {
        "shelters": shelters,
        "people": sum(s.occupancy for s in shelters),
        "free": sum(s.free for s in shelters),
        "night": selectors.is_night(),
    })
    response["Cache-Control"] = "max-age=30, private"
    return response


def _incident(pk: int) -> Incident:
    incident = Incident.objects.filter(pk=pk).first()
    if incident is None:
        raise NotFoundError(_("This incident does not exist."))
    return incident


def _shelter_page(request, incident, shelter, form, status: int = 200, over_capacity: bool = False):
    return render(request, "incidents/shelters/detail.html", {
        "incident": incident,
        "shelter": shelter,
        "form": form,
        "over_capacity": over_capacity,
        "present": selectors.stays_present(shelter),
        "left": selectors.stays_left(shelter),
        "sees_incident": policy.can_view_incident(request.user, incident),
    }, status=status)


def _managed(request, pk: int, shelter_id: int):
    incident = _incident(pk)
    shelter = selectors.shelter_for_incident(incident, shelter_id)
    if not policy.can_manage_shelter(request.user, shelter):
        raise PermissionDeniedError()
    return incident, shelter


@login_required
@require_GET
def shelter_detail(request: HttpRequest, pk: int, shelter_id: int) -> HttpResponse:
    incident, shelter = _managed(request, pk, shelter_id)
    return _shelter_page(request, incident, shelter, CheckInForm())


@login_required
@require_POST
def shelter_check_in(request: HttpRequest, pk: int, shelter_id: int) -> HttpResponse:
    incident, shelter = _managed(request, pk, shelter_id)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _shelter_page(request, incident, shelter, form, status=400)
    d = form.cleaned_data
    try:
        stay = services.shelter_check_in(
            actor=request.user, shelter_id=shelter.pk, head_name=d["head_name"], people=d["people"],
            phone=d["phone"], from_area_id=d["from_area"], needs=d["needs"],
            over_capacity_reason=d["over_capacity_reason"], client_token=d["client_token"])
    except ValidationError as exc:
        if exc.code == "over_capacity":  # above the form, with the reason field opened below
            form.add_error(None, exc.message)
        else:
            form_error(form, exc)
        shelter = selectors.shelter_for_incident(incident, shelter_id)  # the figures as they are now
        return _shelter_page(request, incident, shelter, form, status=exc.http_status,
                             over_capacity=exc.code == "over_capacity")
    messages.success(request, ngettext("Registered: a household of %(n)d person.",
                                       "Registered: a household of %(n)d people.", stay.people) % {"n": stay.people})
    return redirect("incidents:shelter", incident.pk, shelter.pk)


@login_required
@require_POST
def shelter_check_out(request: HttpRequest, pk: int, shelter_id: int, stay_id: int) -> HttpResponse:
    incident, shelter = _managed(request, pk, shelter_id)
    if not shelter.stays.filter(pk=stay_id).exists():
        raise NotFoundError(_("This household is not registered here."))
    services.shelter_check_out(actor=request.user, stay_id=stay_id)
    messages.success(request, _("Checked out."))
    return redirect("incidents:shelter", incident.pk, shelter.pk)


@login_required
@require_POST
def shelter_close(request: HttpRequest, pk: int, shelter_id: int) -> HttpResponse:
    incident, shelter = _managed(request, pk, shelter_id)
    try:
        version = int(request.POST["version"])
    except (KeyError, ValueError):
        version = None
    services.shelter_close(actor=request.user, shelter_id=shelter.pk, expected_version=version,
                           check_out_all=request.POST.get("check_out_all") == "1")
    messages.success(request, _("The shelter %(name)s is closed.") % {"name": shelter.name})
    if policy.can_view_incident(request.user, incident):
        return redirect(reverse("incidents:detail", args=[incident.pk]) + "#shelters")
    return redirect("incidents:shelter", incident.pk, shelter.pk)


@login_required
@require_POST
def shelter_open(request: HttpRequest, pk: int) -> HttpResponse:
    access_incident(request.user, pk)
    shelter = services.shelter_open(actor=request.user, incident_id=pk, shelter_id=request.POST.get("shelter"))
    messages.success(request, _("The shelter %(name)s is open for this incident.") % {"name": shelter.name})
    return redirect(reverse("incidents:detail", args=[pk]) + "#shelters")


@login_required
@require_http_methods(["POST"])
def shelter_notice(request: HttpRequest, pk: int) -> HttpResponse:
    access_incident(request.user, pk)
    form = NoticeForm(request.POST)
    if not form.is_valid():
        raise ValidationError(" ".join(str(e) for errors in form.errors.values() for e in errors), field="message")
    reached = services.shelter_notice(actor=request.user, incident_id=pk, message=form.cleaned_data["message"],
                                      client_token=form.cleaned_data["client_token"])
    if reached:
        messages.success(request, ngettext("The notice reached %(n)d shelter manager.",
                                           "The notice reached %(n)d shelter managers.", reached) % {"n": reached})
    else:
        messages.warning(request, _("No one was reached: the open shelters have no managers yet."))
    return redirect(reverse("incidents:detail", args=[pk]) + "#shelters")
