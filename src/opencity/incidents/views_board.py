"""The task board (``/incidents/<pk>/board/``) and the assets and stock page
(``/incidents/<pk>/resources/``), with their actions.

Views parse and render; who may and the rules are in ``policy`` and ``services/board.py``.
Refusals are raised (the error middleware answers them); the forms with typed input are shown
again with their errors (400)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError, form_error
from opencity.lib.params import BadParameter, posted_version, require_id, safe_next

from . import selectors, selectors_board, services, workflow
from .forms_board import MOVE_LABELS, AssetForm, DeploymentForm, StockForm, TaskForm
from .models import Asset, Deployment, Shelter, Task
from .permissions import access_incident

TASK_BUTTONS = ("start", "done")
# What the buttons say (the log says what happened: ``workflow``'s labels).
BUTTONS = {
    "task": {"start": gettext_lazy("Start"), "done": gettext_lazy("Mark done")},
    "team": {"assign": gettext_lazy("Assign to the incident"), "standby": gettext_lazy("Put on standby"),
             "mobilize": gettext_lazy("Mobilise (call out)"), "act": gettext_lazy("In action"),
             "demobilize": gettext_lazy("Demobilise")},
    "asset": {"assign": gettext_lazy("Assign"), "return": gettext_lazy("Return"),
              "repair": gettext_lazy("Send for repair"), "repaired": gettext_lazy("Repaired"),
              "lose": gettext_lazy("Report lost"), "found": gettext_lazy("Found")},
}


def _filter_id(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    try:
        return require_id(raw, field=name)
    except BadParameter as exc:
        raise ValidationError(exc.message, field=name) from None


def _board_url(pk: int) -> str:
    return reverse("incidents:board", args=[pk])


def _back(request, pk: int, anchor: str = "") -> HttpResponse:
    """To the page the form was on (the board with its filters), else the board."""
    return redirect(safe_next(request, request.POST.get("next"), _board_url(pk)) + (f"#{anchor}" if anchor else ""))


def _areas(incident, user):
    """The incident's wards this person may put a task, a team or a stock line in."""
    areas = selectors.incident_areas(incident, policy.visible_ward_ids(user, incident))
    return [a for a in areas if policy.can_edit_ward_part(user, incident, a.pk)]


def _decorate(tasks, user, incident, working) -> list[Task]:
    """Each card's next steps for this reader, and whether it is overdue."""
    now = timezone.now()
    for task in tasks:
        editable = (incident.is_open and task.status in workflow.TASK_OPEN
                    and policy.can_edit_ward_part(user, incident, task.area_id))
        task.editable = editable
        task.overdue = selectors_board.is_overdue(task, now)
        task.buttons = [(a, BUTTONS["task"][a]) for a in TASK_BUTTONS
                        if editable and workflow.TASK.allowed(task, a) and (task.deployment_id or a not in TASK_BUTTONS)]
        task.can_assign = editable and workflow.TASK.allowed(task, "assign") and bool(working)
        task.teams = [d for d in working if d.area_id in (None, task.area_id)
                      or policy.can_edit_ward_part(user, incident, d.area_id)] if task.can_assign else []
    return tasks


def _deployment_actions(deployments, user, incident) -> list[Deployment]:
    for d in deployments:
        may = policy.can_edit_ward_part(user, incident, d.area_id)
        actions = ("assign", "standby", "mobilize", "act", "demobilize") if incident.is_open else ("demobilize",)
        d.actions = [(a, BUTTONS["team"][a]) for a in actions if may and workflow.DEPLOYMENT.allowed(d, a)]
    return deployments


def board_context(request, incident, *, task_form=None, team_form=None) -> dict:
    user = request.user
    visible = policy.visible_ward_ids(user, incident)
    team_filter, area_filter = _filter_id(request, "team"), _filter_id(request, "area")
    deployments = _deployment_actions(list(selectors_board.deployment_list(incident, visible)), user, incident)
    working = selectors_board.working_teams(deployments)
    tasks = _decorate(list(selectors_board.task_list(incident, visible, deployment_id=team_filter,
                                                     area_id=area_filter)), user, incident, working)
    areas = _areas(incident, user)
    commands = policy.can_command_incident(user, incident)
    can_edit = incident.is_open and policy.can_edit_any_ward(user, incident)
    return {
        "incident": incident,
        "columns": selectors_board.board_columns(tasks),
        "cancelled": [t for t in tasks if t.status == "cancelled"],
        "deployments": deployments,
        "wards": selectors.incident_areas(incident, visible),
        "team_filter": team_filter, "area_filter": area_filter,
        "filtered": team_filter is not None or area_filter is not None,
        "can_edit": can_edit,
        "task_form": task_form or TaskForm(areas=areas, periods=incident.periods.all(), city_level=commands),
        "team_form": team_form or DeploymentForm(teams=selectors_board.requestable_teams(incident), areas=areas,
                                                 city_level=commands),
        "here": request.get_full_path(),
        "map_center": settings.OPENCITY_MAP_CENTER,
    }


