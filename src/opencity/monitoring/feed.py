"""Monitoring events on the console's live feed (``lib.feed``): each step of an event is a
happening of subject ``monitoring`` (``monitoring.raise``, ``monitoring.escalate``…), placed at
its station and ward. Payload: what the feed line shows — no one's personal data (a camera's
plate is a vehicle's, and stays off the feed). Connected in ``MonitoringConfig.ready``."""

from __future__ import annotations

from opencity.lib import feed

from .models import Severity

_FEED_SEVERITY = {Severity.INFO: feed.INFO, Severity.WARNING: feed.WARNING, Severity.URGENT: feed.URGENT}
_SHOWN = {"raise", "escalate", "clear", "acknowledge", "resolve", "to_report", "to_incident"}


def publish_event_step(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.action not in _SHOWN:
        return
    event = instance.event
    severity = _FEED_SEVERITY.get(event.severity, feed.WARNING) if instance.action in ("raise", "escalate") \
        else feed.INFO
    payload = {"title": event.title, "level": event.level_name, "status": event.status, "station_kind":
               event.station.kind if event.station_id else ""}
    if event.value is not None and instance.action in ("raise", "escalate", "clear"):
        payload["value"] = event.value
        payload["unit"] = instance.data.get("unit", "")
    feed.publish(kind=f"monitoring.{instance.action}", subject="monitoring", subject_id=event.pk, ref=event.ref,
                 area_id=event.area_id, lat=event.lat, lon=event.lon, severity=severity, payload=payload)
