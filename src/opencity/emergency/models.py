"""Rescue requests (SOS), rescue teams and the immutable timeline of each request.

``RescueRequest.status`` is written only by :func:`opencity.emergency.workflow.apply`.
Needs are stored as codes and translated on display; the caller's or requester's name and
phone are personal data shown only to the requester and to staff in scope (policy.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.geo.models import LocationPrecision
from opencity.lib.models import LifecycleEvent


class Need(models.TextChoices):
    EVACUATION = "evacuation", _("Evacuation")
    MEDICAL = "medical", _("Medical help")
    FOOD_WATER = "food_water", _("Food and water")
    TRAPPED = "trapped", _("Trapped")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("rescue status", "Sent")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("rescue status", "Received")
    ASSIGNED = "assigned", pgettext_lazy("rescue status", "Team assigned")
    DISPATCHED = "dispatched", pgettext_lazy("rescue status", "Team on the way")
    ON_SCENE = "on_scene", pgettext_lazy("rescue status", "Team on scene")
    RESCUED = "rescued", pgettext_lazy("rescue status", "Rescued")
    CLOSED = "closed", pgettext_lazy("rescue status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("rescue status", "Cancelled")


class Origin(models.TextChoices):
    """How the request reached the IOC: the person's own account, an operator filing for a
    caller, or a visitor without an account — with the phone proven by an SMS code, or only
    asking to be called back (the number not proven: the board marks it unverified)."""

    ACCOUNT = "account", _("Account")
    CALLER = "caller", _("Filed for a caller")
    VISITOR = "visitor", _("Visitor, phone verified")
    CALLBACK = "callback", _("Call-back request, phone not verified")


VISITOR_ORIGINS = ("visitor", "callback")

OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.ASSIGNED, Status.DISPATCHED, Status.ON_SCENE)
NEED_WEIGHTS = {Need.TRAPPED: 40, Need.MEDICAL: 30, Need.EVACUATION: 15, Need.FOOD_WATER: 5, Need.OTHER: 0}


class TeamStatus(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("rescue team", "Available")
    BUSY = "busy", pgettext_lazy("rescue team", "Busy")
    OFF = "off", pgettext_lazy("rescue team", "Off duty")


class TeamKind(models.TextChoices):
    """Who a team is: the rescue teams of the SOS app, and the forces an incident mobilises."""

    RESCUE = "rescue", _("Rescue team")
    POLICE = "police", _("Police")
    ARMY = "army", _("Army")
    MILITIA = "militia", _("Militia")
    RED_CROSS = "red_cross", _("Red Cross")
    VOLUNTEERS = "volunteers", _("Volunteers")
    MEDICAL = "medical", _("Medical team")
    OTHER = "other", _("Other")


class RescueTeam(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=TeamKind.choices, default=TeamKind.RESCUE)
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="rescue_teams", verbose_name=_("unit"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="rescue_teams",
                                     verbose_name=_("members"))
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TeamStatus.choices, default=TeamStatus.AVAILABLE)
    last_lat = models.FloatField(null=True, blank=True)
    last_lon = models.FloatField(null=True, blank=True)
    position_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rescue team")
        verbose_name_plural = _("rescue teams")

    def __str__(self) -> str:
        return self.name


def validate_needs(value) -> None:
    """A list of known needs. Empty is allowed: a visitor's one-tap request (or a call-back)
    is sent before any detail, which may follow on the status page."""
    if not isinstance(value, list) or any(v not in Need.values for v in value):
        raise DjangoValidationError(_("Choose at least one need from the list."))


class RescueRequest(models.Model):
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="rescue_requests")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", help_text="The hotline/IOC operator who filed it for a caller.")
    caller_name = models.CharField(max_length=120, blank=True)
    caller_phone = models.CharField(max_length=16, blank=True)
    # The point: the device's location or a pin (``exact``), or a typed place that the geocoder
    # found (``address``: approximate, the operator confirms it on the phone). Missing when the
    # sender shared none and the typed place was not found: then ``place_text`` and, if the text
    # names one, the ward are all the operator has (``area``) — never stored as a point (issue #14:
    # an approximate place is not stored as a precise one).
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    location_precision = models.CharField(max_length=8, choices=LocationPrecision.choices,
                                          default=LocationPrecision.EXACT)
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place_text = models.CharField(max_length=200, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ACCOUNT)
    # sha256 of the visitor's status link key (/sos/v/<key>/): the key itself is only in the
    # visitor's session and link, so the table alone does not open anyone's page.
    access_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    people = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    needs = models.JSONField(default=list, blank=True, validators=[validate_needs])
    note = models.TextField(max_length=1000, blank=True)
    client_token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    version = models.PositiveIntegerField(default=0)
    urgency = models.PositiveSmallIntegerField(default=0, db_index=True)
    assigned_team = models.ForeignKey(RescueTeam, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="requests")
    cancel_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    on_scene_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = _("rescue request")
        verbose_name_plural = _("rescue requests")

    def __str__(self) -> str:
        return f"SOS-{self.pk}"

    @property
    def ref(self) -> str:
        return f"SOS-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_visitor(self) -> bool:
        return self.origin in VISITOR_ORIGINS

    @property
    def is_unverified(self) -> bool:
        """A call-back request: the phone number was not proven by a code."""
        return self.origin == Origin.CALLBACK

    @property
    def place_label(self) -> str:
        return self.area.name if self.area_id else self.place_text

    @property
    def contact_name(self) -> str:
        return self.caller_name or (self.requester.full_name if self.requester else "")

    @property
    def contact_phone(self) -> str:
        """As people write it (0905 123 456); personal data: show only where policy allows."""
        from opencity.lib.phone import display_phone

        return display_phone(self.caller_phone or (self.requester.phone if self.requester else ""))

    @property
    def dial_phone(self) -> str:
        """The number to dial (+84…) for a ``tel:`` link; personal data like ``contact_phone``."""
        return self.caller_phone or (self.requester.phone if self.requester else "")

    @property
    def need_labels(self) -> list[str]:
        return [str(Need(n).label) for n in self.needs if n in Need.values]

    def waiting_minutes(self, now=None) -> int:
        return max(0, int(((now or timezone.now()) - self.created_at).total_seconds() // 60))

    def score(self, now=None) -> float:
        """Urgency for ordering the board: the stored base (needs, people) plus waiting time
        (one point a minute, at most 60)."""
        return self.urgency + min(60, self.waiting_minutes(now))


def base_urgency(needs: list[str], people: int) -> int:
    """Trapped and medical needs weigh most; more people raise it (capped)."""
    return sum(NEED_WEIGHTS.get(n, 0) for n in set(needs)) + min(40, 4 * max(people, 1))


class RescueEvent(LifecycleEvent):
    """One immutable step in a request's history (``emergency.workflow``; the fields common to
    every lifecycle are ``lib.models.LifecycleEvent``)."""

    request = models.ForeignKey(RescueRequest, on_delete=models.CASCADE, related_name="events")
    # The one-time token of the form that took this step (lib/formtoken.py): sent twice, it acts once.
    client_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta(LifecycleEvent.Meta):
        pass


class RescuePhoto(models.Model):
    request = models.ForeignKey(RescueRequest, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="rescue/%Y/%m/")
    thumb = models.ImageField(upload_to="rescue/%Y/%m/thumbs/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
