from django.apps import AppConfig


class LibConfig(AppConfig):
    """Shared helpers; an app only for the tables some of them keep (``locks.Lease``)."""

    name = "opencity.lib"
    label = "lib"
    default_auto_field = "django.db.models.BigAutoField"
