"""The one place that keeps staff out until they have passed the second factor.

A signed-in person who must use two-factor sign-in (``signin.second_factor_required``: staff
roles, unless ``OPENCITY_STAFF_2FA_REQUIRED=False``) and whose session has not passed it is
sent, from every page, to

- the enrolment page (the security page) when they have no authenticator app yet — their
  first staff sign-in;
- the code page when they have one.

The administration site always needs a verified session (django-otp's ``OTPAdminSite``), so
anyone with access to it is sent the same way from ``/admin/`` even when the setting is off.

Left alone: the sign-in and sign-out pages, the two-factor pages, static files, the language
switch, the health check, and the API (``opencity.lib.api`` refuses unverified staff sessions
and tokens itself, in the API's error shape).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import salted_hmac

from . import signin


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt: frozenset[str] | None = None

    def exempt(self) -> frozenset[str]:
        if self._exempt is None:
            self._exempt = frozenset(
                [reverse("accounts:login"), reverse("accounts:logout"), reverse("set_language"),
                 "/healthz", "/manifest.webmanifest", "/sw.js", "/offline/", "/favicon.ico"]
            )
        return self._exempt

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.detour(request) or self.get_response(request)

    def detour(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(("/api/", settings.STATIC_URL, settings.MEDIA_URL)) or path in self.exempt():
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        admin = path.startswith("/admin/") and signin.has_staff_access(user)
        if not (admin or signin.second_factor_required(user)) or signin.is_verified(user):
            return None
        target = reverse("accounts:login_otp" if signin.has_device(user) else "accounts:security")
        if path == target:
            return None
        nxt = request.get_full_path() if request.method == "GET" else path
        url = f"{target}?{urlencode({'next': nxt})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url  # htmx loads the whole page, not a fragment
            return response
        return redirect(url)


SEEN_KEY = "_oc_seen"


def viewer_id(request: HttpRequest) -> str:
    """Who a page is for, opaquely: "anon", or a keyed hash of the account (never its id). The
    service worker keeps pages only for the person they were made for (docs/offline.md)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anon"
    return salted_hmac("opencity.viewer", str(user.pk)).hexdigest()[:20]


class BrowserSessionMiddleware:
    """Two small things every signed-in page needs (docs/security.md#sessions, docs/offline.md):

    - the session's "last active" time on the security page's list, written at most once a
      minute per session (the time of the last write is kept in the session itself);
    - ``request.viewer_id`` and the ``X-OpenCity-Viewer`` header on pages, which the service
      worker reads to keep shell pages only for the person they were made for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .sessions import SEEN_EVERY, browser_session_seen

        request.viewer_id = viewer_id(request)
        session = getattr(request, "session", None)
        if request.viewer_id != "anon" and session is not None and session.session_key:
            now = time.time()
            if now - float(session.get(SEEN_KEY) or 0) >= SEEN_EVERY.total_seconds():
                browser_session_seen(user=request.user, session_key=session.session_key,
                                     user_agent=request.headers.get("User-Agent", ""))
                session[SEEN_KEY] = now
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response["X-OpenCity-Viewer"] = viewer_id(request)  # after the view: a sign-in or out
        return response
