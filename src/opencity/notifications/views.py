from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from opencity.lib.params import require_id, safe_next

from . import selectors, services


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The inbox. Reading it changes nothing (a GET must not: link prefetchers, crawlers and a
    reload would mark everything read); each entry and "mark all" have a button that POSTs."""
    items = list(selectors.notification_list(user=request.user, limit=100))
    return render(request, "notifications/inbox.html", {"items": items})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of them read, then go back to ``next`` if it is a
    page of this site (never another site: an open redirect), else to the inbox."""
    notification_id = require_id(request.POST.get("id"), field="id", required=False)  # else a 400
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect(safe_next(request, request.POST.get("next"), reverse("notifications:inbox")))
