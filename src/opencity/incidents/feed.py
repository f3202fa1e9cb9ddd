"""The incidents app and the console feed (``lib.feed``), both ways.

- It publishes: every step of an incident, of its tasks and of its teams is a happening of
  subject ``incident`` (``incident.open``, ``incident.task_done``, ``incident.team_mobilize``…).
- It listens: a rescue request filed, a field report submitted or a warning issued in the wards
  of an open incident, after its start, is proposed for linking (``services.incident_propose``).
  The listener runs in the arrival's transaction, inside a savepoint: whatever goes wrong here
  is logged and never stops the arrival itself (a rescue request must always go through).

Connected in ``IncidentsConfig.ready``.
"""

from __future__ import annotations

import logging

from django.db import transaction

from opencity.lib import feed

logger = logging.getLogger(__name__)

_URGENT = {"open_active", "activate"}


def publish_incident_event(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    incident = instance.incident
    feed.publish(kind=f"incident.{instance.action}", subject="incident", subject_id=incident.pk, ref=incident.ref,
                 severity=feed.URGENT if instance.action in _URGENT else feed.WARNING,
                 payload={"status": incident.status, "name": incident.name, "exercise": incident.is_exercise})


def publish_task_event(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    task = instance.task
    incident = task.incident
    feed.publish(kind=f"incident.task_{instance.action}", subject="incident", subject_id=incident.pk,
                 ref=incident.ref, area_id=task.area_id, lat=task.lat, lon=task.lon,
                 severity=feed.URGENT if task.priority >= 3 else feed.INFO,
                 payload={"task": task.title, "status": task.status, "exercise": incident.is_exercise})


def publish_deployment_event(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    deployment = instance.deployment
    incident = deployment.incident
    feed.publish(kind=f"incident.team_{instance.action}", subject="incident", subject_id=incident.pk,
                 ref=incident.ref, area_id=deployment.area_id, severity=feed.INFO,
                 payload={"team": deployment.team.name, "status": deployment.status,
                          "exercise": incident.is_exercise})


def propose_arrivals(sender, happening: feed.Happening, **kwargs) -> None:
    """``lib.feed.happened``: new rescue requests, field reports and warnings of an open
    incident's wards are proposed for linking."""
    if happening.kind not in ("rescue.file", "report.submit", "alert.alert"):
        return
    try:
        with transaction.atomic():
            _propose(happening)
    except Exception:  # noqa: BLE001 — a proposal must never stop the arrival
        logger.exception("could not propose %s %s for an incident", happening.subject, happening.subject_id)


def _propose(happening: feed.Happening) -> None:
    from django.utils import timezone

    from opencity.alerts.models import Alert
    from opencity.emergency.models import RescueRequest
    from opencity.reports.models import Report

    from .services import incident_propose

    now = timezone.now()
    if happening.subject == "rescue":
        target = RescueRequest.objects.filter(pk=happening.subject_id).first()
        if target is not None:
            incident_propose(kind="rescue", target=target, area_id=target.area_id, at=target.created_at)
    elif happening.subject == "report":
        target = Report.objects.filter(pk=happening.subject_id).first()
        if target is not None:
            incident_propose(kind="report", target=target, area_id=target.area_id, at=target.created_at)
    elif happening.subject == "alert":
        alert = Alert.objects.select_related("latest").filter(pk=happening.subject_id).first()
        if alert is not None and alert.latest is not None:
            for area_id in alert.latest.areas.values_list("pk", flat=True):
                incident_propose(kind="alert", target=alert, area_id=area_id, at=now)
