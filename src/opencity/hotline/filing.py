"""Filing a report or a rescue request for a caller: the hotline's side of the hook
``lib.filing`` (registered in ``apps.py``). The forms (reports:new?for=caller&call=<id> and
emergency:new_for_caller?for=caller&call=<id>) call it without importing the hotline."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from opencity.lib.phone import display_phone

from .models import Call
from .permissions import access_call


def call_for_filing(request) -> Call | None:
    """The call named by ``?call=`` (None without one); 403/404 for a wrong user or id."""
    raw = request.GET.get("call", "").strip()
    return access_call(request.user, raw) if raw else None


def caller_initial(call: Call | None, *, name: str, phone: str) -> dict:
    """Initial form values: the caller's name (when their number has an account) and number."""
    if call is None:
        return {}
    initial = {phone: display_phone(call.phone)} if call.phone else {}
    if call.caller is not None and call.caller.full_name:
        initial[name] = call.caller.full_name
    return initial


def link_and_return(request, call: Call, filed):
    """Link what was filed (a report or a rescue request) to the call and go back to the
    call's page."""
    from opencity.emergency.models import RescueRequest
    from opencity.reports.models import Report

    from . import services

    if isinstance(filed, Report):
        services.call_link_report(actor=request.user, call_id=call.pk, report=filed)
        messages.success(request, _("Report %(ref)s was filed and linked to call %(call)s.")
                         % {"ref": filed.ref, "call": call.ref})
    elif isinstance(filed, RescueRequest):
        services.call_link_rescue(actor=request.user, call_id=call.pk, rescue=filed)
        messages.success(request, _("Rescue request %(ref)s was filed and linked to call %(call)s.")
                         % {"ref": filed.ref, "call": call.ref})
    else:
        raise TypeError(f"a call links reports and rescue requests, not {type(filed).__name__}")
    return redirect("hotline:call", call.pk)
