"""Field reports (phản ánh hiện trường): categories, reports, photos, timeline, routing rules.

Nobody sets ``Report.status`` directly: state changes go through ``reports.workflow``,
called from ``reports.services``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opencity.geo.models import LocationPrecision
from opencity.lib.models import LifecycleEvent


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class RejectReason(models.TextChoices):
    SPAM = "spam", _("Spam or abusive")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    NOT_ENOUGH_INFO = "not_enough_info", _("Not enough information")
    OTHER = "other", _("Other")


def validate_icon_name(value: str) -> None:
    from django.core.exceptions import ValidationError as FieldError

    from opencity.lib.templatetags.icons import icon_exists

    if value and not icon_exists(value):
        raise FieldError(_("There is no icon named %(name)s."), params={"name": value}, code="unknown_icon")


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    group = models.CharField(_("group"), max_length=80, blank=True)
    icon = models.CharField(
        _("icon"), max_length=40, blank=True, validators=[validate_icon_name],
        help_text=_("The name of a Lucide icon shown in lists (lucide.dev/icons), e.g. lightbulb. Never an emoji: "
                    "cheap phones draw them as empty boxes."),
    )
    deadline_hours = models.PositiveIntegerField(
        _("processing deadline (working hours)"), default=40
    )
    deadline_hours_high = models.PositiveIntegerField(
        _("deadline for high priority (working hours)"), null=True, blank=True,
        help_text=_("Empty: the normal deadline."),
    )
    deadline_hours_urgent = models.PositiveIntegerField(
        _("deadline for urgent reports (working hours)"), null=True, blank=True,
        help_text=_("Empty: the high-priority deadline, else the normal one."),
    )
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate radius (m)"), default=50)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name_vi"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class CategoryQuestion(models.Model):
    """An extra question the submit form asks for one category."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40)
    label_vi = models.CharField(_("question (Vietnamese)"), max_length=200)
    label_en = models.CharField(_("question (English)"), max_length=200)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices, default=QuestionKind.TEXT)
    required = models.BooleanField(default=False)
    public = models.BooleanField(
        _("answer shown publicly"), default=False,
        help_text=_("Show the answers to everyone with the report (on its page, in the API, Open311 "
                    "and open data). Leave off for anything personal: a licence plate, a name, a "
                    "house number. The reporter and staff in charge always see every answer."),
    )
    choices = models.JSONField(
        default=list,
        blank=True,
        help_text=_('For choice questions: a list of {"key": ..., "vi": ..., "en": ...}.'),
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="unique_question_code")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "vi").startswith("en") else self.label_vi

    def choice_pairs(self) -> list[tuple[str, str]]:
        lang = "en" if (get_language() or "vi").startswith("en") else "vi"
        return [(c["key"], c.get(lang) or c.get("vi") or c["key"]) for c in self.choices]

    def clean(self):
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and not self.choices:
            raise ValidationError({"choices": _("A choice question needs at least one choice.")})


class RoutingRule(models.Model):
    """A unit's jurisdiction: reports of ``category`` in ``area`` go to ``unit``.

    A rule with no area covers the whole city; a ward rule wins over a city rule
    (see ``reports.routing``). ``automatic`` rules route without an operator.
    """

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="routing_rules",
        help_text=_("Empty: the whole city."),
    )
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="routing_rules")
    automatic = models.BooleanField(
        _("route automatically"), default=False,
        help_text=_("Route new reports without waiting for an operator."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "area"], name="unique_rule_category_area"),
            models.UniqueConstraint(
                fields=["category"], condition=models.Q(area__isnull=True), name="unique_rule_city_wide"
            ),
        ]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category} / {self.area or _('whole city')} → {self.unit}"


