"""SOS pages: the citizen's one-tap form and live status, the team's phone page, and the IOC
dispatch board. Views parse, call a selector or service, render. A failed POST answers with its
own 4xx status and message (caught here, so the shared middleware does not redirect)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity import policy
from opencity.errors import (
    DomainError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
    set_retry_after,
)
from opencity.hotline import filing as hotline_filing
from opencity.lib.phone import display_phone

from . import limits, selectors, services, workflow
from .forms import CancelForm, SosForm
from .models import RescueTeam, Status
from .permissions import access_request, require_board, require_dispatcher

STEPS = [Status.NEW, Status.ACKNOWLEDGED, Status.ASSIGNED, Status.DISPATCHED, Status.ON_SCENE, Status.RESCUED]


def _error(request, exc: DomainError) -> HttpResponse:
    template = "partials/error.html" if request.headers.get("HX-Request") else "error.html"
    return render(request, template, {"error": exc}, status=exc.http_status)


def _token(request) -> str | None:
    """The form's one-time token (``{% form_token %}``): the same form sent twice acts once."""
    return request.POST.get("client_token")


def _version(request) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def sos_new(request: HttpRequest) -> HttpResponse:
    for_caller = request.GET.get("for") == "caller" or request.POST.get("for") == "caller"
    if for_caller and not policy.can_file_for_caller(request.user):
        return _error(request, PermissionDeniedError(_("Only hotline and IOC operators file requests for callers.")))
    try:
        call = hotline_filing.call_for_filing(request) if for_caller else None  # ?call=<id>: link to it
    except DomainError as exc:
        return _error(request, exc)
    status, ask_another = 200, False
    # A person's own requests still open: shown first, with "this is a different emergency".
    open_requests = [] if for_caller else selectors.rescue_list_open_mine(user=request.user)
    if request.method == "POST":
        form = SosForm(request.POST, request.FILES, for_caller=for_caller)
        if form.is_valid():
            d = form.cleaned_data
            # Operators filing for callers are not limited, nor is a retry (emergency/limits.py).
            counted = not for_caller and not limits.replays(d["client_token"])
            if counted and open_requests and request.POST.get("another") != "1":
                # Sent from a page that did not know of the open request (another tab, an old
                # page): not refused, not sent yet; the person says whether it is a new emergency.
                status, ask_another = 409, True
            else:
                try:
                    if counted:
                        limits.count_sos(request)
                    req, _created = services.rescue_request_create(
                        actor=request.user, lat=request.POST.get("lat"), lon=request.POST.get("lon"),
                        people=d["people"], needs=d["needs"], note=d["note"], client_token=d["client_token"],
                        photos=[d["photo"]] if d.get("photo") else [], for_caller=for_caller,
                        caller_name=d.get("caller_name", ""), caller_phone=d.get("caller_phone", ""))
                except RateLimitedError as exc:
                    return _limit_page(request, exc, open_requests)
                except DomainError as exc:
                    field = exc.field if exc.field in form.fields else None
                    if exc.field == "photos":
                        field = "photo"
                    form.add_error(field, exc.message)
                    status = exc.http_status
                else:
                    if call is not None:
                        return hotline_filing.link_and_return(request, call, rescue=req)
                    return redirect("emergency:status", req.pk)
        else:
            status = 400
    else:
        if not for_caller:
            try:
                limits.check_sos(request)  # used up: say so (with the numbers) before the form
            except RateLimitedError as exc:
                return _limit_page(request, exc, open_requests)
        form = SosForm(for_caller=for_caller,
                       initial=hotline_filing.caller_initial(call, name="caller_name", phone="caller_phone"))
    mine = [] if for_caller else selectors.rescue_list_mine(user=request.user)
    return render(request, "emergency/new.html", {
        "form": form, "for_caller": for_caller, "mine": mine, "call": call,
        "open_requests": open_requests, "ask_another": ask_another, "numbers": limits.call_numbers(),
        "is_team_member": policy.is_rescue_team_member(request.user),
        "can_file_for_caller": policy.can_file_for_caller(request.user),
        "map_center": settings.OPENCITY_MAP_CENTER,
    }, status=status)


def _limit_page(request, exc: RateLimitedError, open_requests) -> HttpResponse:
    """Over a limit: 429 with Retry-After, the person's open requests, and the numbers to call
    now (a person in danger is never left with only "try again later")."""
    response = render(request, "emergency/limit.html", {
        "error": exc, "open_requests": open_requests, "numbers": limits.call_numbers(),
    }, status=exc.http_status)
    return set_retry_after(response, exc)


