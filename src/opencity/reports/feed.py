"""What a report tells the console feed (``lib.feed``): every step of its timeline, and each
recount of the figures. Connected in ``ReportsConfig.ready``; the console is a subscriber, not
something the reports know."""

from __future__ import annotations

from opencity.geo.models import LocationPrecision
from opencity.lib import feed

# steps a control room should notice; the rest are information
_SEVERITY = {"escalate": feed.WARNING, "dispute": feed.WARNING, "reopen": feed.WARNING}


def publish_timeline_event(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of ``TimelineEvent``: one happening per transition or action, in its transaction."""
    if not created or raw:
        return
    report = instance.report
    exact = report.location_precision == LocationPrecision.EXACT
    feed.publish(kind=f"report.{instance.action}", subject="report", subject_id=report.pk, ref=report.ref,
                 area_id=report.area_id, unit_id=report.unit_id,
                 lat=report.lat if exact else None, lon=report.lon if exact else None,
                 severity=_SEVERITY.get(instance.action, feed.INFO),
                 payload={"status": report.status, "from": instance.from_status, "to": instance.to_status,
                          "category": report.category_id})


def publish_figures_refreshed(sender, days, **kwargs) -> None:
    """``kpi.rollups_refreshed``: the figures of these days were recounted."""
    feed.publish(kind="kpi.refreshed", subject="kpi", payload={"days": [d.isoformat() for d in days]})
