"""Warning pages, the composer, CAP documents and the push subscription endpoint.

Views parse, call a selector or service, render. Bad input gets a 4xx with the form or a
message, never a 500: domain errors are caught here so that a failed POST answers with its own
status (the shared middleware would redirect).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity.accounts import throttle
from opencity.errors import ConflictError, DomainError, ValidationError, form_error, set_retry_after
from opencity.notifications import services as notifications

from . import cap, selectors, services
from .forms import CancelForm, WarningForm
from .models import Category, EventType, Severity
from .permissions import (
    access_alert,
    access_alert_stats,
    access_alert_to_manage,
    access_message,
    can_manage,
    can_view_stats,
    require_composer,
)

PAGE_SIZE = 20


def _push_context(request) -> dict:
    return {"vapid_public_key": settings.OPENCITY_VAPID_PUBLIC_KEY}


@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    alerts = selectors.alert_list_in_force(user=request.user)
    return render(request, "alerts/list.html", {
        "alerts": alerts, "severities": Severity.choices, **_push_context(request),
    })


@require_GET
def warning_archive(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.alert_list_archive(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "alerts/archive.html", {"page": page})


@require_GET
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert(request.user, pk)
    services.alert_record_view(alert_id=alert.pk, user=request.user)
    alert.view_count += 1
    context = {
        "alert": alert,
        "latest": alert.latest,
        "chain": selectors.alert_chain(alert),
        "state": selectors.alert_state(alert),
        "can_manage": can_manage(request.user, alert),
        "can_view_stats": can_view_stats(request.user, alert),
        "severities": Severity.choices,
        **_push_context(request),
    }
    return render(request, "alerts/detail.html", context)


@require_GET
def areas_in_force(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.areas_geojson_in_force(user=request.user))


@require_GET
def warning_areas(request: HttpRequest, pk: int) -> JsonResponse:
    alert = access_alert(request.user, pk)
    return JsonResponse(selectors.alert_areas_geojson(alert))


def _composer(request: HttpRequest, form: WarningForm, *, status: int = 200, alert=None) -> HttpResponse:
    return render(request, "alerts/compose.html", {
        "form": form, "alert": alert, "groups": selectors.ward_groups(),
        "selected": form.selected_area_ids(), "categories": Category.choices,
        "map_center": settings.OPENCITY_MAP_CENTER,
    }, status=status)


def _prefill(query) -> dict:
    """A composer opened from elsewhere — an incident's page sends its hazard, its name and its
    wards (``?event=flood&headline=…&areas=3&areas=5``), a monitoring event also a CAP severity and
    a description: what is valid is filled in, the rest
    ignored; the person still reviews and publishes."""
    initial: dict = {}
    if query.get("event") in EventType.values:
        initial["event"] = query["event"]
    headline = (query.get("headline") or "").strip()[:160]
    if headline:
        initial["headline_vi"] = headline
    areas = [int(v) for v in query.getlist("areas")[:200] if v.isdigit() and len(v) < 10]
    if areas:
        initial["areas"] = areas
    if query.get("severity") in Severity.values:
        initial["severity"] = query["severity"]
    description = (query.get("description") or "").strip()[:2000]
    if description:
        initial["description_vi"] = description
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    require_composer(request.user)
    form = WarningForm(request.POST or None, user=request.user,
                       initial=_prefill(request.GET) if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message = services.alert_publish(actor=request.user, **form.service_kwargs())
            except DomainError as exc:
                form_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The warning %(ref)s was published.") % {"ref": message.alert.ref})
                return redirect("alerts:staff", message.alert_id)
        else:
            status = 400
    return _composer(request, form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def update(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert_to_manage(request.user, pk)
    if alert.latest.is_cancel:
        raise ConflictError(_("This warning was cancelled: it cannot be changed any more."))
    form = WarningForm(request.POST or None, user=request.user, update_of=alert.latest)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message = services.alert_update(actor=request.user, alert_id=alert.pk, **form.service_kwargs())
            except DomainError as exc:
                form_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The update was published."))
                return redirect("alerts:staff", message.alert_id)
        else:
            status = 400
    return _composer(request, form, status=status, alert=alert)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)
    alert = access_alert_to_manage(request.user, pk)
    if not form.is_valid():
        raise ValidationError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    services.alert_cancel(actor=request.user, alert_id=alert.pk, note=form.cleaned_data["note"],
                          based_on=form.cleaned_data["based_on"] or None,
                          client_token=form.cleaned_data["client_token"] or None)
    messages.success(request, _("The warning was cancelled. People who received it are told."))
    return redirect("alerts:staff", alert.pk)


@login_required
@require_GET
def staff(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert_stats(request.user, pk)
    return render(request, "alerts/staff.html", {
        "alert": alert,
        "latest": alert.latest,
        "state": selectors.alert_state(alert),
        "stats": selectors.alert_stats(alert),
        "can_manage": can_manage(request.user, alert),
        "cancel_form": CancelForm(initial={"based_on": alert.latest_id}),
    })


@require_GET
def cap_document(request: HttpRequest, pk: int) -> HttpResponse:
    message = access_message(request.user, pk)
    response = HttpResponse(cap.build_cap(message, request), content_type=cap.CAP_CONTENT_TYPE)
    response["Cache-Control"] = "public, max-age=300"
    return response


def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def _subscription_body(request: HttpRequest) -> dict | None:
    try:
        body = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: [[[[…]]]] (#13)
        return None
    return body if isinstance(body, dict) else None


@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    """Save the browser's push subscription (the JSON of ``PushSubscription.toJSON()``)."""
    if not request.user.is_authenticated:
        return _json_error(_("Log in to receive warnings on this device."), 403)
    body = _subscription_body(request)
    if body is None:
        return _json_error(_("This browser sent an invalid push subscription."))
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    try:
        throttle.hit("push.subscribe.account", f"user:{request.user.pk}")
        notifications.push_subscribe(user=request.user, endpoint=body.get("endpoint"), p256dh=keys.get("p256dh"),
                                     auth=keys.get("auth"), user_agent=request.headers.get("User-Agent", ""))
    except DomainError as exc:
        return set_retry_after(_json_error(exc.message, exc.http_status), exc)
    return JsonResponse({"ok": True, "message": _("Warnings will now reach this device.")}, status=201)


@require_POST
def push_unsubscribe(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return _json_error(_("Log in to receive warnings on this device."), 403)
    body = _subscription_body(request)
    if body is None or not isinstance(body.get("endpoint"), str):
        return _json_error(_("This browser sent an invalid push subscription."))
    notifications.push_unsubscribe(user=request.user, endpoint=body["endpoint"])
    return JsonResponse({"ok": True, "message": _("Warnings will no longer be pushed to this device.")})
