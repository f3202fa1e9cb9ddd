from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "opencity.notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import channels, checks  # noqa: F401  (checks: registers the start-up checks)

        channels.register_outbox_kinds()
