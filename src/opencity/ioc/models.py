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
    """One happening published through ``lib.feed`` (reports, rescue requests, calls, warnings…),
    as the console stores it."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=40)
    # what it is about: "report", "rescue", "call", "alert", "kpi"…, its id and the reference
    # people quote (PA000123, SOS-12, CB000006)
    subject = models.CharField(max_length=20, default="", blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    ref = models.CharField(max_length=40, default="", blank=True)
    severity = models.CharField(max_length=8, default="info")
    # the point, only when it is exact (an approximate place is not drawn as a point)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    # a report's row keeps its report for the feed line's category (one join, no lookup per row)
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


# --- Digital reports (báo cáo số) -----------------------------------------------------------
# A monthly report for the city, a ward or a unit, rendered in the background as XLSX or PDF
# (opencity.ioc.digital); its figures come from reports.kpi only. One row per target × month ×
# format × language: a regeneration replaces the file, and the monthly job finds the row it made.

from django.conf import settings  # noqa: E402 — kept with the section that needs it


class DigitalReportLevel(models.TextChoices):
    CITY = "city", _("The city")
    WARD = "ward", _("A ward or commune")
    UNIT = "unit", _("A unit")


class DigitalReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Spreadsheet (XLSX)")
    PDF = "pdf", _("Document (PDF)")


class DigitalReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def digital_report_target(level: str, area_id: int | None, unit_id: int | None) -> str:
    """One key per thing a report is about: ``city``, ``ward:12``, ``unit:5`` (NULL-free, so it
    can be unique in every database)."""
    if level == DigitalReportLevel.WARD:
        return f"ward:{area_id}"
    if level == DigitalReportLevel.UNIT:
        return f"unit:{unit_id}"
    return "city"


_LEVEL_SHAPE = (
    models.Q(level="city", area__isnull=True, unit__isnull=True)
    | models.Q(level="ward", area__isnull=False, unit__isnull=True)
    | models.Q(level="unit", area__isnull=True, unit__isnull=False)
)


def digital_report_path(instance: DigitalReport, filename: str) -> str:
    return f"digital-reports/{instance.month:%Y-%m}/{filename}"


class _DigitalTarget(models.Model):
    """What a report (or a subscription) is about."""

    level = models.CharField(_("level"), max_length=4, choices=DigitalReportLevel.choices)
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("ward/commune"))
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("unit"))
    target = models.CharField(max_length=20, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.target = digital_report_target(self.level, self.area_id, self.unit_id)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.level == DigitalReportLevel.CITY:
            self.area, self.unit = None, None
        elif self.level == DigitalReportLevel.WARD:
            self.unit = None
            if self.area_id is None:
                raise ValidationError({"area": _("Choose the ward or commune.")})
        elif self.level == DigitalReportLevel.UNIT:
            self.area = None
            if self.unit_id is None:
                raise ValidationError({"unit": _("Choose the unit.")})
        self.target = digital_report_target(self.level, self.area_id, self.unit_id)


class DigitalReport(_DigitalTarget):
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    format = models.CharField(_("format"), max_length=4, choices=DigitalReportFormat.choices)
    language = models.CharField(_("language"), max_length=5, default="vi")
    status = models.CharField(_("status"), max_length=8, choices=DigitalReportStatus.choices,
                              default=DigitalReportStatus.QUEUED)
    file = models.FileField(_("file"), upload_to=digital_report_path, max_length=200, blank=True)
    checksum = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    # null: made by the monthly job for the subscribers
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-month", "-requested_at", "-id"]
        verbose_name = _("digital report")
        verbose_name_plural = _("digital reports")
        constraints = [
            models.UniqueConstraint(fields=["target", "month", "format", "language"],
                                    name="ioc_digital_report_once"),
            models.CheckConstraint(condition=_LEVEL_SHAPE, name="ioc_digital_report_level_shape"),
        ]
        indexes = [models.Index(fields=["level", "area", "month"]), models.Index(fields=["level", "unit", "month"])]

    def __str__(self) -> str:
        return f"{self.target} {self.month:%m/%Y} {self.format}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("A report is for a whole month: use its first day.")})

    @property
    def is_pending(self) -> bool:
        return self.status in (DigitalReportStatus.QUEUED, DigitalReportStatus.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == DigitalReportStatus.READY and bool(self.file)


class DigitalReportSubscription(_DigitalTarget):
    """A leader's standing order: last month's report, at the start of each month."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="digital_report_subscriptions", verbose_name=_("user"))
    formats = models.JSONField(_("formats"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("digital report subscription")
        verbose_name_plural = _("digital report subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "target"], name="ioc_digital_subscription_once"),
            models.CheckConstraint(condition=_LEVEL_SHAPE, name="ioc_digital_subscription_level_shape"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.target}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        allowed = set(DigitalReportFormat.values)
        if not self.formats or not isinstance(self.formats, list) or not set(self.formats) <= allowed:
            raise ValidationError({"formats": _("Choose XLSX, PDF or both.")})


class DigitalReportDelivery(models.Model):
    """One month's report sent to one subscription (unique: the monthly job sends it once)."""

    subscription = models.ForeignKey(DigitalReportSubscription, on_delete=models.CASCADE, related_name="deliveries")
    month = models.DateField(_("month"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    notification = models.ForeignKey("notifications.Notification", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("digital report delivery")
        verbose_name_plural = _("digital report deliveries")
        constraints = [models.UniqueConstraint(fields=["subscription", "month"], name="ioc_digital_delivery_once")]

    def __str__(self) -> str:
        return f"{self.subscription} {self.month:%m/%Y}"
