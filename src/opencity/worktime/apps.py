from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "opencity.worktime"
    label = "worktime"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Working calendar")
