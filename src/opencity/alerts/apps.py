from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# A warning's delivery is safe to run twice at once (deliveries are claimed in batches, pushes
# carry one tag per warning), so a crashed worker's row is taken again after a short lease.
LIFE_SAFETY_LEASE_SECONDS = 60


class AlertsConfig(AppConfig):
    name = "opencity.alerts"
    label = "alerts"
    verbose_name = _("Warnings")

    def ready(self) -> None:
        from opencity.notifications import outbox

        from . import delivery

        outbox.register(delivery.DELIVER_KIND,
                        lambda payload: delivery.message_deliver(message_id=payload["message_id"]),
                        priority=outbox.LIFE_SAFETY, lease_seconds=LIFE_SAFETY_LEASE_SECONDS)
        outbox.register(delivery.PUSH_KIND,
                        lambda payload: delivery.message_push_batch(message_id=payload["message_id"],
                                                                    subscription_ids=payload["subscriptions"]),
                        priority=outbox.LIFE_SAFETY, lease_seconds=LIFE_SAFETY_LEASE_SECONDS)
