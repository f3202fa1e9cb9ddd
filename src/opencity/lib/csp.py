"""A strict Content-Security-Policy header: no inline scripts, no third-party hosts.

Map tiles are the only configurable outside source (OPENCITY_MAP_TILE_URL).
"""

from urllib.parse import urlsplit

from django.conf import settings


def _tile_origin() -> str:
    url = settings.OPENCITY_MAP_TILE_URL
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return f" {parts.scheme}://{host}"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        tiles = _tile_origin()
        self.policy = (
            "default-src 'self'; script-src 'self'; "
            # Leaflet and htmx set element styles from script; no inline <style> blocks of ours.
            "style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:{tiles}; connect-src 'self'; font-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", self.policy)
            # A page with a form that leads to another site (the national eID platform's sign-in)
            # names its origins on the request: browsers hold a form's redirects to form-action.
            extra = " ".join(getattr(request, "csp_form_action", ()))
            if extra:
                response["Content-Security-Policy"] = response["Content-Security-Policy"].replace(
                    "form-action 'self'", f"form-action 'self' {extra}", 1)
        return response
