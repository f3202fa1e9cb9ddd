"""Reads of the privacy centre, with the acting person: a citizen reads only their own rows,
the registers only a privacy officer (``permissions.require_privacy_officer``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from .models import OPEN_REQUEST_STATUSES, Breach, DataSubjectRequest, ProcessingRecord
from .permissions import require_privacy_officer


def privacy_request_list(*, user) -> QuerySet[DataSubjectRequest]:
    """The person's own requests, newest first."""
    return DataSubjectRequest.objects.filter(user=user).order_by("-received_at", "-id")


@dataclass(frozen=True)
class RegisterCounts:
    open: int
    overdue: int
    answered: int
    refused: int


def privacy_request_register(*, actor, status: str = "") -> QuerySet[DataSubjectRequest]:
    """The register: open requests first by deadline (so the overdue ones lead), then the rest."""
    require_privacy_officer(actor)
    rows = DataSubjectRequest.objects.select_related("user")
    if status == "open":
        rows = rows.filter(status__in=OPEN_REQUEST_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    return rows.annotate(closed=Case(When(status__in=OPEN_REQUEST_STATUSES, then=Value(0)), default=Value(1),
                                     output_field=IntegerField())).order_by("closed", "due_at", "-answered_at", "id")


def privacy_register_counts(*, actor) -> RegisterCounts:
    require_privacy_officer(actor)
    rows = DataSubjectRequest.objects
    now = timezone.now()
    return RegisterCounts(
        open=rows.filter(status__in=OPEN_REQUEST_STATUSES).count(),
        overdue=rows.filter(status__in=OPEN_REQUEST_STATUSES, due_at__lt=now).count(),
        answered=rows.filter(status="answered").count(),
        refused=rows.filter(status="refused").count(),
    )


def privacy_request_get(*, actor, request_id: int) -> DataSubjectRequest:
    require_privacy_officer(actor)
    from django.shortcuts import get_object_or_404

    return get_object_or_404(DataSubjectRequest.objects.select_related("user"), pk=request_id)


def breach_list(*, actor) -> QuerySet[Breach]:
    require_privacy_officer(actor)
    return Breach.objects.all()


def breach_get(*, actor, breach_id: int) -> Breach:
    require_privacy_officer(actor)
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Breach, pk=breach_id)


def processing_record_list(*, actor) -> QuerySet[ProcessingRecord]:
    require_privacy_officer(actor)
    return ProcessingRecord.objects.filter(is_active=True)
