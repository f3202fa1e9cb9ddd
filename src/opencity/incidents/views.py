"""The incident pages: the list, opening one, and its page — status, links and proposals, the
command roster, operational periods — with the parts of the task board, the shelters and the
situation reports (their own views: ``views_board.py``, ``views_shelters.py``, ``views_sitreps.py``).

Views raise DomainErrors; the error middleware answers them (``opencity/errors.py``)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity import policy
from opencity.errors import PermissionDeniedError, ValidationError, form_error
from opencity.geo.selectors import wards
from opencity.lib.params import posted_version

from . import selectors, services, workflow
from .forms import IncidentForm, LinkForm, PeriodForm, RosterForm
from .models import CommandRole, LinkKind
from .permissions import access_incident

# What people quote → the kind and the number: PA002001 (report), SOS-12 (rescue),
# CB000006 (warning), CG000031 (call); a bare number is taken as is.
REF = re.compile(r"^\s*(PA|SOS-?|CB|CG)?\s*0*(\d{1,12})\s*$", re.IGNORECASE)


def _require_valid(form) -> None:
    """A small form posted from the incident page: its errors, in one message (the middleware
    brings the person back to the page with it)."""
    if not form.is_valid():
        raise ValidationError(" ".join(str(e) for errors in form.errors.values() for e in errors))


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    if not policy.can_list_incidents(request.user):
        raise PermissionDeniedError()
    return render(request, "incidents/list.html", {
        "incidents": selectors.incident_list(user=request.user),
        "can_open": policy.can_open_incident(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    """Open an incident from scratch (the form), from a warning (``from_alert``) or from a
    cluster of rescue requests (``from_rescues``): the last two are one button elsewhere."""
    if not policy.can_open_incident(request.user):
        raise PermissionDeniedError()
    if request.method == "POST" and "from_alert" in request.POST:
        incident = services.incident_from_alert(actor=request.user, alert_id=request.POST["from_alert"],
                                                client_token=request.POST.get("client_token"))
        messages.success(request, _("The incident %(ref)s was opened from the warning.") % {"ref": incident.ref})
        return redirect("incidents:detail", incident.pk)
    if request.method == "POST" and "from_rescues" in request.POST:
        incident = services.incident_from_rescues(actor=request.user, rescue_ids=request.POST.getlist("rescue"),
                                                  client_token=request.POST.get("client_token"))
        messages.success(request, _("The incident %(ref)s was opened from the rescue requests.") % {
            "ref": incident.ref})
        return redirect("incidents:detail", incident.pk)
    form = IncidentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                incident = services.incident_open(
                    actor=request.user, kind=d["kind"], name=d["name"], level=d["level"],
                    area_ids=[a.pk for a in d["areas"]], started_at=d["started_at"], description=d["description"],
                    is_exercise=d["is_exercise"], active=d["active"], client_token=d["client_token"])
            except ValidationError as exc:
                form_error(form, exc, {"area_ids": "areas"})
                status = exc.http_status
            else:
                messages.success(request, _("The incident %(ref)s was opened.") % {"ref": incident.ref})
                return redirect("incidents:detail", incident.pk)
    return render(request, "incidents/new.html", {"form": form, **selectors.starting_points(user=request.user)},
                  status=status)


def detail_context(request, incident) -> dict:
    user = request.user
    visible = policy.visible_ward_ids(user, incident)
    commands = policy.can_command_incident(user, incident)
    actions = [(a, workflow.INCIDENT.label(a)) for a in ("activate", "recover", "close", "reopen")
               if commands and workflow.INCIDENT.allowed(incident, a)]
    return {
        "incident": incident,
        "areas": selectors.incident_areas(incident, visible),
        "visible_wards": visible,
        "commands": commands,
        "edits_a_ward": policy.can_edit_any_ward(user, incident),
        "actions": actions,
        "links": selectors.incident_links(incident, visible) if visible is None else [],
        "proposals": selectors.incident_proposals(incident) if commands else [],
        "roster": selectors.incident_roster(incident, visible),
        "periods": list(incident.periods.all()),
        "events": selectors.incident_log(incident, user=user),
        "link_form": LinkForm(), "period_form": PeriodForm(), "roster_form": RosterForm(),
        "positions": CommandRole.choices, "link_kinds": LinkKind.choices,
        "staff": selectors.roster_candidates() if commands else [],
        "all_wards": list(wards()) if commands else [],
        "map_center": settings.OPENCITY_MAP_CENTER,
        "warn_url": _warn_url(incident) if policy.can_issue_warnings(user) and incident.is_open else "",
    }


# An incident's type → the hazard of the warning composed for its wards.
WARNING_EVENTS = {"flood": "flood", "storm": "storm", "landslide": "landslide", "epidemic": "epidemic"}


def _warn_url(incident) -> str:
    """The warning composer, prefilled with the incident's hazard, name and wards (the person
    still reviews and publishes it)."""
    query = urlencode([("event", WARNING_EVENTS.get(incident.kind, "other")), ("headline", incident.name[:160]),
                       *[("areas", pk) for pk in incident.areas.values_list("pk", flat=True)]])
    return f"{reverse('alerts:compose')}?{query}"


@login_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access_incident(request.user, pk)
    return render(request, "incidents/detail.html", detail_context(request, incident))


@login_required
@require_GET
def incident_map_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The incident map's layers (GeoJSON), bounded like the page: refreshed every 30 s."""
    incident = access_incident(request.user, pk)
    response = JsonResponse(selectors.incident_map(incident, visible=policy.visible_ward_ids(request.user, incident)))
    response["Cache-Control"] = "no-store"
    return response


