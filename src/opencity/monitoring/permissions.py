"""Fetch-or-refuse for the monitoring pages: 403 for people who may not use the monitoring pages
at all, 404 for an event or a station that does not exist or is outside what the policy lets
this person see (a ward official asking for another ward's event learns nothing of it)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from .models import MonitoringEvent, Station


def require_monitoring(user) -> None:
    if not policy.can_view_monitoring(user):
        raise PermissionDeniedError()


def access_event(user, pk) -> MonitoringEvent:
    require_monitoring(user)
    event = (MonitoringEvent.objects.select_related("station", "datastream__observed_property", "rule", "area",
                                                    "acknowledged_by", "report", "incident")
             .filter(pk=pk).first())
    if event is None or not policy.can_view_monitoring_event(user, event):
        raise NotFoundError(_("This monitoring event does not exist."))
    return event


def access_station(user, code: str) -> Station:
    require_monitoring(user)
    station = Station.objects.filter(policy.station_scope_q(user), code=code).select_related("area", "source").first()
    if station is None:
        raise NotFoundError(_("This station does not exist."))
    return station
