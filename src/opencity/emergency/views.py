"""SOS pages: the citizen's one-tap form and live status, the team's phone page, and the IOC
dispatch board. Views parse, call a selector or service, render. A failed POST answers with its
own 4xx status and message (caught here, so the shared middleware does not redirect)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity import policy
from opencity.errors import (
    DomainError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
    form_error,
    set_retry_after,
)
from opencity.lib import formreply
from opencity.lib.filing import caller_filing
from opencity.lib.params import posted_version
from opencity.lib.phone import display_phone

from . import limits, selectors, services, workflow
from .forms import CancelForm, DetailsForm, SosCodeForm, SosForm, VisitorSosForm
from .models import RescueTeam, Status
from .permissions import access_request, require_board, require_dispatcher

STEPS = [Status.NEW, Status.ACKNOWLEDGED, Status.ASSIGNED, Status.DISPATCHED, Status.ON_SCENE, Status.RESCUED]


def _token(request) -> str | None:
    """The form's one-time token (``{% form_token %}``): the same form sent twice acts once."""
    return request.POST.get("client_token")


@require_http_methods(["GET", "POST"])
def sos_new(request: HttpRequest) -> HttpResponse:
    """``/sos/``: open to everyone (issue #14). A visitor gets the numbers to call and the
    request without an account (:func:`visitor_new`); a signed-in person their own SOS form;
    ``?for=caller`` (operators filing for a caller) needs a sign-in."""
    for_caller = request.GET.get("for") == "caller" or request.POST.get("for") == "caller"
    if not request.user.is_authenticated:
        if for_caller:
            return redirect_to_login(request.get_full_path())
        return visitor_new(request)
    if for_caller and not policy.can_file_for_caller(request.user):
        raise PermissionDeniedError(_("Only hotline and IOC operators file requests for callers."))
    call = caller_filing().call_for_filing(request) if for_caller else None  # ?call=<id>: link to it
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
                    if formreply.wants_json(request):
                        return set_retry_after(formreply.refused(form, status=exc.http_status, message=exc.message), exc)
                    return _limit_page(request, exc, open_requests)
                except DomainError as exc:
                    form_error(form, exc, {"photos": "photo"})
                    status = exc.http_status
                else:
                    if call is not None:
                        return caller_filing().link_and_return(request, call, req)
                    if formreply.wants_json(request):  # the offline outbox sent it (lib/formreply.py)
                        return formreply.sent(ref=req.ref, url=reverse("emergency:status", args=[req.pk]))
                    return redirect("emergency:status", req.pk)
        else:
            status = 400
        if formreply.wants_json(request):
            message = _("You already have a rescue request open. If this is a different emergency, "
                        "send it again from the form.") if ask_another else ""
            return formreply.refused(form, status=status, message=message)
    else:
        if not for_caller:
            try:
                limits.check_sos(request)  # used up: say so (with the numbers) before the form
            except RateLimitedError as exc:
                return _limit_page(request, exc, open_requests)
        form = SosForm(for_caller=for_caller,
                       initial=caller_filing().caller_initial(call, name="caller_name", phone="caller_phone"))
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
            "caller_phone": display_phone(req.caller_phone),
            "can_add_details": policy.can_add_rescue_details(request.user, req),
            "details_form": DetailsForm(), "numbers": limits.call_numbers(),
            "live_url": reverse("emergency:live", args=[req.pk]),
            "details_url": reverse("emergency:details", args=[req.pk]),
            "cancel_url": reverse("emergency:cancel", args=[req.pk]),
            "photos": [(reverse("emergency:photo", args=[req.pk, p.pk, "thumb"]),
                        reverse("emergency:photo", args=[req.pk, p.pk, "full"])) for p in req.photos.all()]}


@login_required
@require_GET
def sos_status(request: HttpRequest, pk: int) -> HttpResponse:
    req = access_request(request.user, pk)  # a DomainError is the error middleware's to render
    return render(request, "emergency/status.html", _status_context(request, req))


@login_required
@require_GET
def sos_live(request: HttpRequest, pk: int) -> HttpResponse:
    req = access_request(request.user, pk)  # a DomainError is the error middleware's to render
    return render(request, "emergency/partials/live.html", _status_context(request, req))


