from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "opencity.dossiers"
    verbose_name = _("One-stop dossiers")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from . import feed
        from .models import DossierStep

        post_save.connect(feed.publish_overdue, sender=DossierStep, dispatch_uid="dossier_step_feed")