def _status_context(request, req) -> dict:
    events = selectors.rescue_events_public(req)
    reached = {e.to_status: e.created_at for e in events}
    steps = [{"status": s, "label": s.label, "at": reached.get(s.value)} for s in STEPS]
    if req.status == Status.CLOSED:
        steps[-1] = {"status": Status.CLOSED, "label": Status.CLOSED.label, "at": req.finished_at}
    return {"req": req, "events": events, "steps": steps, "cancel_form": CancelForm(),
            "can_cancel": req.is_open and req.requester_id == request.user.pk,
            "caller_phone": display_phone(req.caller_phone)}


@login_required
@require_GET
def sos_status(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        req = access_request(request.user, pk)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "emergency/status.html", _status_context(request, req))


@login_required
@require_GET
def sos_live(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        req = access_request(request.user, pk)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "emergency/partials/live.html", _status_context(request, req))


@login_required
@require_POST
def sos_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        req = access_request(request.user, pk)
        services.rescue_cancel(actor=request.user, request_id=req.pk, reason=request.POST.get("reason", ""),
                               expected_version=_version(request), client_token=_token(request))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Your request was cancelled."))
    return redirect("emergency:status", pk)


@login_required
@require_GET
def team_page(request: HttpRequest) -> HttpResponse:
    teams = list(RescueTeam.objects.filter(members=request.user))
    if not teams:
        return _error(request, PermissionDeniedError(_("You are not a member of a rescue team.")))
    rows = []
    for req in selectors.rescue_list_for_member(user=request.user):
        actions = [(a, workflow.action_label(a)) for a in workflow.TEAM_ACTIONS if workflow.allowed(req, a)]
        rows.append({"req": req, "actions": actions})
    return render(request, "emergency/team.html", {"teams": teams, "rows": rows})


@login_required
@require_POST
def team_step(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.rescue_team_step(actor=request.user, request_id=pk, action=request.POST.get("action", ""),
                                  note=request.POST.get("note", ""), expected_version=_version(request),
                                  client_token=_token(request))
    except DomainError as exc:
        return _error(request, exc)
    return redirect("emergency:team")


@login_required
@require_POST
def team_position(request: HttpRequest) -> HttpResponse:
    try:
        services.team_report_position(actor=request.user, lat=request.POST.get("lat"), lon=request.POST.get("lon"))
    except DomainError as exc:
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"ok": False, "error": exc.message}, status=exc.http_status)
        return _error(request, exc)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True})
    messages.success(request, _("Your position was shared with the operations centre."))
    return redirect("emergency:team")


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    try:
        require_board(request.user)
    except DomainError as exc:
        return _error(request, exc)
    rows = selectors.rescue_board_list(user=request.user)
    return render(request, "emergency/board.html", {
        "rows": rows, "teams": selectors.rescue_team_list(),
        "available": list(selectors.rescue_teams_available()),
        "can_dispatch": policy.can_dispatch_rescue(request.user),
        "ack_minutes": settings.OPENCITY_SOS_ACK_MINUTES, "map_center": settings.OPENCITY_MAP_CENTER,
    })


@login_required
@require_GET
def board_geojson(request: HttpRequest) -> HttpResponse:
    try:
        require_board(request.user)
    except DomainError as exc:
        return JsonResponse({"error": exc.message}, status=exc.http_status)
    return JsonResponse(selectors.rescue_board_geojson(user=request.user))


def _board_action(request, pk: int, fn, message: str, **kwargs) -> HttpResponse:
    try:
        require_dispatcher(request.user)
        fn(actor=request.user, request_id=pk, expected_version=_version(request), client_token=_token(request),
           **kwargs)
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, message)
    return redirect("emergency:board")


@login_required
@require_POST
def board_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _board_action(request, pk, services.rescue_acknowledge, _("Acknowledged: the requester was told."))


@login_required
@require_POST
def board_assign(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.POST.get("team"):
        return _error(request, ValidationError(_("Choose a rescue team."), field="team"))
    return _board_action(request, pk, services.rescue_assign, _("The team was assigned."),
                         team_id=request.POST.get("team"))


@login_required
@require_POST
def board_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _board_action(request, pk, services.rescue_cancel, _("The request was cancelled."),
                         reason=request.POST.get("reason", ""))