@login_required
@require_POST
def sos_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    req = access_request(request.user, pk)
    services.rescue_cancel(actor=request.user, request_id=req.pk, reason=request.POST.get("reason", ""),
                           expected_version=posted_version(request), client_token=_token(request))
    messages.success(request, _("Your request was cancelled."))
    return redirect("emergency:status", pk)


@login_required
@require_POST
def sos_details(request: HttpRequest, pk: int) -> HttpResponse:
    """The requester adds details after sending (people, needs, a note)."""
    req = access_request(request.user, pk)
    if not policy.can_add_rescue_details(request.user, req):
        raise PermissionDeniedError()
    _add_details(request, req)
    messages.success(request, _("Thank you: the operations centre sees what you added."))
    return redirect("emergency:status", pk)


def _add_details(request, req) -> None:
    needs = [n for n in request.POST.getlist("needs") if n]
    services.rescue_add_details(request_id=req.pk, people=request.POST.get("people") or None, needs=needs,
                                note=request.POST.get("note", ""), photos=request.FILES.getlist("photo"))


@login_required
@require_GET
def team_page(request: HttpRequest) -> HttpResponse:
    teams = list(RescueTeam.objects.filter(members=request.user))
    if not teams:
        raise PermissionDeniedError(_("You are not a member of a rescue team."))
    rows = []
    for req in selectors.rescue_list_for_member(user=request.user):
        actions = [(a, workflow.action_label(a)) for a in workflow.TEAM_ACTIONS if workflow.allowed(req, a)]
        rows.append({"req": req, "actions": actions})
    return render(request, "emergency/team.html", {"teams": teams, "rows": rows})


@login_required
@require_POST
def team_step(request: HttpRequest, pk: int) -> HttpResponse:
    services.rescue_team_step(actor=request.user, request_id=pk, action=request.POST.get("action", ""),
                              note=request.POST.get("note", ""), expected_version=posted_version(request),
                              client_token=_token(request))
    return redirect("emergency:team")


@login_required
@require_POST
def team_position(request: HttpRequest) -> HttpResponse:
    try:
        services.team_report_position(actor=request.user, lat=request.POST.get("lat"), lon=request.POST.get("lon"))
    except DomainError as exc:
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"ok": False, "error": exc.message}, status=exc.http_status)
        raise
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True})
    messages.success(request, _("Your position was shared with the operations centre."))
    return redirect("emergency:team")


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    require_board(request.user)
    return render(request, "emergency/board.html", {
        **_board_list_context(request), "teams": selectors.rescue_team_list(),
        "ack_minutes": settings.OPENCITY_SOS_ACK_MINUTES, "map_center": settings.OPENCITY_MAP_CENTER,
        # the console's live stream (the feed this app publishes to through lib.feed): rescue
        # steps re-render the list (emergency/board.js), which also catches up when it connects
        "live": policy.can_view_console(request.user),
    })


def _board_list_context(request) -> dict:
    return {"rows": selectors.rescue_board_list(user=request.user),
            "available": list(selectors.rescue_teams_available()),
            "can_dispatch": policy.can_dispatch_rescue(request.user)}


@login_required
@require_GET
def board_list(request: HttpRequest) -> HttpResponse:
    """The board's list alone: fetched again when the live feed reports a rescue step (or every
    30 s when the stream is down)."""
    require_board(request.user)
    response = render(request, "emergency/partials/board_list.html", _board_list_context(request))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def board_geojson(request: HttpRequest) -> HttpResponse:
    try:
        require_board(request.user)
    except DomainError as exc:
        return JsonResponse({"error": exc.message}, status=exc.http_status)
    return JsonResponse(selectors.rescue_board_geojson(user=request.user))


def _board_action(request, pk: int, fn, message: str, **kwargs) -> HttpResponse:
    require_dispatcher(request.user)
    fn(actor=request.user, request_id=pk, expected_version=posted_version(request), client_token=_token(request),
       **kwargs)
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
        raise ValidationError(_("Choose a rescue team."), field="team")
    return _board_action(request, pk, services.rescue_assign, _("The team was assigned."),
                         team_id=request.POST.get("team"))


@login_required
@require_POST
def board_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _board_action(request, pk, services.rescue_cancel, _("The request was cancelled."),
                         reason=request.POST.get("reason", ""))


# --- SOS without an account (issue #14) ------------------------------------------------------
# The visitor's draft waits in the session while the SMS code travels (nothing reaches the board
# unproven, except a call-back request, marked so); the visitor's requests are remembered in the
# session as {id: link key}, so /sos/ shows them first and the status link keeps working.

