"""``GET /healthz``: the cheapest answer the server gives, ``{"ok": true}``.

It passes through the whole middleware stack but touches neither the database nor a template,
so ``make bench`` uses its requests/s as the ceiling every other scenario is compared with.
Also usable as a load balancer's liveness probe.
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})
