"""``GET /healthz``: the cheapest answer the server gives, ``{"ok": true, "warm": …}``.

It passes through the whole middleware stack but touches neither the database nor a template,
so ``make bench`` uses its requests/s as the ceiling every other scenario is compared with.
Also usable as a load balancer's liveness probe; ``warm`` says whether this process has
finished loading the address converter's tables (``OPENCITY_WARM_ADDRESSES``): a readiness
probe, and what ``make bench`` waits for before measuring (the loading takes a core for ~20 s).
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from opencity.geo.apps import warmed


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "warm": warmed()})
