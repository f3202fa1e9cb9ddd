from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """Open interfaces for other software: Open311 GeoReport v2 and the open-data exports."""

    name = "opencity.open311"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Open311 and open data")
