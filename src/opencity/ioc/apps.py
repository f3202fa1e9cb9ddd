from django.apps import AppConfig
from django.db.models.signals import post_save


class IocConfig(AppConfig):
    name = "opencity.ioc"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opencity.emergency.models import RescueEvent
        from opencity.reports.kpi import rollups_refreshed
        from opencity.reports.models import TimelineEvent

        from . import live

        post_save.connect(live.record_report_event, sender=TimelineEvent, dispatch_uid="ioc-live-report")
        post_save.connect(live.record_rescue_event, sender=RescueEvent, dispatch_uid="ioc-live-rescue")
        rollups_refreshed.connect(live.record_figures_refreshed, dispatch_uid="ioc-live-figures")

        from opencity.notifications import outbox

        from .digital import services as digital

        outbox.register(digital.GENERATE_KIND,
                        lambda payload: digital.digital_report_generate(report_id=payload["report_id"]))
