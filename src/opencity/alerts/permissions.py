"""Warning access checks for views (rules live in opencity.policy)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from .models import Alert, Message, MessageStatus


def _visible(user, status: str) -> bool:
    return status == MessageStatus.ACTUAL or policy.can_issue_warnings(user)


def access_alert(user, alert_id) -> Alert:
    """Fetch a warning the user may see, or raise NotFoundError."""
    try:
        alert = Alert.objects.select_related("latest", "unit").get(pk=int(alert_id), latest__isnull=False)
    except (Alert.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("This warning does not exist.")) from None
    if not _visible(user, alert.status):
        raise NotFoundError(_("This warning does not exist."))
    return alert


def access_alert_to_manage(user, alert_id) -> Alert:
    alert = access_alert(user, alert_id)
    if not policy.can_manage_warning(user, alert):
        raise PermissionDeniedError(_("You are not allowed to change this warning."))
    return alert


def access_alert_stats(user, alert_id) -> Alert:
    alert = access_alert(user, alert_id)
    if not policy.can_view_warning_stats(user, alert):
        raise PermissionDeniedError()
    return alert


def access_message(user, message_id) -> Message:
    try:
        message = Message.objects.select_related("alert").get(pk=int(message_id))
    except (Message.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("This warning does not exist.")) from None
    if not _visible(user, message.status):
        raise NotFoundError(_("This warning does not exist."))
    return message


def require_composer(user) -> None:
    if not policy.can_issue_warnings(user):
        raise PermissionDeniedError(_("You are not allowed to issue warnings."))


def can_manage(user, alert: Alert) -> bool:
    return policy.can_manage_warning(user, alert)


def can_view_stats(user, alert: Alert) -> bool:
    return policy.can_view_warning_stats(user, alert)
