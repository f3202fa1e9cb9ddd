from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "opencity.reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opencity.notifications import outbox

        from . import kpi, notify

        # inbox rows only (their e-mails are owed in the same transaction): exactly once
        outbox.register(notify.NOTIFY_KIND, notify.after_event_owed, atomic=True)
        # a recount of the day: coalesces, and one kick a second is enough
        outbox.register(kpi.REFRESH_KIND, kpi.rollup_refresh_owed, priority=outbox.BULK, debounce_seconds=1)

        from opencity.lib.images import register_stored_photos

        from .models import Photo

        # their files, for maintenance over every stored photo (manage.py photos_strip_metadata)
        register_stored_photos(Photo, ("image", "thumb", "original"))