class Report(models.Model):
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    version = models.PositiveIntegerField(default=0, help_text="Bumped by every transition (optimistic lock).")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    description = models.TextField(_("description"))
    description_public = models.TextField(
        _("public description (moderated)"), blank=True,
        help_text=_("If set, shown to the public instead of the original text."),
    )
    answers = models.JSONField(_("answers to the category's questions"), default=dict, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    # How precise lat/lon are: never show an approximate place as a precise one (issue #14).
    location_precision = models.CharField(
        _("precision of the place"), max_length=8, choices=LocationPrecision.choices,
        default=LocationPrecision.EXACT,
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="reports")
    is_public = models.BooleanField(_("public"), default=True)
    priority = models.SmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    reporter_name = models.CharField(_("reporter name (for calls)"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("reporter phone (for calls)"), max_length=16, blank=True)
    channel = models.CharField(
        max_length=10, default="web",
        choices=[("web", _("Web/app")), ("hotline", _("Hotline")), ("api", _("API")), ("open311", "Open311"),
                 ("sensor", _("Monitoring")), ("press", _("Press and social media"))],
    )
    client_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_reports"
    )
    reject_reason = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    status_note = models.TextField(_("public note on the current status"), blank=True)
    result_text = models.TextField(_("result"), blank=True)
    result_pending = models.BooleanField(default=False, help_text="A result awaits the unit head's approval.")
    awaiting_citizen = models.BooleanField(default=False, help_text="The unit asked the reporter for information.")
    dispute_pending = models.BooleanField(default=False)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    me_too_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    assigned_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="The deadline clock stopped here: the unit asked the reporter.",
    )
    work_hours = models.FloatField(
        null=True, blank=True, help_text="Working hours from assignment to the result (set when resolved).",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["area", "status"]),
            models.Index(fields=["category", "status"]),
            # the public map's viewport and "nearby": covering, so a street-level viewport is
            # read from the index alone (PostgreSQL; elsewhere a plain (lat, lon) index)
            models.Index(fields=["lat", "lon"], include=["id", "created_at", "status", "is_public", "category", "reject_reason",
                                  "location_precision"],
                         name="report_lat_lon_map"),
            # open reports by deadline: the escalation job's pages and "overdue now" (a plain
            # due_at index also walks every closed report's deadline)
            models.Index(fields=["due_at", "id"], name="report_active_due",
                         condition=models.Q(status__in=["assigned", "in_progress"])),
            # "overdue now" of a period, whole city or per unit/ward/category: read from the
            # index alone on PostgreSQL (10 M reports, one year: 221 ms -> 30 ms; bench/README.md)
            models.Index(fields=["created_at"], name="report_active_created",
                         include=["id", "due_at", "paused_at", "unit", "area", "category", "is_public"],
                         condition=models.Q(status__in=["assigned", "in_progress"])),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="rating_1_to_5",
            ),
        ]
        verbose_name = _("field report")
        verbose_name_plural = _("field reports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    @property
    def ref(self) -> str:
        return f"PA{self.pk:06d}" if self.pk else ""

    @property
    def public_description(self) -> str:
        """What the public reads: the moderated text if there is one (``public_text_contains``
        is the same rule for searches)."""
        return self.description_public or self.description

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_approximate(self) -> bool:
        """The pin is not where the problem is: only the ward is known (``area``), or a typed
        address placed by the geocoder (``address``)."""
        return self.location_precision != LocationPrecision.EXACT

    @property
    def is_overdue(self) -> bool:
        from .deadlines import DeadlineState, deadline_state  # the one definition (pauses count)

        return deadline_state(self) == DeadlineState.OVERDUE


def public_text_contains(text: str) -> models.Q:
    """Reports whose public text (``Report.public_description``) contains ``text``: the
    moderated text where there is one, never the original it replaced."""
    return models.Q(description_public__icontains=text) | (
        models.Q(description_public="") & models.Q(description__icontains=text)
    )


def _photo_path(instance, filename: str) -> str:
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


def _private_path(instance, filename: str) -> str:
    return f"originals/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Report photo")
    RESULT = "result", _("Result photo")
    UPDATE = "update", _("Update photo")


