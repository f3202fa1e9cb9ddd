from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PressConfig(AppConfig):
    name = "opencity.press"
    verbose_name = _("Press and social monitoring")
    default_auto_field = "django.db.models.BigAutoField"
