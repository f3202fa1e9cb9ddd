from django.apps import AppConfig


class IocConfig(AppConfig):
    name = "opencity.ioc"
    default_auto_field = "django.db.models.BigAutoField"
