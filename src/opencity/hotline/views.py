"""Hotline pages: the operators' console, a call's page, a caller's history, the counts, and
the telephone exchange's webhook. Views parse, call a selector or service, render; a failed
POST answers with its own 4xx status and message."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from opencity.errors import DomainError, ValidationError, form_error
from opencity.lib.phone import display_phone

from . import exchange, selectors, services
from .forms import CallBackForm, CallBackLogForm, CallLogForm, PresenceForm, WrapUpForm
from .permissions import access_call, access_callback, require_console, require_counts

MAX_BODY = 16 * 1024
COUNT_DAYS = 7
# Dates the counts accept: a day's bounds are computed in local time, and year 1 or 9999 would
# overflow (a 500); no call is older than 1900 or later than 2999.
MIN_YEAR, MAX_YEAR = 1900, 2999


def _week(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=COUNT_DAYS - 1), today


def _console_context(request, *, log_form=None) -> dict:
    user = request.user
    start, end = _week()
    return {
        "log_form": log_form or CallLogForm(),
        "incoming": selectors.incoming_for(user=user),
        "callbacks": selectors.callback_list_due(user=user),
        "missed": selectors.call_list_missed(user=user),
        "recent": selectors.call_list_recent(user=user, limit=12),
        "counts": selectors.call_counts(user=user, start=start, end=end),
        "now": timezone.now(),
    }


@login_required
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    require_console(request.user)
    context = _console_context(request)
    offered = context["incoming"]["offered"]
    if offered is not None:
        services.caller_history_viewed(actor=request.user, call=offered)
    return render(request, "hotline/console.html", context)


@login_required
@require_GET
def incoming(request: HttpRequest) -> HttpResponse:
    """htmx, every 3 s: the call offered to me, my call in progress, the others waiting."""
    data = selectors.incoming_for(user=request.user)
    if data["offered"] is not None:
        services.caller_history_viewed(actor=request.user, call=data["offered"])
    return render(request, "hotline/partials/incoming.html", {"incoming": data})


@login_required
@require_POST
def presence(request: HttpRequest) -> HttpResponse:
    form = PresenceForm(request.POST)
    require_console(request.user)
    if not form.is_valid():
        raise ValidationError(_("Choose available or away."), field="available")
    services.presence_set(actor=request.user, available=form.cleaned_data["available"],
                          extension=form.cleaned_data["extension"] if "extension" in request.POST else None)
    if request.headers.get("HX-Request"):
        return render(request, "hotline/partials/incoming.html",
                      {"incoming": selectors.incoming_for(user=request.user)})
    if "extension" in request.POST:
        messages.success(request, _("Your extension was saved."))
    else:
        messages.success(request, _("You take calls now.") if form.cleaned_data["available"]
                         else _("You are away: no call is offered to you."))
    return redirect("hotline:console")


@login_required
@require_POST
def call_new(request: HttpRequest) -> HttpResponse:
    """Log a call typed by the operator."""
    require_console(request.user)
    form = CallLogForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            call = services.call_log(actor=request.user, direction=d["direction"], phone=d["phone"],
                                     started_at=d["started_at"], duration_seconds=d["duration"], topic=d["topic"],
                                     outcome=d["outcome"], note=d["note"])
        except DomainError as exc:
            form_error(form, exc, {"duration_seconds": "duration"})
            status = exc.http_status
        else:
            messages.success(request, _("Call %(ref)s was logged.") % {"ref": call.ref})
            return redirect("hotline:call", call.pk)
    return render(request, "hotline/console.html", _console_context(request, log_form=form), status=status)


def _call_context(request, call, **forms) -> dict:
    detail = selectors.call_detail(user=request.user, call=call)
    operators = selectors.console_operators(user=request.user)
    return {
        "call": call, **detail,
        "wrap_form": forms.get("wrap_form") or WrapUpForm(initial={
            "topic": call.topic, "outcome": call.outcome, "note": call.note, "end": call.state == "answered"}),
        "callback_form": forms.get("callback_form") or CallBackForm(operators=operators),
        "callback_log_form": forms.get("callback_log_form") or CallBackLogForm(),
        "is_mine": call.operator_id == request.user.pk,
        "now": timezone.now(),
    }


@login_required
@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = access_call(request.user, pk)
    services.caller_history_viewed(actor=request.user, call=call)
    return render(request, "hotline/call.html", _call_context(request, call))


@login_required
@require_POST
def call_take(request: HttpRequest, pk: int) -> HttpResponse:
    access_call(request.user, pk)
    call = services.call_take(actor=request.user, call_id=pk)
    messages.success(request, _("You have the call from %(phone)s.") % {"phone": call.phone_display or _("a withheld number")})
    return redirect("hotline:call", call.pk)


@login_required
@require_POST
def call_wrap_up(request: HttpRequest, pk: int) -> HttpResponse:
    call = access_call(request.user, pk)
    form = WrapUpForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.call_wrap_up(actor=request.user, call_id=call.pk, topic=d["topic"], outcome=d["outcome"],
                                  note=d["note"], duration_seconds=d["duration"], end=d["end"])
        except DomainError as exc:
            form_error(form, exc, {"duration_seconds": "duration"})
            status = exc.http_status
        else:
            messages.success(request, _("The call was saved."))
            return redirect("hotline:call", call.pk)
    return render(request, "hotline/call.html", _call_context(request, call, wrap_form=form), status=status)


@login_required
@require_POST
def callback_new(request: HttpRequest, pk: int) -> HttpResponse:
    call = access_call(request.user, pk)
    form = CallBackForm(request.POST, operators=selectors.console_operators(user=request.user))
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.callback_schedule(actor=request.user, call_id=call.pk, due_at=d["due_at"],
                                       assigned_to_id=d["assigned_to"], note=d["note"])
        except DomainError as exc:
            form_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("The call-back was scheduled."))
            return redirect("hotline:call", call.pk)
    return render(request, "hotline/call.html", _call_context(request, call, callback_form=form), status=status)


@login_required
@require_POST
def callback_log(request: HttpRequest, pk: int) -> HttpResponse:
    callback = access_callback(request.user, pk)
    form = CallBackLogForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            call = services.callback_log(actor=request.user, callback_id=callback.pk, outcome=d["outcome"],
                                         note=d["note"], duration_seconds=d["duration"])
        except DomainError as exc:
            form_error(form, exc, {"duration_seconds": "duration"})
            status = exc.http_status
        else:
            if call.outcome == "no_answer":
                messages.info(request, _("No answer: the call-back is due again in 30 minutes."))
            else:
                messages.success(request, _("The call-back was logged as call %(ref)s.") % {"ref": call.ref})
            return redirect("hotline:call", callback.call_id)
    call = access_call(request.user, callback.call_id)
    return render(request, "hotline/call.html", _call_context(request, call, callback_log_form=form), status=status)


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    """A caller's history by number (typed as people write it)."""
    try:
        require_console(request.user)
        raw = request.GET.get("phone", "")
        phone = services.vn_phone(raw) if raw.strip() else ""
    except DomainError as exc:
        return render(request, "hotline/history.html", {"error": exc.message, "raw": request.GET.get("phone", "")[:20]},
                      status=exc.http_status)
    data = selectors.caller_history(user=request.user, phone=phone, limit=30) if phone else None
    if phone:
        services.caller_history_viewed(actor=request.user, phone=phone)
    return render(request, "hotline/history.html", {"history": data, "raw": display_phone(phone) if phone else ""})


