"""Template context shared by every page."""

import functools

from django.conf import settings


def site(request):
    from opencity import policy

    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from opencity.notifications.selectors import notification_unread_count

        unread = notification_unread_count(user=user)
    return {
        "unread_count": unread,
        "SITE_NAME": settings.SITE_NAME,
        "HOTLINE_NUMBER": settings.OPENCITY_HOTLINE_NUMBER,
        "MAP_TILE_URL": settings.OPENCITY_MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.OPENCITY_MAP_TILE_ATTRIBUTION,
        "nav": policy.navigation(user) if user is not None else {},
        # The navigation's badge: counted only if a template shows it, once per page.
        "warnings_in_force": functools.cache(_warnings_in_force),
    }


def _warnings_in_force() -> int:
    from opencity.alerts.selectors import alert_count_in_force

    return alert_count_in_force()
