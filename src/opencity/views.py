"""The first screen: the one page that brings the apps together for a person arriving.

It lives above the apps (like ``urls.py`` and ``api.py``), so that no app has to know the others
to compose it: the warnings in force for where the person is, the numbers to call and the way to
ask for rescue, the report lookup, the figures and the latest public reports. Also the
process's own health answer (``/healthz``), which is the project's, not any app's.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from opencity.alerts.selectors import alerts_for_home
from opencity.emergency.limits import call_numbers
from opencity.geo.apps import warmed
from opencity.reports import selectors as reports


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    public = reports.report_list(user=None, filters={"public_only": True})
    done = reports.report_list(user=None, filters={"public_only": True, "status": "done"})
    context = {
        "warnings": alerts_for_home(user=request.user),
        "numbers": call_numbers(),
        # The same selector as the public list, so the two figures always agree.
        "counts": {"total": public.count(), "done": done.count()},
        "recent": public.prefetch_related("photos").order_by("-created_at")[:6],
    }
    return render(request, "home.html", context)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """``GET /healthz``: the cheapest answer the server gives, ``{"ok": true, "warm": …}``.

    A load balancer's liveness probe, so it belongs to the product, not to the benchmark: it
    passes through the whole middleware stack but touches neither the database nor a template
    (``make bench`` uses its requests/s as the ceiling every other scenario is compared with).
    ``warm`` says whether this process has finished loading the address converter's tables
    (``OPENCITY_WARM_ADDRESSES``): a readiness probe, and what ``make bench`` waits for before
    measuring (the loading takes a core for ~20 s).
    """
    return JsonResponse({"ok": True, "warm": warmed()})


# --- the installable app (docs/offline.md) ------------------------------------------------------
# The shell: what the service worker keeps so that the home screen, the report form and the SOS
# form open without a network. Pages are listed by URL name; files by their static path.
SHELL_PAGES = ("home", "reports:new", "emergency:new")
SHELL_FILES = (
    "opencity/app.css", "opencity/app.js", "opencity/format.js", "opencity/outbox.js", "opencity/submit.js",
    "opencity/map.js", "opencity/icon.svg", "opencity/icon-192.png", "opencity/icon-512.png",
    "opencity/icon-maskable.svg", "opencity/icon-maskable-192.png", "opencity/icon-maskable-512.png",
    "emergency/sos.js", "vendor/htmx/htmx.min.js", "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css",
    "vendor/exifr/mini.umd.js",
)


@functools.cache
def shell_version() -> str:
    """A hash of the shell files and of the worker's own template: a deploy that changes any of
    them names a new cache, and the browser's update check (the worker's bytes changed) swaps it."""
    digest = hashlib.sha256((Path(__file__).parent / "templates" / "sw.js").read_bytes())
    for path in SHELL_FILES:
        found = finders.find(path)
        digest.update(path.encode() + b"\0" + (Path(found).read_bytes() if found else b"-"))
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(request, "sw.js", {
        "version": shell_version(), "shell_files": SHELL_FILES,
        "shell_pages": [reverse(name) for name in SHELL_PAGES],
    }, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"  # the browser checks for a new worker on every visit
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    response = render(request, "manifest.webmanifest", {}, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it does not keep, offline. The same for
    everyone (it is kept once for all): no name, no data, only what works without a network."""
    return render(request, "offline.html", {})
