from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    items = list(selectors.notification_list(user=request.user, limit=100))
    response = render(request, "notifications/inbox.html", {"items": items})
    services.notification_mark_read(user=request.user)  # seen now; shown as new this once
    return response


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("id")
    services.notification_mark_read(user=request.user, notification_id=int(raw) if raw and raw.isdigit() else None)
    return redirect(request.POST.get("next") or "notifications:inbox")
