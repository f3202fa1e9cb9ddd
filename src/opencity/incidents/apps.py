from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "opencity.incidents"
    verbose_name = _("Incidents and command support")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from opencity.lib import feed as lib_feed

        from . import feed
        from .models import DeploymentEvent, IncidentEvent, TaskEvent

        # publish every step to the console feed, and listen to it for arrivals to propose
        post_save.connect(feed.publish_incident_event, sender=IncidentEvent, dispatch_uid="incidents-feed")
        post_save.connect(feed.publish_task_event, sender=TaskEvent, dispatch_uid="incidents-feed-task")
        post_save.connect(feed.publish_deployment_event, sender=DeploymentEvent,
                          dispatch_uid="incidents-feed-team")
        lib_feed.happened.connect(feed.propose_arrivals, dispatch_uid="incidents-propose")