def _back(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("incidents:detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def incident_action(request: HttpRequest, pk: int) -> HttpResponse:
    access_incident(request.user, pk)
    incident = services.incident_transition(actor=request.user, incident_id=pk, action=request.POST.get("action", ""),
                                            note=request.POST.get("note", ""), expected_version=posted_version(request))
    messages.success(request, _("The incident is now: %(status)s.") % {"status": incident.get_status_display()})
    return _back(pk)


def _parse_ref(kind: str, text: str) -> int:
    match = REF.match(text or "")
    prefix = (match.group(1) or "").upper().rstrip("-") if match else ""
    expected = {LinkKind.REPORT: "PA", LinkKind.RESCUE: "SOS", LinkKind.ALERT: "CB", LinkKind.CALL: "CG"}[kind]
    if match is None or prefix not in ("", expected):
        raise ValidationError(_("Type the number as people quote it, e.g. %(example)s.") % {
            "example": {"PA": "PA002001", "SOS": "SOS-12", "CB": "CB000006", "CG": "CG000031"}[expected]},
            field="ref")
    return int(match.group(2))


@login_required
@require_POST
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    access_incident(request.user, pk)
    form = LinkForm(request.POST)
    _require_valid(form)
    kind = form.cleaned_data["kind"]
    link = services.incident_link(actor=request.user, incident_id=pk, kind=kind,
                                  target_id=_parse_ref(kind, form.cleaned_data["ref"]))
    messages.success(request, _("%(ref)s is linked to the incident.") % {"ref": link.target.ref})
    return _back(pk, "links")


@login_required
@require_POST
def link_decide(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    access_incident(request.user, pk)
    accept = request.POST.get("accept") == "1"
    services.incident_link_decide(actor=request.user, link_id=link_id, accept=accept)
    messages.success(request, _("Linked.") if accept else _("Marked as not related."))
    return _back(pk, "links")


@login_required
@require_POST
def roster_add(request: HttpRequest, pk: int) -> HttpResponse:
    access_incident(request.user, pk)
    form = RosterForm(request.POST)
    _require_valid(form)
    d = form.cleaned_data
    services.roster_add(actor=request.user, incident_id=pk, user_id=d["user"], position=d["position"],
                        area_id=d["area"], section=d["section"])
    messages.success(request, _("Added to the command."))
    return _back(pk, "roster")


@login_required
@require_POST
def roster_remove(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    access_incident(request.user, pk)
    services.roster_remove(actor=request.user, entry_id=entry_id)
    messages.success(request, _("Removed from the command."))
    return _back(pk, "roster")


@login_required
@require_POST
def period_add(request: HttpRequest, pk: int) -> HttpResponse:
    access_incident(request.user, pk)
    form = PeriodForm(request.POST)
    _require_valid(form)
    d = form.cleaned_data
    period = services.period_add(actor=request.user, incident_id=pk, starts_at=d["starts_at"],
                                 ends_at=d["ends_at"], objectives=d["objectives"])
    messages.success(request, _("Operational period %(n)d was set.") % {"n": period.number})
    return _back(pk, "periods")
