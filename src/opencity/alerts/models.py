"""Disaster and weather warnings as chains of immutable CAP 1.2 messages.

A :class:`Alert` is one warning as people know it ("flood warning for Thuận An"); each
publish, update and cancel is its own :class:`Message` (CAP msgType Alert/Update/Cancel) that
refers to the ones before it. Messages are never changed after they are written: only their
delivery progress moves, through queryset updates. A warning is *in force* while the latest
message of its chain is not a Cancel and has not expired.

Enumerations store CAP codes (``Met``, ``Severe``…) or our own codes (``flood``), and are
translated on display.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    FLOOD = "flood", _("Flood")
    STORM = "storm", _("Storm")
    LANDSLIDE = "landslide", _("Landslide")
    HEAVY_RAIN = "heavy_rain", _("Heavy rain")
    DAM_RELEASE = "dam_release", _("Dam release")
    HEAT = "heat", _("Heat wave")
    EPIDEMIC = "epidemic", _("Epidemic")
    OTHER = "other", _("Other hazard")


# The hazard's icon: a lucide icon name for ``{% icon %}`` (SVG; emoji were drawn as empty boxes on
# cheap phones, issue 14).
EVENT_ICONS = {
    "flood": "waves", "storm": "tornado", "landslide": "mountain", "heavy_rain": "cloud-rain-wind",
    "dam_release": "droplets", "heat": "thermometer-sun", "epidemic": "virus", "other": "triangle-alert",
}


class Category(models.TextChoices):
    """CAP 1.2 ``category`` (spec §3.2.2)."""

    GEO = "Geo", _("Geophysical (incl. landslide)")
    MET = "Met", _("Meteorological (incl. flood)")
    SAFETY = "Safety", _("General emergency and public safety")
    SECURITY = "Security", _("Law enforcement, military, homeland and local/private security")
    RESCUE = "Rescue", _("Rescue and recovery")
    FIRE = "Fire", _("Fire suppression and rescue")
    HEALTH = "Health", _("Medical and public health")
    ENV = "Env", _("Pollution and other environmental")
    TRANSPORT = "Transport", _("Public and private transportation")
    INFRA = "Infra", _("Utility, telecommunication, other non-transport infrastructure")
    CBRNE = "CBRNE", _("Chemical, biological, radiological, nuclear or explosive threat or attack")
    OTHER = "Other", _("Other events")


# The category a composer gets unless they choose another.
DEFAULT_CATEGORY = {
    "flood": "Met", "storm": "Met", "landslide": "Geo", "heavy_rain": "Met",
    "dam_release": "Infra", "heat": "Met", "epidemic": "Health", "other": "Other",
}


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")
    UNKNOWN = "Unknown", _("Unknown")


SEVERITY_RANK = {"Extreme": 4, "Severe": 3, "Moderate": 2, "Minor": 1, "Unknown": 0}


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate: act now")
    EXPECTED = "Expected", _("Expected: act within the next hour")
    FUTURE = "Future", _("Future: act in the near future")
    PAST = "Past", _("Past: no longer needed")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed: it is happening")
    LIKELY = "Likely", _("Likely (more than 50%)")
    # xgettext:no-python-format
    POSSIBLE = "Possible", _("Possible (50% or less)")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


class ResponseType(models.TextChoices):
    SHELTER = "Shelter", _("Take shelter")
    EVACUATE = "Evacuate", _("Evacuate")
    PREPARE = "Prepare", _("Prepare")
    EXECUTE = "Execute", _("Execute the pre-planned action")
    AVOID = "Avoid", _("Avoid the area")
    MONITOR = "Monitor", _("Monitor information sources")
    ASSESS = "Assess", _("Assess the information")
    ALL_CLEAR = "AllClear", _("All clear: the danger has passed")
    NONE = "None", _("No action recommended")


class MessageStatus(models.TextChoices):
    """CAP ``status``. Only Actual warnings are delivered and listed in public."""

    ACTUAL = "Actual", _("Actual")
    EXERCISE = "Exercise", _("Exercise")
    TEST = "Test", _("Test")


class MsgType(models.TextChoices):
    ALERT = "Alert", _("Warning issued")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancelled")


class Alert(models.Model):
    """One warning: the chain of its messages, who issued it and how often it was read."""

    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices,
                              default=MessageStatus.ACTUAL)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("issuing unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="alerts",
        help_text=_("Empty when the operations centre issued it."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    latest = models.OneToOneField("Message", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    # Total views of the public page (visitors included): incremented with F().
    view_count = models.PositiveBigIntegerField(_("views"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")

    def __str__(self) -> str:
        return self.latest.headline_vi if self.latest_id else f"#{self.pk}"

    @property
    def ref(self) -> str:
        return f"CB{self.pk:06d}"


class Message(models.Model):
    """One CAP message. Immutable: ``save()`` refuses to change a stored message."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveSmallIntegerField()
    msg_type = models.CharField(max_length=8, choices=MsgType.choices)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="next")
    identifier = models.CharField(max_length=120, unique=True)
    sender = models.CharField(max_length=120)
    sender_name = models.CharField(max_length=200)
    sent = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    references = models.TextField(blank=True, help_text="CAP references: sender,identifier,sent …")
    note = models.TextField(_("note"), blank=True)

    event = models.CharField(_("event"), max_length=20, choices=EventType.choices)
    category = models.CharField(_("CAP category"), max_length=10, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices)
    response_type = models.CharField(_("response"), max_length=10, choices=ResponseType.choices)
    headline_vi = models.CharField(_("headline (Vietnamese)"), max_length=160)
    description_vi = models.TextField(_("description (Vietnamese)"))
    instruction_vi = models.TextField(_("instruction (Vietnamese)"), blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=160, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    instruction_en = models.TextField(_("instruction (English)"), blank=True)
    effective = models.DateTimeField(_("effective from"))
    onset = models.DateTimeField(_("expected onset"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"))
    whole_city = models.BooleanField(_("the whole city"), default=False)
    areas = models.ManyToManyField("geo.Area", verbose_name=_("wards and communes"), blank=True,
                                   related_name="+")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # The composer's one-time form token (lib/formtoken.py): the same form sent twice publishes once.
    client_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    # The message in the inboxes: one broadcast notification shown to everyone in the target
    # (``delivery.py``), written with the message. Empty on messages from before broadcasts
    # (their people got an inbox row and a Delivery each) and on Exercise and Test messages.
    notice = models.OneToOneField("notifications.Notification", null=True, blank=True, editable=False,
                                  on_delete=models.SET_NULL, related_name="+")

    # Delivery progress (moved by queryset updates in delivery.py, never by save()).
    fanout_cursor = models.BigIntegerField(default=0, help_text="last user id handled (before broadcasts)")
    delivered_count = models.PositiveIntegerField(default=0)  # people in the target when it went out
    fanout_done_at = models.DateTimeField(null=True, blank=True)
    push_cursor = models.BigIntegerField(default=0, help_text="last push subscription id queued")
    pushed_count = models.PositiveIntegerField(default=0)  # devices whose push was queued
    push_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["alert_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "seq"], name="alerts_message_unique_seq"),
            models.CheckConstraint(condition=models.Q(expires__gt=models.F("effective")),
                                   name="alerts_message_expires_after_effective"),
        ]
        indexes = [models.Index(fields=["fanout_done_at", "sent"], name="alerts_msg_pending_idx")]
        verbose_name = _("warning message")
        verbose_name_plural = _("warning messages")

    def __str__(self) -> str:
        return f"{self.identifier} ({self.msg_type})"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("_allow_update", False):
            raise ValueError("Warning messages are immutable: publish an update instead")
        super().save(*args, **kwargs)

    @property
    def has_english(self) -> bool:
        return bool(self.headline_en.strip())

    def headline(self, lang: str = "vi") -> str:
        return self.headline_en if lang.startswith("en") and self.has_english else self.headline_vi

    def description(self, lang: str = "vi") -> str:
        return self.description_en if lang.startswith("en") and self.has_english else self.description_vi

    def instruction(self, lang: str = "vi") -> str:
        if lang.startswith("en") and self.has_english:
            return self.instruction_en
        return self.instruction_vi

    @property
    def is_cancel(self) -> bool:
        return self.msg_type == MsgType.CANCEL

    @property
    def event_icon(self) -> str:
        """The lucide icon name of the hazard (``{% icon latest.event_icon %}``)."""
        return EVENT_ICONS.get(self.event, "triangle-alert")


class Delivery(models.Model):
    """One message delivered to one person: the inbox row, the push, and whether they opened it.

    Written by the fan-out before warnings became broadcasts (``Message.notice``); kept for the
    figures of those messages (their inbox rows are ordinary notifications and still show). No
    new rows are written.

    Unique per (message, user): the fan-out may run again after a worker restart and must not
    send twice.
    """

    # Its lookups are served by the (message, user) unique index: no index of its own.
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="warning_deliveries")
    notification = models.ForeignKey("notifications.Notification", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="alerts_delivery_unique"),
        ]
        indexes = [
            models.Index(fields=["alert", "user"], name="alerts_delivery_alert_user"),
            # The push claims: a message's deliveries not yet pushed, in id order (shrinks as
            # pushes go out).
            models.Index(fields=["message", "id"], condition=models.Q(pushed_at__isnull=True),
                         name="alerts_delivery_unpushed"),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

