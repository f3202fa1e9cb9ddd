from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "opencity.catalog"
    label = "catalog"
    verbose_name = _("Services and news")

    def ready(self) -> None:
        from opencity.notifications import outbox

        from . import services

        # An important news item's notices, batch after batch under the item's row lock, from
        # its cursor: safe to run again or twice at once (services.news_push).
        outbox.register(services.NEWS_PUSH_KIND, lambda payload: services.news_push(news_id=payload["news_id"]))