@login_required
@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access_incident(request.user, pk)
    return render(request, "incidents/board/board.html", board_context(request, incident))


@login_required
@require_POST
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access_incident(request.user, pk)
    if not policy.can_edit_any_ward(request.user, incident):
        raise PermissionDeniedError()
    commands = policy.can_command_incident(request.user, incident)
    form = TaskForm(request.POST, areas=_areas(incident, request.user), periods=incident.periods.all(),
                    city_level=commands)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            task = services.task_create(
                actor=request.user, incident_id=pk, title=d["title"], place=d["place"], area_id=d["area"],
                lat=d["lat"], lon=d["lon"], priority=d["priority"], due_at=d["due_at"], period_id=d["period"],
                rescue_id=d["rescue"], client_token=d["client_token"])
        except ValidationError as exc:
            form_error(form, exc, {"area_id": "area", "period_id": "period", "rescue_id": "rescue"})
            status = exc.http_status
        else:
            messages.success(request, _("The task “%(title)s” is on the board.") % {"title": task.title})
            return _back(request, pk)
    return render(request, "incidents/board/board.html", board_context(request, incident, task_form=form),
                  status=status)


def _task(incident, task_id) -> Task:
    task = Task.objects.filter(pk=task_id, incident=incident).select_related("area", "deployment__team").first()
    if task is None or not _sees_ward(incident, task.area_id):
        raise NotFoundError(_("This task does not exist."))
    return task


def _sees_ward(incident, area_id) -> bool:
    visible = incident.__dict__.get("_visible_for_board")
    return visible is None or area_id in visible


def _access(request, pk):
    incident = access_incident(request.user, pk)
    incident.__dict__["_visible_for_board"] = policy.visible_ward_ids(request.user, incident)
    return incident


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    incident = _access(request, pk)
    task = _task(incident, task_id)
    if not policy.can_edit_ward_part(request.user, incident, task.area_id):
        raise PermissionDeniedError()
    commands = policy.can_command_incident(request.user, incident)
    initial = {"title": task.title, "place": task.place, "area": task.area_id or "", "priority": task.priority,
               "due_at": timezone.localtime(task.due_at) if task.due_at else None, "period": task.period_id or "",
               "rescue": task.rescue.ref if task.rescue_id else "", "lat": task.lat or "", "lon": task.lon or ""}
    kwargs = {"areas": _areas(incident, request.user), "periods": incident.periods.all(), "city_level": commands}
    form = TaskForm(request.POST or None, initial=initial, **kwargs)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.task_update(
                    actor=request.user, task_id=task.pk, title=d["title"], place=d["place"], area_id=d["area"],
                    lat=d["lat"], lon=d["lon"], priority=d["priority"], due_at=d["due_at"], period_id=d["period"],
                    rescue_id=d["rescue"], expected_version=posted_version(request))
            except ValidationError as exc:
                form_error(form, exc, {"area_id": "area", "period_id": "period", "rescue_id": "rescue"})
                status = exc.http_status
            else:
                messages.success(request, _("The task was changed."))
                return _back(request, pk)
    return render(request, "incidents/board/task_edit.html",
                  {"incident": incident, "task": task, "form": form, "map_center": settings.OPENCITY_MAP_CENTER},
                  status=status)


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    incident = _access(request, pk)
    task = _task(incident, task_id)
    task = services.task_transition(actor=request.user, task_id=task.pk, action=request.POST.get("action", ""),
                                    deployment_id=request.POST.get("deployment"), note=request.POST.get("note", ""),
                                    expected_version=posted_version(request))
    messages.success(request, _("“%(title)s”: %(status)s.") % {"title": task.title,
                                                                "status": task.get_status_display()})
    return _back(request, pk)


