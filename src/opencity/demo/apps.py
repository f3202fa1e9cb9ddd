from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Huế demo pack, at the top of the graph: it fills every app's tables, and only its
    own commands (``manage.py load_demo``, ``manage.py demo_logins``) know it. No models."""

    name = "opencity.demo"
    label = "demo"
    default_auto_field = "django.db.models.BigAutoField"