def _date_param(request, name: str, default: dt.date) -> dt.date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise ValidationError(_("Choose a date between %(first)s and %(last)s.")
                                  % {"first": MIN_YEAR, "last": MAX_YEAR}, field=name, code="date_out_of_range")
        return day
    raise ValidationError(_("Write dates as dd/mm/yyyy."), field=name, code="date_invalid")


@login_required
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """The counts partial for a period (?start=&end=, dd/mm/yyyy), for hotline staff and leaders."""
    require_counts(request.user)
    start_default, end_default = _week()
    start = _date_param(request, "start", start_default)
    end = _date_param(request, "end", end_default)
    if abs((end - start).days) > 366:
        raise ValidationError(_("Choose a period of at most one year."), field="end", code="period_too_long")
    data = selectors.call_counts(user=request.user, start=start, end=end)
    template = "hotline/partials/counts.html" if request.headers.get("HX-Request") else "hotline/counts.html"
    return render(request, template, {"counts": data})


def _json_error(exc: DomainError) -> JsonResponse:
    body = {"ok": False, "error": exc.code, "message": exc.message}
    if exc.field:
        body["field"] = exc.field
    return JsonResponse(body, status=exc.http_status)


@csrf_exempt
def exchange_events(request: HttpRequest) -> HttpResponse:
    """POST /hotline/exchange/events: one signed event from the telephone exchange (the only
    CSRF-exempt endpoint here: the HMAC signature authenticates it)."""
    if request.method != "POST":
        response = JsonResponse({"ok": False, "error": "method_not_allowed"}, status=405)
        response["Allow"] = "POST"
        return response
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:  # Django's request.body would raise on it too
        return JsonResponse({"ok": False, "error": "bad_request", "message": _("The request could not be read.")},
                            status=400)
    if length > MAX_BODY:
        return JsonResponse({"ok": False, "error": "too_large"}, status=413)
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"ok": False, "error": "too_large"}, status=413)
    try:
        exchange.verify(timestamp=request.headers.get(exchange.TIMESTAMP_HEADER),
                        signature=request.headers.get(exchange.SIGNATURE_HEADER), body=body)
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ValidationError(_("The body is not valid JSON."), code="json_invalid") from None
        call, duplicate = services.exchange_event_receive(payload=payload)
    except DomainError as exc:
        return _json_error(exc)
    return JsonResponse({"ok": True, "call": call.pk, "ref": call.ref, "state": call.state, "duplicate": duplicate,
                         "url": request.build_absolute_uri(reverse("hotline:call", args=[call.pk]))})
