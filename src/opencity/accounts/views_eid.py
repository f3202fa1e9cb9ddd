"""The national eID connector's pages (docs/identity.md): "verify with VNeID" from the profile,
"sign in with VNeID" from the log-in page, and the one callback both come back to.

Every page is a 404 while ``OPENCITY_EID_ENABLED`` is off. The starts are POSTs (a form with the
CSRF token): another site cannot start a check in the citizen's name. Whatever goes wrong on the
platform's side ends on the page the person started from, with a message, never a 500.
"""

from __future__ import annotations

import logging
import time

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import signin
from .eid import EidError, get_adapter, provider_name
from .eid_services import EidConflictError, eid_account_for, eid_link
from .views import OTP_NEXT, OTP_PENDING_AT, OTP_PENDING_USER, _next_url

logger = logging.getLogger(__name__)

# What the started check is for: {"purpose": "verify", "user": pk} or {"purpose": "login", "next": url}.
INTENT = "eid_intent"


def _begin(request: HttpRequest, intent: dict, back: str) -> HttpResponse:
    adapter = get_adapter()
    try:
        url = adapter.start(request)
    except EidError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    request.session[INTENT] = intent
    return redirect(url)


@login_required
@require_POST
def eid_verify_view(request: HttpRequest) -> HttpResponse:
    """Start proving one's identity with the national eID, from the profile."""
    return _begin(request, {"purpose": "verify", "user": request.user.pk}, "accounts:profile")


@require_POST
def eid_login_view(request: HttpRequest) -> HttpResponse:
    """Start signing in with the national eID, from the log-in page."""
    return _begin(request, {"purpose": "login", "next": _next_url(request)}, "accounts:login")


@require_GET
def eid_callback_view(request: HttpRequest) -> HttpResponse:
    adapter = get_adapter()
    intent = request.session.pop(INTENT, None) or {}
    name = type(adapter).__name__
    if intent.get("purpose") == "verify":
        if not request.user.is_authenticated or request.user.pk != intent.get("user"):
            request.session.pop(adapter.SESSION_KEY, None)
            messages.error(request, _("This eID check was started by another account. Please start again."))
            return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
        try:
            identity = adapter.finish(request)
            raised = eid_link(user=request.user, identity=identity, adapter=name)
        except (EidError, EidConflictError) as exc:
            messages.error(request, exc.message)
            return redirect("accounts:profile")
        if raised:
            messages.success(request, _("Your identity is verified with %(name)s (level %(level)s).")
                             % {"name": provider_name(), "level": identity.level})
        else:
            messages.success(request, _("Your identity was checked again with %(name)s.") % {"name": provider_name()})
        return redirect(reverse("accounts:profile") + "#eid")
    if intent.get("purpose") != "login":
        request.session.pop(adapter.SESSION_KEY, None)
        messages.error(request, _("This eID check has expired or was started elsewhere. Please start again."))
        return redirect("accounts:login")
    try:
        identity = adapter.finish(request)
        user = eid_account_for(identity=identity, adapter=name)
    except EidError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:login")
    nxt = intent.get("next") or "/"
    if user is None:
        messages.warning(request, _(
            "No OpenCity account is linked to this national ID yet. Sign in with your phone number "
            "(or sign up), then verify with %(name)s from your profile: next time you can sign in with it."
        ) % {"name": provider_name()})
        return redirect("accounts:login")
    # The eID proves who the person is; it is not an authenticator app. Whoever must give a second
    # factor after their password gives it after the eID too.
    if signin.has_device(user):
        request.session[OTP_PENDING_USER] = user.pk
        request.session[OTP_PENDING_AT] = time.time()
        request.session[OTP_NEXT] = nxt
        return redirect("accounts:login_otp")
    if signin.has_staff_access(user):
        messages.error(request, _("Staff accounts sign in with their phone number, password and "
                                  "authenticator app."))
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return signin.remember_device(request, redirect(nxt), user)
