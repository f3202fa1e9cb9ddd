"""Hotline access checks for views and services (the rules live in opencity.policy)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from .models import Call, CallBack


def can_use_console(user) -> bool:
    return policy.can_use_hotline(user)


def can_view_counts(user) -> bool:
    return policy.can_view_hotline_counts(user)


def require_console(user) -> None:
    if not policy.can_use_hotline(user):
        raise PermissionDeniedError(_("Only hotline and IOC operators use the hotline console."))


def require_counts(user) -> None:
    if not policy.can_view_hotline_counts(user):
        raise PermissionDeniedError()


def access_call(user, call_id) -> Call:
    """Fetch a call for a console user, or raise (PermissionDeniedError first: people outside the
    hotline learn nothing about calls)."""
    require_console(user)
    try:
        return Call.objects.select_related("caller", "operator", "parent").get(pk=int(call_id))
    except (Call.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("This call does not exist.")) from None


def access_callback(user, callback_id) -> CallBack:
    require_console(user)
    try:
        return CallBack.objects.select_related("call", "assigned_to").get(pk=int(callback_id))
    except (CallBack.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("This call-back does not exist.")) from None
