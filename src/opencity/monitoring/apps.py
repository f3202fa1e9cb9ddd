from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "opencity.monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from . import feed
        from .models import MonitoringEventStep

        post_save.connect(feed.publish_event_step, sender=MonitoringEventStep,
                          dispatch_uid="monitoring_event_step_feed")
