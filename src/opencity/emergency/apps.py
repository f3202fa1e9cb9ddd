from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "opencity.emergency"
    verbose_name = _("Rescue requests")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from opencity.notifications import outbox

        from . import feed, services
        from .models import RescueEvent

        # the console feed (lib.feed): every step of a rescue request
        post_save.connect(feed.publish_rescue_event, sender=RescueEvent, dispatch_uid="emergency-feed")

        # A visitor's (no account) rescue steps by SMS: life-safety, like the requester's push.
        outbox.register(services.VISITOR_SMS_KIND,
                        lambda payload: services.rescue_visitor_sms(request_id=payload["request"],
                                                                    action=payload["action"]),
                        priority=outbox.LIFE_SAFETY)

        from opencity.lib.images import register_stored_photos

        from .models import RescuePhoto

        # their files, for maintenance over every stored photo (manage.py photos_strip_metadata)
        register_stored_photos(RescuePhoto, ("image", "thumb"))
