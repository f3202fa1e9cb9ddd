"""Template context shared by every page.

It lives above the apps (like ``views.py`` and ``urls.py``): the navigation's figures come from
several apps (the unread notifications, the warnings in force, the role's menu from
``policy``), and no single app, nor ``lib`` at the bottom, should import them all.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest

from opencity import policy
from opencity.alerts.selectors import alert_count_in_force
from opencity.notifications.selectors import notification_unread_count


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = notification_unread_count(user=user)
    return {
        "unread_count": unread,
        "SITE_NAME": settings.SITE_NAME,
        "HOTLINE_NUMBER": settings.OPENCITY_HOTLINE_NUMBER,
        "MAP_TILE_URL": settings.OPENCITY_MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.OPENCITY_MAP_TILE_ATTRIBUTION,
        "nav": policy.navigation(user) if user is not None else {},
        # The navigation's badge: counted only if a template shows it, once per page.
        "warnings_in_force": functools.cache(alert_count_in_force),
    }
