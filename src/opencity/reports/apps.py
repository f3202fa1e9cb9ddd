from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "opencity.reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from opencity.notifications import outbox

        from . import feed, kpi, notify
        from .models import TimelineEvent

        # the console feed (lib.feed): every timeline step, and each recount of the figures
        post_save.connect(feed.publish_timeline_event, sender=TimelineEvent, dispatch_uid="reports-feed-timeline")
        kpi.rollups_refreshed.connect(feed.publish_figures_refreshed, dispatch_uid="reports-feed-figures")

        # inbox rows only (their e-mails are owed in the same transaction): exactly once
        outbox.register(notify.NOTIFY_KIND, notify.after_event_owed, atomic=True)
        # a recount of the day: coalesces, and one kick a second is enough
        outbox.register(kpi.REFRESH_KIND, kpi.rollup_refresh_owed, priority=outbox.BULK, debounce_seconds=1)

        from opencity.lib.images import register_stored_photos

        from .models import Photo

        # their files, for maintenance over every stored photo (manage.py photos_strip_metadata)
        register_stored_photos(Photo, ("image", "thumb", "original"))

        from opencity.geo.models import Area
        from opencity.lib.pagecache import watch_reference_models
        from opencity.orgs.models import Unit

        from .models import Category, CategoryQuestion

        # their names are on the pages kept for visitors (lib/pagecache.py)
        watch_reference_models(Category, CategoryQuestion, Area, Unit)
