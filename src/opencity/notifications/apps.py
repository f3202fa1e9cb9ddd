from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "opencity.notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import outbox, services

        outbox.register(services.EMAIL_KIND, lambda payload: services.notifications_email(ids=payload["ids"]))
