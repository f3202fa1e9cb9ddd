"""Template context shared by every page."""

from django.conf import settings


def site(request):
    from opencity import policy

    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "MAP_TILE_URL": settings.OPENCITY_MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.OPENCITY_MAP_TILE_ATTRIBUTION,
        "nav": policy.navigation(user) if user is not None else {},
    }
