from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "opencity.privacy"
    verbose_name = _("Privacy centre")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import exporters  # noqa: F401 — registers each app's section of "My data"
