from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class LibConfig(AppConfig):
    """Shared helpers; an app only for the tables some of them keep (``locks.Lease``)."""

    name = "opencity.lib"
    label = "lib"
    default_auto_field = "django.db.models.BigAutoField"


class OpenCityAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with our site as the default one (lib/admin.py), so that every
    ``@admin.register`` of every app, ours and third-party, goes to it."""

    default = False  # "opencity.lib" itself is LibConfig
    default_site = "opencity.lib.admin.OpenCityAdminSite"
