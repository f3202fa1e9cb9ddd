"""Template context shared by every page."""

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
        "MAP_TILE_URL": settings.OPENCITY_MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.OPENCITY_MAP_TILE_ATTRIBUTION,
        "nav": policy.navigation(user) if user is not None else {},
    }
