"""Access checks for the privacy centre's views (the rules are in opencity.policy)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from .models import DataSubjectRequest, RequestKind


def require_privacy_officer(user) -> None:
    if not policy.can_handle_privacy(user):
        raise PermissionDeniedError(_("The privacy register is for the city's privacy officers."))


def access_export(user, request_id) -> DataSubjectRequest:
    """One's own answered export request, or 404 (another person's export does not exist for you)."""
    try:
        return DataSubjectRequest.objects.select_related("user").get(
            pk=int(request_id), user=user, user__is_active=True, kind=RequestKind.EXPORT, status="answered")
    except (DataSubjectRequest.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("This export does not exist.")) from None
