"""Fetch-or-refuse for the incident pages and the API: 404 for what does not exist, 403 for
what the policy does not let this person see."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from .models import Incident


def access_incident(user, pk) -> Incident:
    incident = Incident.objects.filter(pk=pk).first()
    if incident is None:
        raise NotFoundError(_("This incident does not exist."))
    if not policy.can_view_incident(user, incident):
        raise PermissionDeniedError()
    return incident