DRAFT = "sos_draft"
LINKS = "sos_links"


def _remember(request, req, key: str | None) -> str | None:
    links = dict(request.session.get(LINKS) or {})
    if key:
        links[str(req.pk)] = key
        request.session[LINKS] = dict(list(links.items())[-10:])
    request.session.pop(DRAFT, None)
    return links.get(str(req.pk))


def _visitor_requests(request) -> list:
    """The visitor's requests this session, newest first, each with its link key."""
    links = request.session.get(LINKS) or {}
    rows = []
    for key in reversed(list(links.values())):
        try:
            rows.append(services.rescue_by_link(key))
        except DomainError:
            continue
    for r in rows:
        r.link_key = links.get(str(r.pk))
    return rows


def _after_create(request, req, key: str | None) -> HttpResponse:
    key = _remember(request, req, key)
    if key:
        return redirect("emergency:visitor_status", key)
    # a retry from a session that lost the link: the request stands; say so, with the numbers
    messages.info(request, _("Your rescue request was already sent."))
    return redirect("emergency:new")


def _draft_kwargs(d: dict) -> dict:
    return {"phone": d["phone"], "client_token": d["client_token"], "lat": d.get("lat"), "lon": d.get("lon"),
            "place_text": d.get("place_text", ""), "people": d.get("people") or 1, "needs": d.get("needs") or [],
            "note": d.get("note", "")}


def _visitor_callback(request, d: dict) -> HttpResponse:
    """A call-back request (the number is not proven): counted first, then filed."""
    if not limits.replays(d["client_token"]):
        limits.count_visitor(request, phone=d["phone"], callback=True)
    req, _created, key = services.rescue_visitor_request_create(callback=True, **_draft_kwargs(d))
    return _after_create(request, req, key)


def _send_code(request, phone: str) -> None:
    from opencity.accounts.services import phone_code_send

    limits.count_code(request, phone=phone)
    phone_code_send(phone=phone, purpose="sos")


def _visitor_page(request, form, *, status: int = 200) -> HttpResponse:
    mine = _visitor_requests(request)
    return render(request, "emergency/visitor_new.html", {
        "form": form, "mine": mine, "open_requests": [r for r in mine if r.is_open],
        "numbers": limits.call_numbers(), "map_center": settings.OPENCITY_MAP_CENTER,
    }, status=status)


def visitor_new(request: HttpRequest) -> HttpResponse:
    """The visitor's SOS: send (an SMS code proves the phone, then the request is dispatched) or
    "call me back" (filed at once, marked unverified)."""
    if request.method != "POST":
        try:
            limits.check_visitor(request)
        except RateLimitedError as exc:
            return _limit_page(request, exc, [])
        return _visitor_page(request, VisitorSosForm())
    form = VisitorSosForm(request.POST)
    callback = request.POST.get("action") == "callback"
    if not form.is_valid():
        return _visitor_page(request, form, status=400)
    d = {**form.cleaned_data, "client_token": form.cleaned_data["client_token"]}
    lat, lon = request.POST.get("lat") or None, request.POST.get("lon") or None
    d.update(lat=lat, lon=lon)
    if not callback and not (lat and lon) and not d.get("place_text"):
        form.add_error("place_text", _("Share your location, put the pin on the map or type where you are."))
        return _visitor_page(request, form, status=400)
    try:
        if callback or limits.replays(d["client_token"]):
            return _visitor_callback(request, d) if callback else _after_create(
                request, *services.rescue_visitor_request_create(**_draft_kwargs(d))[::2])
        services.rescue_visitor_check(**{k: v for k, v in _draft_kwargs(d).items()
                                         if k not in ("phone", "client_token")})
        try:
            _send_code(request, d["phone"])
        except ValidationError as exc:
            if exc.code != "too_soon":  # a code sent a minute ago still works: go and type it
                raise
    except RateLimitedError as exc:
        return _limit_page(request, exc, [])
    except DomainError as exc:
        form_error(form, exc)
        return _visitor_page(request, form, status=exc.http_status)
    request.session[DRAFT] = {k: d.get(k) for k in ("phone", "client_token", "lat", "lon", "place_text", "people",
                                                   "needs", "note")}
    return redirect("emergency:visitor_verify")


