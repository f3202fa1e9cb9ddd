"""Staff pages: the IOC triage queue, the unit inbox, and the staff view of a report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencity import policy
from opencity.errors import DomainError, PermissionDeniedError, error_response
from opencity.lib.params import BadParameter, parse_id, require_id, require_int
from opencity.orgs.models import Unit

from . import routing, selectors, services
from .deadlines import triage_target
from .forms import RejectForm
from .models import Category, Priority, Report, ResponseTemplate
from .permissions import access_report, available_actions, can_view_internal, can_view_reporter
from .templatetags.list_tags import target_text
from .views import PAGE_SIZE, _filter_context, _filters


def _staff_required(check):
    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDeniedError()
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def code_hint(request: HttpRequest, page) -> dict:
    """A search for a report's code ("PA002001") in a staff list: the code as written, and when
    the list does not hold that report, the report itself if the viewer may see it (it is in
    another state or list: the page links to it). Empty for any other search."""
    text = request.GET.get("q", "").strip()[:100]
    code_id = selectors.report_code_id(text)
    if code_id is None:
        return {}
    hint: dict = {"code": Report(pk=code_id).ref}
    if not page.paginator.count:
        hint["elsewhere"] = selectors.report_by_code(user=request.user, code=text)
    return hint


@_staff_required(policy.can_use_triage)
@require_GET
def triage(request: HttpRequest) -> HttpResponse:
    """New reports waiting for verification: highest priority, then oldest first; each with how
    long it has waited."""
    qs = selectors.triage_queue(user=request.user, filters=_filters(request)).prefetch_related("photos")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    late = qs.filter(created_at__lt=timezone.now() - triage_target()).count()
    return render(request, "reports/staff/triage.html",
                  {"page": page, "late": late, "target": target_text(),
                   **_filter_context(request), **code_hint(request, page)})


@_staff_required(policy.can_use_unit_inbox)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The officer's units' reports, soonest deadline first."""
    qs = selectors.unit_inbox(user=request.user, filters=_filters(request)).prefetch_related("photos")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    units = Unit.objects.filter(pk__in=policy.unit_ids(request.user))
    return render(request, "reports/staff/inbox.html",
                  {"page": page, "units": units, **_filter_context(request), **code_hint(request, page)})


@_staff_required(policy.is_staff)
@require_GET
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report(request.user, pk)
    user = request.user
    if not can_view_internal(user, report):
        return redirect("reports:detail", pk)
    actions = available_actions(user, report)
    proposed = routing.propose(report)
    templates = ResponseTemplate.objects.none()
    if report.unit_id:
        templates = ResponseTemplate.objects.filter(unit_id=report.unit_id).filter(
            category__isnull=True) | ResponseTemplate.objects.filter(unit_id=report.unit_id, category_id=report.category_id)
    context = {
        "report": report,
        "events": selectors.timeline(user=user, report=report),
        "photos": report.photos.all(),
        "actions": actions,
        "show_reporter": can_view_reporter(user, report),
        "proposed": proposed,
        "units": Unit.objects.filter(is_active=True).order_by("level", "name"),
        "categories": Category.objects.filter(is_active=True),
        "priorities": Priority.choices,
        "nearby": selectors.nearby_open(user=user, lat=report.lat, lon=report.lon, radius_m=max(report.category.duplicate_radius_m, 100),
                                        exclude_id=report.pk, limit=8) if "merge" in actions else [],
        "reject_form": RejectForm(auto_id="reject-%s"),
        "pending_extension": report.extensions.filter(status="pending").first(),
        "templates": templates.distinct() if report.unit_id else [],
        "map_center": (report.lat, report.lon),
    }
    return render(request, "reports/staff/detail.html", context)


def _merge_target(post) -> int:
    """The report to merge into: one of the nearby reports offered (``into``, an id: anything
    else is a bad request), or the number typed in "PA000123" or "123" (``into_ref``: 0, no such
    report, when it holds no number a report can have)."""
    typed = post.get("into_ref")
    if typed:
        digits = "".join(ch for ch in typed if ch in "0123456789")
        return parse_id(digits) or 0
    return require_id(post.get("into"), field="into", required=False) or 0


def _version(raw: str | None) -> int | None:
    return require_int(raw, field="version", required=False)


