"""Reads of the task board, the teams, assets and stock, bounded once by what the reader may
see (``policy.visible_ward_ids``: None for the whole incident, else the reader's wards)."""

from __future__ import annotations

from collections import Counter

from django.db.models import Q, Sum
from django.utils import timezone

from opencity.emergency.models import RescueTeam

from .models import (
    Asset,
    Deployment,
    DeploymentStatus,
    StockEntry,
    StockItem,
    StockMove,
    Task,
    TaskPriority,
    TaskStatus,
)
from .workflow import TASK_OPEN

# A task is given to a team that is with the incident (not only requested, not gone home).
WORKING_TEAM = (DeploymentStatus.ASSIGNED, DeploymentStatus.STANDBY, DeploymentStatus.MOBILIZED,
                DeploymentStatus.IN_ACTION)
BOARD_COLUMNS = (TaskStatus.OPEN, TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.DONE)


def _ward_q(visible: frozenset[int] | None, *, city_too: bool = False) -> Q:
    if visible is None:
        return Q()
    return Q(area_id__in=visible) | Q(area__isnull=True) if city_too else Q(area_id__in=visible)


def task_list(incident, visible: frozenset[int] | None, *, deployment_id: int | None = None,
              area_id: int | None = None, statuses=None):
    """The incident's tasks the reader sees (a ward's command: its wards' only)."""
    qs = (Task.objects.filter(incident=incident).filter(_ward_q(visible))
          .select_related("area", "deployment__team", "period", "rescue"))
    if deployment_id is not None:
        qs = qs.filter(deployment_id=deployment_id)
    if area_id is not None:
        qs = qs.filter(area_id=area_id)
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    return qs.order_by("-priority", "due_at", "id")


def board_columns(tasks) -> list[tuple[str, str, list[Task]]]:
    """The board's columns: (status, label, tasks), cancelled tasks left out."""
    by_status: dict[str, list[Task]] = {s: [] for s in BOARD_COLUMNS}
    for task in tasks:
        if task.status in by_status:
            by_status[task.status].append(task)
    return [(s, TaskStatus(s).label, by_status[s]) for s in BOARD_COLUMNS]


def is_overdue(task: Task, now=None) -> bool:
    return task.due_at is not None and task.status in TASK_OPEN and task.due_at < (now or timezone.now())


def deployment_list(incident, visible: frozenset[int] | None):
    """The incident's teams the reader sees: its wards' and the city-level ones."""
    return (Deployment.objects.filter(incident=incident).filter(_ward_q(visible, city_too=True))
            .select_related("team", "area").order_by("team__name"))


def working_teams(deployments) -> list[Deployment]:
    """The teams a task can be given to: with the incident, not only requested nor gone home."""
    return [d for d in deployments if d.status in WORKING_TEAM]


def requestable_teams(incident):
    """Teams not yet on the incident's list."""
    return RescueTeam.objects.exclude(deployments__incident=incident).order_by("kind", "name").only(
        "pk", "name", "kind")


def board_summary(incident, visible: frozenset[int] | None) -> dict:
    """For the incident page: tasks by status, the urgent and the overdue open ones, teams by
    status."""
    tasks = list(task_list(incident, visible))
    now = timezone.now()
    counts = Counter(t.status for t in tasks)
    open_tasks = [t for t in tasks if t.status in TASK_OPEN]
    deployments = list(deployment_list(incident, visible))
    team_counts = Counter(d.status for d in deployments)
    return {
        "task_counts": [(s, TaskStatus(s).label, counts.get(s, 0)) for s in BOARD_COLUMNS],
        "urgent_tasks": [t for t in open_tasks if t.priority >= TaskPriority.URGENT][:5],
        "overdue_tasks": [t for t in open_tasks if is_overdue(t, now)][:5],
        "team_counts": [(s, DeploymentStatus(s).label, team_counts[s]) for s in DeploymentStatus.values
                        if team_counts.get(s)],
        "deployments": deployments,
        "now": now,
    }


def asset_list(incident):
    """The assets with this incident and those free to be given to it (the others are with
    another incident, under repair elsewhere or lost: shown with their status too)."""
    return (Asset.objects.filter(Q(incident=incident) | Q(incident__isnull=True))
            .select_related("deployment__team", "unit").order_by("kind", "name"))


def stock_table(incident, visible: frozenset[int] | None) -> list[dict]:
    """Per item: needs, requisitions, received, issued and on hand (received − issued) of the
    whole incident's book — the store is the city's — and the needs of the reader's wards."""
    rows = (StockEntry.objects.filter(incident=incident).values("item", "move").annotate(n=Sum("quantity")))
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        totals.setdefault(row["item"], {})[row["move"]] = row["n"] or 0
    table = []
    for item in StockItem:
        t = totals.get(item.value, {})
        table.append({"item": item.value, "label": item.label, "need": t.get(StockMove.NEED, 0),
                      "requisition": t.get(StockMove.REQUISITION, 0), "received": t.get(StockMove.RECEIPT, 0),
                      "issued": t.get(StockMove.ISSUE, 0),
                      "on_hand": t.get(StockMove.RECEIPT, 0) - t.get(StockMove.ISSUE, 0)})
    return table


def stock_entries(incident, visible: frozenset[int] | None, *, limit: int = 50):
    """The latest lines of the book the reader sees (its wards' and the city store's)."""
    visible_q = Q() if visible is None else Q(area__isnull=True) | Q(area_id__in=visible)
    return (StockEntry.objects.filter(incident=incident).filter(visible_q)
            .select_related("area", "shelter").order_by("-created_at", "-id")[:limit])


