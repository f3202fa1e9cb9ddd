"""Reads on rescue requests and teams."""

from __future__ import annotations

from django.utils import timezone

from opencity import policy
from opencity.geo.models import LocationPrecision

from .models import OPEN_STATUSES, RescueEvent, RescueRequest, RescueTeam, Status, TeamStatus


def rescue_board_list(*, user) -> list[RescueRequest]:
    """Open requests, most urgent first (needs and people, then waiting time), then oldest."""
    if not policy.can_view_dispatch_board(user):
        return []
    now = timezone.now()
    rows = list(RescueRequest.objects.filter(status__in=OPEN_STATUSES)
                .select_related("area", "assigned_team", "requester").prefetch_related("photos"))
    rows.sort(key=lambda r: (-r.score(now), r.created_at, r.pk))
    return rows


def rescue_teams_available():
    return RescueTeam.objects.filter(status=TeamStatus.AVAILABLE)


def rescue_team_list():
    return RescueTeam.objects.select_related("unit").all()


def rescue_list_for_member(*, user):
    return (RescueRequest.objects.filter(assigned_team__members=user,
                                         status__in=(Status.ASSIGNED, Status.DISPATCHED, Status.ON_SCENE))
            .select_related("area", "assigned_team", "requester").order_by("assigned_at", "pk").distinct())


def rescue_list_mine(*, user):
    return RescueRequest.objects.filter(requester=user).select_related("area").order_by("-created_at")[:20]


def rescue_list_open_mine(*, user) -> list[RescueRequest]:
    """The person's own requests still open: shown before they ask again (a second emergency is
    possible, a duplicate of the first is not what anyone needs)."""
    return list(RescueRequest.objects.filter(requester=user, status__in=OPEN_STATUSES).select_related("area")
                .order_by("-created_at"))


def rescue_events_public(req: RescueRequest) -> list[RescueEvent]:
    return list(req.events.filter(is_public=True))


def rescue_board_geojson(*, user) -> dict:
    features = []
    for t in RescueTeam.objects.exclude(last_lat=None).exclude(status=TeamStatus.OFF):
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [t.last_lon, t.last_lat]},
                         "properties": {"kind": "team", "id": t.pk, "label": t.name, "status": t.status}})
    for r in rescue_board_list(user=user):
        if r.lat is None or r.lon is None:  # a call-back request without a place: on the list only
            continue
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                         "properties": {"kind": "request", "id": r.pk, "label": f"{r.ref} · {r.people}",
                                        "status": r.status, "needs": r.needs,
                                        "approx": r.location_precision != LocationPrecision.EXACT}})
    return {"type": "FeatureCollection", "features": features}
