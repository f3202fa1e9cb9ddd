from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "opencity.hotline"
    verbose_name = _("Hotline")

    def ready(self) -> None:
        from opencity.lib.filing import register_caller_filing

        from . import filing

        # The report and rescue forms file for a caller through lib.filing: the hotline owns
        # it, and neither form's app imports the hotline.
        register_caller_filing(filing)  # the module is the implementation