def _priority(raw: str | None) -> int:
    value = require_int(raw, field="priority", digits=2)
    if value not in Priority.values:
        raise BadParameter(_("Choose a priority."), field="priority")
    return value


def _bad_request(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A form of ours cannot have sent this: 400 with the message (htmx: the error fragment)."""
    return error_response(request, exc, status=400)


@login_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every staff action posts here; the service checks permission and state."""
    access_report(request.user, pk)
    user, post = request.user, request.POST
    try:
        expected = _version(post.get("version"))
    except BadParameter as exc:
        return _bad_request(request, exc)
    files = request.FILES.getlist("photos")
    runs = {
        "route": (lambda: services.report_route(report_id=pk, actor=user,
                                                unit_id=require_id(post.get("unit"), field="unit", required=False),
                                                note=post.get("note", ""), expected_version=expected),
                  _("The report was sent to the unit.")),
        "merge": (lambda: services.report_merge(report_id=pk, actor=user, into_id=_merge_target(post),
                                                note=post.get("note", "")), _("The report was merged.")),
        "reject": (lambda: services.report_reject(report_id=pk, actor=user, reason=post.get("reason", ""),
                                                  note=post.get("note", "")), _("The report was rejected.")),
        "correct": (lambda: services.report_correct(report_id=pk, actor=user,
                                                    category_id=require_id(post.get("category"), field="category",
                                                                           required=False),
                                                    lat=post.get("lat"), lon=post.get("lon"),
                                                    address=post.get("address") if "address" in post else None,
                                                    note=post.get("note", "")), _("The report was corrected.")),
        "set_priority": (lambda: services.report_set_priority(report_id=pk, actor=user, priority=_priority(post.get("priority")),
                                                              note=post.get("note", "")), _("Priority changed.")),
        "moderate_text": (lambda: services.report_moderate_text(report_id=pk, actor=user,
                                                                public_text=post.get("public_text", ""),
                                                                note=post.get("note", "")),
                          _("The public text was changed; the original is kept for staff.")),
        "moderate_photo": (lambda: services.photo_moderate(photo_id=require_id(post.get("photo"), field="photo"), actor=user,
                                                           action=post.get("photo_action", ""), note=post.get("note", "")),
                           _("The photo was moderated; the original is kept for staff.")),
        "decide_dispute": (lambda: services.report_decide_dispute(report_id=pk, actor=user, agree=post.get("agree") == "1",
                                                                  note=post.get("note", "")), _("The dispute was decided.")),
        "accept": (lambda: services.report_accept(report_id=pk, actor=user, note=post.get("note", ""),
                                                  expected_version=expected), _("You accepted the report.")),
        "return": (lambda: services.report_return(report_id=pk, actor=user, reason=post.get("reason", "")),
                   _("The report was returned to the operations centre.")),
        "ask_info": (lambda: services.report_ask_info(report_id=pk, actor=user, question=post.get("question", "")),
                     _("Your question was sent to the reporter.")),
        "request_extension": (lambda: services.report_request_extension(report_id=pk, actor=user,
                                                                        extra_hours=post.get("extra_hours"),
                                                                        reason=post.get("reason", "")),
                              _("The extension request was sent.")),
        "decide_extension": (lambda: services.report_decide_extension(extension_id=require_id(post.get("extension"),
                                                                                              field="extension"),
                                                                      actor=user, approve=post.get("approve") == "1",
                                                                      note=post.get("note", "")),
                             _("The extension was decided.")),
        "resolve": (lambda: services.report_resolve(report_id=pk, actor=user, result=post.get("result", ""),
                                                    photos=files, expected_version=expected),
                    _("The result was saved.")),
        "decide_result": (lambda: services.report_decide_result(report_id=pk, actor=user, approve=post.get("approve") == "1",
                                                                note=post.get("note", "")), _("The result was decided.")),
        "note": (lambda: services.report_add_note(report_id=pk, actor=user, text=post.get("text", "")),
                 _("Internal note added.")),
    }
    if action not in runs:
        raise Http404
    run, success = runs[action]
    back = reverse("reports:staff_detail", args=[pk])
    try:
        run()
    except BadParameter as exc:
        return _bad_request(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
        response = redirect(back)
        response.status_code = 303
        return response
    messages.success(request, success)
    return redirect(back)
