"""Fetch-or-refuse for the press pages: 403 for people who may not read press items at all, 404
for an item that does not exist."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from .models import PressItem


def require_press(user) -> None:
    if not policy.can_view_press(user):
        raise PermissionDeniedError()


def require_press_action(user) -> None:
    if not policy.can_act_on_press(user):
        raise PermissionDeniedError()


def access_item(user, pk) -> PressItem:
    require_press(user)
    item = (PressItem.objects.select_related("source", "area", "category", "report", "duplicate_of")
            .prefetch_related("topics").filter(pk=pk).first())
    if item is None:
        raise NotFoundError(_("This press item does not exist."))
    return item
