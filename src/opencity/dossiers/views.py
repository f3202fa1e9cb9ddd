"""The dossier pages: the public lookup (code + the last four digits of the applicant's phone),
a dossier's status and following it; for staff the figures per agency and ward, the list behind
every figure and the CSV import. Views parse, ask ``selectors``/``kpi`` or call ``services``,
render; DomainErrors are answered by the error middleware."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity import policy
from opencity.errors import NotFoundError, ValidationError
from opencity.geo.models import Area
from opencity.lib.params import parse_id
from opencity.orgs.models import Unit
from opencity.reports.kpi import Period, recent_periods

from . import kpi, limits, selectors, services
from .permissions import access_dossier, require_figures, require_import
from .statuses import Status
from .workflow import DOSSIER

PAGE_SIZE = 50
SESSION_KEY = "dossiers_proved"  # codes this browser proved (code + phone digits) in this session
MAX_UPLOAD = 20 * 1024 * 1024


# --- public lookup ---------------------------------------------------------------------------


def _proved(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_KEY, []))


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    context = {"code": "", "error": ""}
    if request.method == "POST":
        code = request.POST.get("code", "").strip()[:60]
        last4 = request.POST.get("last4", "").strip()[:4]
        context["code"] = code
        if not code or not last4:
            context["error"] = _("Enter the dossier code and the last four digits of the phone number.")
        else:
            limits.before_lookup(request, code)
            dossier = selectors.dossier_lookup(code=code, last4=last4)
            if dossier is None:
                limits.wrong_answer(code)
                context["error"] = _("No dossier matches this code and these digits. Check the receipt "
                                     "(“Giấy tiếp nhận hồ sơ và hẹn trả kết quả”).")
            else:
                proved = [c for c in _proved(request) if c != dossier.code][-19:] + [dossier.code]
                request.session[SESSION_KEY] = proved
                return redirect("dossiers_public:status", dossier.code)
    return render(request, "dossiers/lookup.html", context, status=200)


def _public_dossier(request: HttpRequest, code: str):
    """The dossier if this browser proved it or this person follows it; else 404 (as unknown)."""
    dossier = selectors.dossier_public(code=code)
    if dossier is not None and (dossier.code in _proved(request)
                                or selectors.is_following(user=request.user, dossier=dossier)):
        return dossier
    raise NotFoundError(_("Look the dossier up with its code and the last four digits of the phone number."))


@require_GET
def status(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _public_dossier(request, code)
    steps = [(s, Status(s.to_status).label) for s in selectors.dossier_history(dossier)]
    return render(request, "dossiers/status.html", {
        "dossier": dossier, "steps": steps, "status_label": Status(dossier.status).label,
        "overdue": dossier.is_overdue(), "following": selectors.is_following(user=request.user, dossier=dossier),
        "can_follow": policy.can_follow_dossier(request.user),
    })


@login_required
@require_GET
def followed(request: HttpRequest, code: str) -> HttpResponse:
    """Where a notification links to: the status page for its follower."""
    return status(request, code)


@login_required
@require_POST
def follow(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _public_dossier(request, code)
    if request.POST.get("stop"):
        services.dossier_unfollow(user=request.user, dossier=dossier)
        messages.success(request, _("You no longer follow this dossier."))
    else:
        services.dossier_follow(user=request.user, dossier=dossier)
        messages.success(request, _("You will be told of each change of this dossier's status."))
    return redirect("dossiers_public:status", dossier.code)


# --- figures (staff) ---------------------------------------------------------------------------


def _period_menu(current: Period) -> list[tuple[str, list[Period]]]:
    groups = [(_("Months"), recent_periods("month", 12)), (_("Quarters"), recent_periods("quarter", 8)),
              (_("Years"), recent_periods("year", 5))]
    if current.key and all(current != p for _label, periods in groups for p in periods):
        groups.insert(0, (_("Chosen"), [current]))
    return groups


def _scope(request: HttpRequest) -> kpi.Scope:
    period = Period.parse(request.GET.get("period", "")[:12])
    if period is None:
        raise ValidationError(_("This period is not valid."), field="period")
    return kpi.Scope(period=period, unit_id=parse_id(request.GET.get("unit")),
                     area_id=parse_id(request.GET.get("area")))


def list_url(scope: kpi.Scope, figure: str, **dims) -> str:
    params = {"figure": figure}
    if scope.period.key:
        params["period"] = scope.period.key
    unit_id = dims.get("unit_id", scope.unit_id)
    area_id = dims.get("area_id", scope.area_id)
    if unit_id:
        params["unit"] = unit_id
    if area_id:
        params["area"] = area_id
    return f"{reverse('dossiers:list')}?{urlencode(params)}"


def _links(scope: kpi.Scope, **dims) -> dict[str, str]:
    return {figure: list_url(scope, figure, **dims) for figure in kpi.FIGURES}


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    require_figures(request.user)
    scope = _scope(request)
    now = selectors.now()
    total = selectors.figures(user=request.user, scope=scope, now=now)
    by_unit = [(u, f, _links(scope, unit_id=u.pk if u else None))
               for u, f in selectors.figures_by(user=request.user, scope=scope, by="unit", now=now) if u]
    by_area = [(a, f, _links(scope, area_id=a.pk)) for a, f in
               selectors.figures_by(user=request.user, scope=scope, by="area", now=now) if a is not None]
    return render(request, "dossiers/figures.html", {
        "scope": scope, "period": scope.period, "periods": _period_menu(scope.period), "total": total,
        "links": _links(scope), "by_unit": by_unit, "by_area": by_area,
        "unit": Unit.objects.filter(pk=scope.unit_id).first() if scope.unit_id else None,
        "area": Area.objects.filter(pk=scope.area_id).first() if scope.area_id else None,
        "can_import": policy.can_import_dossiers(request.user),
    })


@login_required
@require_GET
def dossier_list(request: HttpRequest) -> HttpResponse:
    require_figures(request.user)
    scope = _scope(request)
    figure = request.GET.get("figure", "received")
    if figure not in kpi.FIGURES:
        raise ValidationError(_("Unknown figure."), field="figure")
    qs = selectors.drilldown(user=request.user, scope=scope, figure=figure)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dossiers/list.html", {
        "page": page, "dossiers": page.object_list, "figure": figure, "figure_label": kpi.FIGURES[figure],
        "scope": scope, "period": scope.period, "now": selectors.now(),
        "unit": Unit.objects.filter(pk=scope.unit_id).first() if scope.unit_id else None,
        "area": Area.objects.filter(pk=scope.area_id).first() if scope.area_id else None,
        "back": f"{reverse('dossiers:figures')}?{urlencode({'period': scope.period.key})}",
    })


@login_required
@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A dossier for staff whose scope covers it: the facts, every step the city has seen
    (including the internal "overdue" one) — never the applicant's name or phone."""
    dossier = access_dossier(request.user, code)
    steps = [(s, DOSSIER.label(s.action)) for s in selectors.dossier_steps(dossier)]
    return render(request, "dossiers/detail.html", {
        "dossier": dossier, "steps": steps, "status_label": Status(dossier.status).label,
        "overdue": dossier.is_overdue(), "on_time": dossier.on_time,
        "back": request.GET.get("back", "") if url_has_allowed_host_and_scheme(
            request.GET.get("back", ""), allowed_hosts={request.get_host()}) else reverse("dossiers:figures"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    require_import(request.user)
    context: dict = {"fields": services.FIELDS, "required": services.REQUIRED}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError(_("Choose a CSV file."), field="file")
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("The file is larger than 20 MB: split the export."), field="file")
        try:
            run, result = services.dossiers_import_csv(data=upload.read(), name=upload.name, actor=request.user)
        except ValidationError as exc:
            context["file_error"] = exc.message
        else:
            context["run"], context["result"] = run, result
    context["runs"] = selectors.recent_runs()
    return render(request, "dossiers/import.html", context)
