"""Rescue-request access checks for views and services (rules live in opencity.policy)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from .models import RescueRequest


def access_request(user, request_id) -> RescueRequest:
    """Fetch a request the user may see, or raise NotFoundError (also for others' requests:
    their existence is not revealed)."""
    try:
        req = RescueRequest.objects.select_related("area", "assigned_team").get(pk=int(request_id))
    except (RescueRequest.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("This rescue request does not exist.")) from None
    if not policy.can_view_rescue(user, req):
        raise NotFoundError(_("This rescue request does not exist."))
    return req


def require_dispatcher(user) -> None:
    if not policy.can_dispatch_rescue(user):
        raise PermissionDeniedError(_("Only IOC operators dispatch rescue teams."))


def require_board(user) -> None:
    if not policy.can_view_dispatch_board(user):
        raise PermissionDeniedError()


def require_team(user, req: RescueRequest) -> None:
    if not policy.can_act_as_team(user, req):
        raise PermissionDeniedError(_("This request is not assigned to your team."))