@require_http_methods(["GET", "POST"])
def visitor_verify(request: HttpRequest) -> HttpResponse:
    """Type the SMS code: the request is sent. Or ask for the code again, or to be called back."""
    draft = request.session.get(DRAFT)
    if not draft:
        return redirect("emergency:new")
    form, status = SosCodeForm(), 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "callback":
                return _visitor_callback(request, draft)
            if action == "resend":
                _send_code(request, draft["phone"])
                messages.success(request, _("A new code was sent."))
                return redirect("emergency:visitor_verify")
            form = SosCodeForm(request.POST)
            if form.is_valid():
                limits.check_visitor(request, phone=draft["phone"])
                req, created, key = services.rescue_visitor_request_create(code=form.cleaned_data["code"],
                                                                           **_draft_kwargs(draft))
                if created:
                    limits.record_visitor(request, phone=draft["phone"])
                return _after_create(request, req, key)
            status = 400
        except RateLimitedError as exc:
            return _limit_page(request, exc, [])
        except DomainError as exc:
            form.add_error("code" if exc.field in ("code", None) else None, exc.message)
            status = exc.http_status
    return render(request, "emergency/visitor_verify.html", {
        "form": form, "phone": display_phone(draft["phone"]), "numbers": limits.call_numbers(),
    }, status=status)


def _by_link(request, key: str):
    return services.rescue_by_link(key)


def _masked(phone: str) -> str:
    shown = display_phone(phone)
    digits = [i for i, c in enumerate(shown) if c.isdigit()]
    hide = set(digits[4:-3])
    return "".join("•" if i in hide else c for i, c in enumerate(shown))


def _visitor_context(request, req, key: str) -> dict:
    ctx = _status_context(request, req)
    ctx.update(can_cancel=req.is_open, can_add_details=req.is_open, visitor_key=key,
               masked_phone=_masked(req.caller_phone), caller_phone="",
               live_url=reverse("emergency:visitor_live", args=[key]),
               details_url=reverse("emergency:visitor_details", args=[key]),
               cancel_url=reverse("emergency:visitor_cancel", args=[key]),
               photos=[(reverse("emergency:visitor_photo", args=[key, p.pk, "thumb"]),
                        reverse("emergency:visitor_photo", args=[key, p.pk, "full"])) for p in req.photos.all()])
    return ctx


@require_GET
def visitor_status(request: HttpRequest, key: str) -> HttpResponse:
    req = _by_link(request, key)  # a DomainError is the error middleware's to render
    return render(request, "emergency/status.html", _visitor_context(request, req, key))


@require_GET
def visitor_live(request: HttpRequest, key: str) -> HttpResponse:
    req = _by_link(request, key)  # a DomainError is the error middleware's to render
    return render(request, "emergency/partials/live.html", _visitor_context(request, req, key))


@require_POST
def visitor_details(request: HttpRequest, key: str) -> HttpResponse:
    req = _by_link(request, key)
    _add_details(request, req)
    messages.success(request, _("Thank you: the operations centre sees what you added."))
    return redirect("emergency:visitor_status", key)


@require_POST
def visitor_cancel(request: HttpRequest, key: str) -> HttpResponse:
    req = _by_link(request, key)
    services.rescue_cancel(actor=request.user, request_id=req.pk, reason=request.POST.get("reason", ""),
                           expected_version=posted_version(request), client_token=_token(request), by_link=True)
    messages.success(request, _("Your request was cancelled."))
    return redirect("emergency:visitor_status", key)


def _photo_response(req, photo_id: int, variant: str) -> HttpResponse:
    """One photo of a rescue request, to whoever may see the request (the caller checked):
    private to the viewer's browser, never kept by a shared cache (a rescue photo shows a
    person's home and family)."""
    photo = req.photos.filter(pk=photo_id).first() if variant in ("full", "thumb") else None
    if photo is None:
        raise Http404
    field = photo.thumb if variant == "thumb" else photo.image
    try:
        fh = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(fh, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def sos_photo(request: HttpRequest, pk: int, photo_id: int, variant: str) -> HttpResponse:
    return _photo_response(access_request(request.user, pk), photo_id, variant)


@require_GET
def visitor_photo(request: HttpRequest, key: str, photo_id: int, variant: str) -> HttpResponse:
    return _photo_response(_by_link(request, key), photo_id, variant)
