"""The press pages: the operators' list and an item's page with what they do with it (IOC
operators and administrators act; city leaders read), the figures, the import of a social
listening export, and the public page of the city's responses to the press.

Views read through ``selectors`` and write through ``services``; DomainErrors are answered by
the error middleware (``opencity/errors.py``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity import policy
from opencity.errors import ValidationError
from opencity.lib.params import posted_version
from opencity.lib.worktime import TZ

from . import selectors, services
from .models import ItemStatus, SourceKind
from .permissions import access_item, require_press, require_press_action
from .workflow import ITEM, step_label

PAGE_SIZE = 25


@login_required
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    require_press(request.user)
    filters = {k: request.GET.get(k, "")[:100] for k in ("status", "topic", "area", "q", "min_score")}
    if "status" not in request.GET:
        filters["status"] = ItemStatus.NEW
    qs = selectors.item_list(user=request.user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "press/items.html", {
        "page": page, "items": page.object_list, "filters": filters, "statuses": ItemStatus.choices,
        "topics": selectors.topics(), "wards": selectors.wards(), "failing": selectors.failing_sources(),
        "can_act": policy.can_act_on_press(request.user),
    })


def _actions(user, item) -> dict:
    acts = policy.can_act_on_press(user)
    return {
        "can_act": acts,
        "can_dismiss": acts and ITEM.allowed(item, "dismiss"),
        "can_answer": acts and ITEM.allowed(item, "answer"),
        "can_report": acts and ITEM.allowed(item, "to_report"),
        "can_reopen": acts and ITEM.allowed(item, "reopen"),
        "can_respond": acts and item.status in (ItemStatus.ANSWERED, ItemStatus.REPORTED),
    }


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_item(request.user, pk)
    actions = _actions(request.user, item)
    return render(request, "press/item_detail.html", {
        "item": item, **actions,
        "steps": [(s, step_label(s.action)) for s in selectors.item_steps(item)],
        "copies": selectors.item_copies(item),
        "categories": selectors.report_categories() if actions["can_report"] else [],
        "form": selectors.question_form(item.category) if actions["can_report"] else None,
        "result": services.published_result(item) if item.report_id else "",
    })


def _back(pk: int) -> HttpResponse:
    return redirect("press:item", pk)


@login_required
@require_POST
def item_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    access_item(request.user, pk)
    services.item_dismiss(actor=request.user, item_id=pk, note=request.POST.get("note", ""),
                          expected_version=posted_version(request))
    messages.success(request, _("The item is dismissed."))
    return _back(pk)


@login_required
@require_POST
def item_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    access_item(request.user, pk)
    services.item_reopen(actor=request.user, item_id=pk, expected_version=posted_version(request))
    messages.success(request, _("The item is back in the list."))
    return _back(pk)


@login_required
@require_POST
def item_answer(request: HttpRequest, pk: int) -> HttpResponse:
    access_item(request.user, pk)
    services.item_answer(actor=request.user, item_id=pk, answer=request.POST.get("answer", ""),
                         expected_version=posted_version(request))
    messages.success(request, _("The item is marked as answered."))
    return _back(pk)


@login_required
@require_POST
def item_report(request: HttpRequest, pk: int) -> HttpResponse:
    access_item(request.user, pk)
    category = request.POST.get("category", "")
    if not category:
        raise ValidationError(_("Choose a category."), field="category")
    report = services.item_to_report(actor=request.user, item_id=pk, category_id=category,
                                     description=request.POST.get("description", ""),
                                     answers=selectors.posted_answers(request.POST, category),
                                     client_token=request.POST.get("client_token") or None)
    messages.success(request, format_html(_("The field report {} was created."), report.ref))
    return _back(pk)


@login_required
@require_POST
def item_respond(request: HttpRequest, pk: int) -> HttpResponse:
    access_item(request.user, pk)
    services.item_respond(actor=request.user, item_id=pk, text=request.POST.get("text", ""),
                          expected_version=posted_version(request))
    messages.success(request, _("The city's response is published."))
    return _back(pk)


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    require_press(request.user)
    days = request.GET.get("days", "7")
    days_n = int(days) if days in ("7", "30", "90") else 7
    end = timezone.localtime(timezone.now(), TZ).date() + dt.timedelta(days=1)
    start = end - dt.timedelta(days=days_n)
    f = selectors.figures(start=start, end=end)
    peak = max([n for _d, n in f.by_day] or [0]) or 1
    return render(request, "press/figures.html", {
        "f": f, "days": days_n, "start": start, "end": end - dt.timedelta(days=1),
        "bars": [(d, n, round(100 * n / peak)) for d, n in f.by_day],
    })


@login_required
@require_http_methods(["GET", "POST"])
def import_export(request: HttpRequest) -> HttpResponse:
    require_press_action(request.user)
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError(_("Choose a file."), field="file")
        name = (upload.name or "").lower()
        fmt = "csv" if name.endswith(".csv") else "json" if name.endswith((".json", ".jsonl")) else ""
        content = upload.read(settings.OPENCITY_PRESS_IMPORT_MAX_BYTES + 1)
        result = services.export_import(actor=request.user, source_id=request.POST.get("source", ""),
                                        content=content, fmt=fmt)
        messages.success(request, _("%(n)d items imported.") % {"n": result.created})
    return render(request, "press/import.html", {
        "sources": selectors.import_sources(), "result": result, "kind_import": SourceKind.IMPORT,
    })


# --- public -------------------------------------------------------------------------------------------


@require_GET
def responses(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    page = Paginator(selectors.public_responses(q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "press/responses.html", {"page": page, "items": page.object_list, "q": q})
