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
            .select_related("alert", "rescue", "call", "report", "rescue__area", "report__area"))


def incident_proposals(incident):
    return (IncidentLink.objects.filter(incident=incident, state=LinkState.PROPOSED)
            .select_related("alert", "rescue", "call", "report", "rescue__area", "report__area"))


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
