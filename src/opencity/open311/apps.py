from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """Open interfaces for other software: Open311 GeoReport v2 and the open-data exports."""

    name = "opencity.open311"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Open311 and open data")

    def ready(self) -> None:
        from opencity.errors import register_error_format

        from .serializers import render_errors

        def render_error(request, error):
            """What no view answered (an upload refused before the view ran, a server error, the
            database out of reach) in Open311's error format; touches no database."""
            fmt = "json" if request.path.endswith(".json") else "xml"
            return render_errors(fmt, [(error.http_status, error.message)], status=error.http_status)

        # The project mounts the interface at /open311/v2/ (urls.py).
        register_error_format("/open311/", render_error)