class Photo(models.Model):
    """A re-encoded photo (no EXIF). ``original`` keeps the pre-moderation image for staff."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    event = models.ForeignKey(
        "TimelineEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    # No width_field/height_field: Django would open every file when loading rows.
    image = models.ImageField(upload_to=_photo_path)
    thumb = models.ImageField(upload_to=_photo_path)
    original = models.FileField(upload_to=_private_path, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(_("hidden from the public"), default=False)
    is_moderated = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class TimelineEvent(LifecycleEvent):
    """One immutable entry in a report's history: a transition or an action on it
    (``reports.workflow``; the fields common to every lifecycle are ``lib.models.LifecycleEvent``)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    actor_unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta(LifecycleEvent.Meta):
        indexes = [models.Index(fields=["report", "created_at"])]


class Follow(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    me_too = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="unique_follow")]


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class ExtensionRequest(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    extra_hours = models.PositiveIntegerField(_("extra working hours"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class ResponseTemplate(models.Model):
    """Canned text for a unit's notes and results (optionally per category)."""

    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="templates")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["title"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.title


# --- Deadlines: the working calendar, escalations (see reports/deadlines.py) -----------------


class EscalationLevel(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon: reminder to the unit")
    OVERDUE = "overdue", _("Overdue: the unit head")
    IOC = "ioc", _("Long overdue: the IOC and the city leaders")


class Escalation(models.Model):
    """A deadline reminder or escalation that was sent: at most one per report, level and
    deadline (a moved deadline may escalate again). Written only by
    ``reports.services.deadlines_escalate``; not a timeline event (nothing changed state)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="escalations")
    level = models.CharField(max_length=10, choices=EscalationLevel.choices)
    due_at = models.DateTimeField(help_text="The deadline this escalation was about.")
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "level", "due_at"], name="unique_escalation_per_deadline"),
        ]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.report.ref} {self.level}"


# --- KPI roll-ups (see reports/kpi.py) -------------------------------------------------------


class KpiSpan(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"


class KpiRollup(models.Model):
    """Reports *received* on one local day (``span="day"``) or in one month (``span="month"``,
    ``day`` = the 1st), counted per unit × ward × category × public flag, with what has happened
    to them since (the processing-time histogram beside them: :class:`KpiHours`).
    Derived data, written only by ``reports.kpi`` (refreshed after every transition, rebuilt by
    ``manage.py rebuild_rollups``)."""

    span = models.CharField(max_length=5, choices=KpiSpan.choices, default=KpiSpan.DAY)
    day = models.DateField()
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("geo.Area", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    is_public = models.BooleanField()
    received = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    resolved_ever = models.PositiveIntegerField(default=0)
    work_hours_sum = models.FloatField(default=0)
    work_hours_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["span", "day"]),
            models.Index(fields=["span", "unit", "day"]),
            models.Index(fields=["span", "area", "day"]),
        ]


class KpiHours(models.Model):
    """A histogram of the processing time: how many processed reports received on one local day
    (``span="day"``) or in one month (``span="month"``, ``day`` = the 1st), public or not, took a
    time in ``bucket`` (fixed working-hour buckets, ``reports.kpi.HOUR_BUCKETS``) — for the whole
    city (``dim="city"``) or per unit, ward or category (``dim``, ``dim_id``). The median of a
    period of whole months is read from the month rows without touching the report table.
    Derived data, written only by ``reports.kpi`` with the roll-ups."""

    span = models.CharField(max_length=5, choices=KpiSpan.choices)
    day = models.DateField()
    is_public = models.BooleanField()
    dim = models.CharField(max_length=8)
    dim_id = models.PositiveIntegerField(null=True, blank=True)
    bucket = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["span", "dim", "dim_id", "day"])]


def _rollups_follow_events(sender, instance, created, raw=False, **kwargs):
    """Every transition writes exactly one TimelineEvent (workflow.apply): refresh the KPI
    roll-up of the day the report was received, once the transaction commits."""
    if created and not raw:
        from .kpi import rollup_touch

        rollup_touch(instance.report)


models.signals.post_save.connect(_rollups_follow_events, sender=TimelineEvent, dispatch_uid="kpi-rollups")
