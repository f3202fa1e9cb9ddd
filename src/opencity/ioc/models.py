"""The operations centre's own records.

:class:`LiveEvent` is the console's live feed: one row per thing that happened (a report
submitted, routed, resolved…), written in the same transaction as the change itself, so the
feed never shows what did not happen and never misses what did. The server-sent-event stream
reads rows after the client's ``Last-Event-ID``, so a reconnecting console catches up; Redis
pub/sub only wakes the streams up (``opencity.ioc.live``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LiveEvent(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=40)
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    # Where and whose, so the feed is bounded like the figures (policy.kpi_bounds).
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Display data that contains nothing private (no reporter name or phone, ever).
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["area", "id"]), models.Index(fields=["unit", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
