"""The first screen: the one page that brings the apps together for a person arriving.

It lives above the apps (like ``urls.py`` and ``api.py``), so that no app has to know the others
to compose it: the warnings in force for where the person is, the numbers to call and the way to
ask for rescue, the report lookup, the figures and the latest public reports. Also the
process's own health answer (``/healthz``), which is the project's, not any app's.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
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
