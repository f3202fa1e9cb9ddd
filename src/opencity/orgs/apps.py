from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "opencity.orgs"
    default_auto_field = "django.db.models.BigAutoField"
