"""Reads of command support, with the policy's bounds applied once: a ward's command sees its
ward's part only."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from opencity import policy

from .models import Incident, IncidentLink, LinkState, RosterEntry


def incident_list(*, user):
    """The incidents this person may open: all for the centre, leaders and the hotline; else
    those naming them on the roster or affecting their ward (a ward official)."""
    qs = Incident.objects.prefetch_related("areas").order_by("-started_at", "-id")
    scope = policy.incident_scope_q(user)
    return qs if scope is None else qs.filter(scope).distinct()


def incident_areas(incident, visible: frozenset[int] | None):
    qs = incident.areas.order_by("name").defer("boundary", "old_units")
    return qs if visible is None else qs.filter(pk__in=visible)


def incident_links(incident, visible=None):
    return (IncidentLink.objects.filter(incident=incident, state=LinkState.LINKED)
            .select_related("alert__latest", "rescue__area", "call", "report__area"))


def incident_proposals(incident):
    return (IncidentLink.objects.filter(incident=incident, state=LinkState.PROPOSED)
            .select_related("alert__latest", "rescue__area", "call", "report__area"))


def incident_roster(incident, visible: frozenset[int] | None):
    qs = RosterEntry.objects.filter(incident=incident).select_related("user", "area")
    return qs if visible is None else qs.filter(Q(area__isnull=True) | Q(area_id__in=visible))


def incident_log(incident, *, user):
    """The incident's log (ICS 214), newest first; internal entries only for its command."""
    qs = incident.events.select_related("actor").order_by("-created_at", "-id")
    if not policy.can_command_incident(user, incident):
        qs = qs.filter(is_public=True)
    return qs[:100]


def roster_candidates():
    """Staff who may be put on a command."""
    return get_user_model().objects.filter(policy.command_candidate_q()).order_by("full_name").only(
        "pk", "full_name", "role")


def starting_points(*, user) -> dict:
    """What an incident is often opened from, for the "open an incident" page: the warnings in
    force, and the open rescue requests by ward (to tick a cluster of them)."""
    from opencity.alerts.selectors import alert_list_in_force
    from opencity.emergency.models import OPEN_STATUSES, RescueRequest

    rescues = list(RescueRequest.objects.filter(status__in=OPEN_STATUSES).select_related("area")
                   .order_by("area__name", "created_at")[:300])
    return {"warnings": alert_list_in_force(user=user), "rescues": rescues}


def _point(lon, lat, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def incident_map(incident, *, visible: frozenset[int] | None) -> dict:
    """The incident map's layers as one GeoJSON FeatureCollection (``properties.layer``), with
    the ids of the affected wards and of its warnings' other wards (``wards``,
    ``warning_wards``: the base map draws the boundaries): rescue requests (open ones in its wards and
    the linked ones, by urgency), its teams where their phones last placed them, its open
    shelters with occupancy, its assets. Nothing about a person: no name, no phone.
    ``visible``: a ward's command sees its wards' part only."""
    from django.db.models import Q

    from opencity.alerts.models import Alert, Message
    from opencity.emergency.models import OPEN_STATUSES, RescueRequest
    from opencity.geo.models import LocationPrecision

    from .models import Asset, DeploymentStatus, Shelter
    from .selectors_shelters import with_figures, with_occupancy

    features: list[dict] = []
    wards = incident.areas.all() if visible is None else incident.areas.filter(pk__in=visible)
    ward_ids = set(wards.values_list("pk", flat=True))
    warning_ids: set[int] = set()
    if visible is None:
        alert_ids = incident.links.filter(kind="alert", state=LinkState.LINKED).values_list("alert_id", flat=True)
        latest = Alert.objects.filter(pk__in=alert_ids).values_list("latest_id", flat=True)
        warning_ids = set(Message.areas.through.objects.filter(message_id__in=latest)
                          .values_list("area_id", flat=True)) - ward_ids
    linked = incident.links.filter(kind="rescue", state=LinkState.LINKED).values_list("rescue_id", flat=True)
    rescues = RescueRequest.objects.filter(Q(status__in=OPEN_STATUSES, area_id__in=ward_ids) | Q(pk__in=linked))
    if visible is not None:
        rescues = rescues.filter(area_id__in=ward_ids)
    for r in rescues.exclude(lat=None):
        features.append(_point(r.lon, r.lat, layer="rescue", id=r.pk, label=f"{r.ref} · {r.people}",
                               status=r.status, open=r.is_open, urgency=r.urgency,
                               approx=r.location_precision != LocationPrecision.EXACT))
    deployments = incident.deployments.exclude(status=DeploymentStatus.DEMOBILIZED).select_related("team")
    if visible is not None:
        deployments = deployments.filter(area_id__in=ward_ids)
    for d in deployments:
        if d.team.last_lat is not None:
            features.append(_point(d.team.last_lon, d.team.last_lat, layer="team", id=d.pk, label=d.team.name,
                                   status=d.status, status_label=str(d.get_status_display())))
    shelters = Shelter.objects.filter(incident=incident, is_open=True)
    if visible is not None:
        shelters = shelters.filter(area_id__in=ward_ids)
    for sh in with_figures(with_occupancy(shelters)):  # the shelters' own figures of the moment
        features.append(_point(sh.lon, sh.lat, layer="shelter", id=sh.pk, label=sh.name,
                               present=sh.occupancy, capacity=sh.capacity))
    for a in Asset.objects.filter(incident=incident).exclude(lat=None):
        features.append(_point(a.lon, a.lat, layer="asset", id=a.pk, label=str(a), status=a.status))
    # the wards are drawn by the base map (reports:areas): only their ids, to colour them
    return {"type": "FeatureCollection", "features": features, "wards": sorted(ward_ids),
            "warning_wards": sorted(warning_ids)}