@login_required
@require_POST
def team_new(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access_incident(request.user, pk)
    form = DeploymentForm(request.POST, teams=selectors_board.requestable_teams(incident),
                          areas=_areas(incident, request.user),
                          city_level=policy.can_command_incident(request.user, incident))
    if not form.is_valid():
        raise ValidationError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    d = form.cleaned_data
    deployment = services.deployment_request(actor=request.user, incident_id=pk, team_id=d["team"],
                                             area_id=d["area"], people=d["people"])
    messages.success(request, _("%(team)s was requested.") % {"team": deployment.team.name})
    return _back(request, pk, "teams")


@login_required
@require_POST
def team_action(request: HttpRequest, pk: int, deployment_id: int) -> HttpResponse:
    incident = _access(request, pk)
    deployment = Deployment.objects.filter(pk=deployment_id, incident=incident).first()
    if deployment is None or (deployment.area_id is not None and not _sees_ward(incident, deployment.area_id)):
        raise NotFoundError(_("This team is not in the incident."))
    deployment = services.deployment_transition(actor=request.user, deployment_id=deployment.pk,
                                                action=request.POST.get("action", ""),
                                                note=request.POST.get("note", ""), expected_version=posted_version(request))
    if deployment.status == "mobilized":
        messages.success(request, _("%(team)s is mobilised: its members were called out by push and SMS.") % {
            "team": deployment.team.name})
    else:
        messages.success(request, _("%(team)s: %(status)s.") % {"team": deployment.team.name,
                                                                 "status": deployment.get_status_display()})
    return _back(request, pk, "teams")


# --- assets and stock ---------------------------------------------------------------------------


def resources_context(request, incident, *, stock_form=None, asset_form=None) -> dict:
    user = request.user
    visible = policy.visible_ward_ids(user, incident)
    commands = policy.can_command_incident(user, incident)
    deployments = list(selectors_board.deployment_list(incident, visible))
    assets = list(selectors_board.asset_list(incident))
    for asset in assets:
        asset.actions = [(a, BUTTONS["asset"][a]) for a in ("assign", "return", "repair", "repaired", "lose",
                                                            "found")
                         if commands and workflow.ASSET.allowed(asset, a) and (a != "assign" or incident.is_open)]
    shelters = Shelter.objects.filter(incident=incident).order_by("name")
    if visible is not None:
        shelters = shelters.filter(area_id__in=visible)
    return {
        "incident": incident,
        "assets": assets,
        "working": selectors_board.working_teams(deployments),
        "stock": selectors_board.stock_table(incident, visible),
        "entries": [_labelled(e) for e in selectors_board.stock_entries(incident, visible)],
        "commands": commands,
        "can_stock": incident.is_open and policy.can_edit_any_ward(user, incident),
        "stock_form": stock_form or StockForm(areas=_areas(incident, user), shelters=shelters, city_level=commands),
        "asset_form": asset_form or AssetForm(),
    }


def _labelled(entry):
    entry.move_label = MOVE_LABELS.get(entry.move, entry.move)
    return entry


@login_required
@require_GET
def resources(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access_incident(request.user, pk)
    return render(request, "incidents/board/resources.html", resources_context(request, incident))


def _resources_url(pk: int, anchor: str) -> HttpResponse:
    return redirect(reverse("incidents:resources", args=[pk]) + f"#{anchor}")


@login_required
@require_POST
def stock_new(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access_incident(request.user, pk)
    if not policy.can_edit_any_ward(request.user, incident):
        raise PermissionDeniedError()
    shelters = Shelter.objects.filter(incident=incident)
    form = StockForm(request.POST, areas=_areas(incident, request.user), shelters=shelters,
                     city_level=policy.can_command_incident(request.user, incident))
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.stock_add(actor=request.user, incident_id=pk, item=d["item"], move=d["move"],
                               quantity=d["quantity"], area_id=d["area"], shelter_id=d["shelter"], note=d["note"],
                               client_token=d["client_token"])
        except ValidationError as exc:
            form_error(form, exc, {"area_id": "area", "shelter_id": "shelter"})
            status = exc.http_status
        else:
            messages.success(request, _("Entered in the stock book."))
            return _resources_url(pk, "stock")
    return render(request, "incidents/board/resources.html",
                  resources_context(request, incident, stock_form=form), status=status)


@login_required
@require_POST
def asset_new(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access_incident(request.user, pk)
    if not policy.can_command_incident(request.user, incident):
        raise PermissionDeniedError()
    form = AssetForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            asset = services.asset_add(actor=request.user, incident_id=pk, kind=d["kind"], name=d["name"],
                                       code=d["code"])
        except ValidationError as exc:
            form_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("%(asset)s is on the list.") % {"asset": asset})
            return _resources_url(pk, "assets")
    return render(request, "incidents/board/resources.html",
                  resources_context(request, incident, asset_form=form), status=status)


@login_required
@require_POST
def asset_action(request: HttpRequest, pk: int, asset_id: int) -> HttpResponse:
    access_incident(request.user, pk)
    if not Asset.objects.filter(pk=asset_id).exists():
        raise NotFoundError(_("This asset does not exist."))
    asset = services.asset_transition(actor=request.user, incident_id=pk, asset_id=asset_id,
                                      action=request.POST.get("action", ""),
                                      deployment_id=request.POST.get("deployment"),
                                      note=request.POST.get("note", ""), expected_version=posted_version(request))
    messages.success(request, _("%(asset)s: %(status)s.") % {"asset": asset, "status": asset.get_status_display()})
    return _resources_url(pk, "assets")
