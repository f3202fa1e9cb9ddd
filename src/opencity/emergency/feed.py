"""What a rescue request tells the console feed (``lib.feed``): every step of its history.
Connected in ``EmergencyConfig.ready``."""

from __future__ import annotations

from opencity.geo.models import LocationPrecision
from opencity.lib import feed

# a new request and an escalation are life-safety: the console shows them first and loud
_SEVERITY = {"file": feed.URGENT, "escalate": feed.URGENT, "cancel": feed.INFO}


def publish_rescue_event(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of ``RescueEvent``: one happening per step, in its transaction. Nothing about
    the person (name, phone) goes into it."""
    if not created or raw:
        return
    req = instance.request
    exact = req.location_precision == LocationPrecision.EXACT and req.lat is not None
    feed.publish(kind=f"rescue.{instance.action}", subject="rescue", subject_id=req.pk, ref=req.ref,
                 area_id=req.area_id, lat=req.lat if exact else None, lon=req.lon if exact else None,
                 severity=_SEVERITY.get(instance.action, feed.WARNING),
                 payload={"status": req.status, "people": req.people})
