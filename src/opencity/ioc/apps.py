from django.apps import AppConfig


class IocConfig(AppConfig):
    name = "opencity.ioc"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opencity.lib import feed

        from . import live

        # the console subscribes to what every app publishes (lib.feed); no app imports the console
        feed.happened.connect(live.record_happening, dispatch_uid="ioc-live-feed")

        from opencity.notifications import outbox

        from .digital import services as digital

        outbox.register(digital.GENERATE_KIND,
                        lambda payload: digital.digital_report_generate(report_id=payload["report_id"]))
