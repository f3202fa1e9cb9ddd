from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class LibConfig(AppConfig):
    """Shared helpers; an app for the tables some of them keep (``locks.Lease``, the audit log,
    idempotency records) and the commands over every app (``photos_strip_metadata``)."""

    name = "opencity.lib"
    label = "lib"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Platform")  # the audit log's heading in the admin

    def ready(self) -> None:
        from django.core import checks

        from .staticfiles import static_collected_check

        checks.register(static_collected_check, deploy=True)


class OpenCityAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with our site as the default one (lib/admin.py), so that every
    ``@admin.register`` of every app, ours and third-party, goes to it."""

    default = False  # "opencity.lib" itself is LibConfig
    default_site = "opencity.lib.admin.OpenCityAdminSite"
