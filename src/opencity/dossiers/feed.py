"""Overdue dossiers on the console's live feed (``lib.feed``): the ``overdue`` step of a dossier
is a happening of subject ``dossier`` (``dossier.overdue``), placed at its ward and agency. The
payload is what the feed line shows — the code, the procedure, the due date — never the
applicant's name or phone. Connected in ``DossiersConfig.ready``."""

from __future__ import annotations

from django.utils import timezone

from opencity.lib import feed
from opencity.lib.worktime import TZ


def publish_overdue(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.action != "overdue":
        return
    dossier = instance.dossier
    due = timezone.localtime(dossier.due_at, TZ) if dossier.due_at else None
    feed.publish(kind="dossier.overdue", subject="dossier", subject_id=dossier.pk, ref=dossier.code,
                 area_id=dossier.area_id, unit_id=dossier.unit_id, severity=feed.WARNING,
                 payload={"title": dossier.procedure_name[:120], "due": f"{due:%d/%m/%Y %H:%M}" if due else "",
                          "status": dossier.status})
