from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "opencity.catalog"
    label = "catalog"
    verbose_name = _("Services and news")

    def ready(self) -> None:
        from opencity.notifications import outbox

        from . import services

        # An important news item's notices: one run writes every citizen's inbox row and owes
        # the pushes, in the transaction that marks the outbox row done (exactly once).
        outbox.register(services.NEWS_PUSH_KIND,
                        lambda payload: services.news_push(news_id=payload["news_id"]), atomic=True)
