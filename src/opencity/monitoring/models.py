"""Monitoring (giám sát): what the city's sensors, cameras, vessels and security systems say.

Shaped like OGC SensorThings, so that a standard client could read it later:

- a :class:`Station` is a *Thing* with its *Location* (a hydrological station on the Hương river,
  a reservoir, an air-quality station, a traffic camera, a fishing vessel, a network);
- an :class:`ObservedProperty` is what is measured (water level in m, rainfall in mm, PM2.5…),
  with the physically possible range that ingest enforces;
- a :class:`Datastream` is one station × one property, with its unit and the last value seen;
- an :class:`Observation` is one value at one time, with a quality flag. Its key is
  (datastream, time): sending the same reading twice stores it once. On PostgreSQL the table is
  partitioned by month (migration 0001, ``monitoring.partitions``); :class:`ObservationHour`
  keeps the hourly roll-ups that charts of a month read;
- an :class:`Item` is what a source reports that is not a number — a camera violation, a
  vessel position, a security alert — typed, with its payload and a dedup key.

:class:`Rule` rows (the admin's, never code: no ``eval``) judge observations and items;
:class:`RuleState` remembers, per rule and datastream or subject, the level reached (for
hysteresis) and the open episode; an episode raises one :class:`MonitoringEvent`, which people
acknowledge and resolve through the lifecycle kernel (``monitoring.workflow``) and may turn into
a warning draft, a field report or a link to an incident.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.lib.credentials import Credential
from opencity.lib.models import LifecycleEvent

CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]*$", _("Use lower-case letters, digits, '-' and '_' only (it is part of MQTT topics).")
)


# --- where the data comes from -------------------------------------------------------------------


class Source(models.Model):
    """A system that sends data: the hydro-meteorological centre, the reservoir operator, the
    police's camera system, the fisheries' vessel monitoring. Each has its own keys
    (:class:`SourceKey`) and may send only to its own stations."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")

    def __str__(self) -> str:
        return self.name


class SourceKey(Credential):
    """A source's key for HTTP ingest (``X-Api-Key`` or ``Authorization: Bearer``): a credential
    (``lib.credentials``) — only its hash is kept, rotation keeps the old key for a day."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="keys", verbose_name=_("source"))
    name = models.CharField(_("name"), max_length=80, blank=True, help_text=_("Which system or device holds it."))

    credential_kind = "monitoring_key"
    rotation_fields = ("source", "name")

    class Meta:
        verbose_name = _("source key")
        verbose_name_plural = _("source keys")


# --- the things and what they measure ----------------------------------------------------------


class StationKind(models.TextChoices):
    HYDRO = "hydro", _("Hydrological station")
    RAIN = "rain", _("Rain gauge")
    AIR = "air", _("Air quality")
    WATER_QUALITY = "water_quality", _("Water quality")
    DAM = "dam", _("Reservoir / dam")
    CAMERA = "camera", _("Traffic camera")
    VESSEL = "vessel", _("Fishing vessel")
    NETWORK = "network", _("Network security")


class Station(models.Model):
    """A *Thing* and its *Location* (SensorThings)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=StationKind.choices, db_index=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="stations", verbose_name=_("source"))
    description = models.TextField(_("description"), blank=True, max_length=2000)
    river = models.CharField(_("river or basin"), max_length=80, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True,
                            validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lon = models.FloatField(_("longitude"), null=True, blank=True,
                            validators=[MinValueValidator(-180), MaxValueValidator(180)])
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("ward"))
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Shown to citizens (water levels, air quality). Cameras, vessels "
                                               "and network sensors never are."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return self.name

    @property
    def publishable(self) -> bool:
        return self.is_public and self.kind not in PRIVATE_KINDS


PRIVATE_KINDS = (StationKind.CAMERA, StationKind.VESSEL, StationKind.NETWORK)


class ObservedProperty(models.Model):
    """What is measured, with its unit and the range a real value can take: a reading outside it
    (a river at 400 m) is refused at ingest, not stored."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("The symbol: m, mm, µg/m³, m³/s…"))
    min_value = models.FloatField(_("lowest possible value"))
    max_value = models.FloatField(_("highest possible value"))
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=2,
                                                validators=[MaxValueValidator(6)])
    cumulative = models.BooleanField(
        _("amounts add up"), default=False, help_text=_("Rainfall: an hour's figure is the sum of its readings, not "
                                                        "their mean."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("observed property")
        verbose_name_plural = _("observed properties")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def clean(self) -> None:
        if self.min_value is not None and self.max_value is not None and self.min_value >= self.max_value:
            raise ValidationError({"max_value": _("The highest value must be above the lowest.")})

    def display_name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "vi").startswith("en") else self.name


class Datastream(models.Model):
    """One station × one property. ``code`` names it in MQTT topics
    (``opencity/ingest/<code>``) and in HTTP batches. ``last_*`` is the newest reading, for the
    map and for silent-sensor rules."""

    code = models.CharField(_("code"), max_length=80, unique=True, validators=[CODE_VALIDATOR])
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="datastreams",
                                verbose_name=_("station"))
    observed_property = models.ForeignKey(ObservedProperty, on_delete=models.PROTECT, related_name="datastreams",
                                          verbose_name=_("observed property"))
    is_active = models.BooleanField(_("active"), default=True)
    last_value = models.FloatField(null=True, blank=True, editable=False)
    last_time = models.DateTimeField(null=True, blank=True, editable=False)
    observation_count = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["station__name", "observed_property__code"]
        constraints = [models.UniqueConstraint(fields=["station", "observed_property"],
                                               name="datastream_station_property_once")]
        verbose_name = _("datastream")
        verbose_name_plural = _("datastreams")

    def __str__(self) -> str:
        return self.code

    @property
    def unit(self) -> str:
        return self.observed_property.unit


class Quality(models.TextChoices):
    GOOD = "good", pgettext_lazy("data quality", "Good")
    SUSPECT = "suspect", pgettext_lazy("data quality", "Suspect")
    ESTIMATED = "estimated", pgettext_lazy("data quality", "Estimated")


class Observation(models.Model):
    """One reading. The key is (datastream, time): a resent reading is not stored twice (the
    first one stays). On PostgreSQL, a table partitioned by month of ``phenomenon_time``."""

    pk = models.CompositePrimaryKey("datastream_id", "phenomenon_time")
    datastream = models.ForeignKey(Datastream, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                                   related_name="+")  # the key leads with it
    phenomenon_time = models.DateTimeField()
    value = models.FloatField()
    quality = models.CharField(max_length=10, choices=Quality.choices, default=Quality.GOOD)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phenomenon_time"]

    def __str__(self) -> str:
        return f"{self.datastream_id}@{self.phenomenon_time:%Y-%m-%d %H:%M}={self.value}"


class ObservationHour(models.Model):
    """The hourly roll-up of a datastream, kept up to date at ingest (charts of a month read
    these: 744 rows, whatever the number of readings)."""

    pk = models.CompositePrimaryKey("datastream_id", "hour")
    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, db_index=False, related_name="+")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField()
    total = models.FloatField()
    minimum = models.FloatField()
    maximum = models.FloatField()

    class Meta:
        ordering = ["hour"]

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0


class ItemKind(models.TextChoices):
    CAMERA_VIOLATION = "camera_violation", _("Traffic violation")
    VESSEL_POSITION = "vessel_position", _("Vessel position")
    SECURITY_ALERT = "security_alert", _("Security alert")
    DAM_OPERATION = "dam_operation", _("Reservoir operation")


class Item(models.Model):
    """Something a source reports that is not a number: typed, with its payload. ``dedup_key``
    (the source's own id of the item, or a hash of it) makes a resent item a no-op.
    ``subject`` is what rules group by: a licence plate, a vessel's registration, a host."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    kind = models.CharField(max_length=20, choices=ItemKind.choices, db_index=True)
    dedup_key = models.CharField(max_length=120)
    subject = models.CharField(max_length=60, blank=True)
    observed_at = models.DateTimeField(db_index=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-observed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "dedup_key"], name="monitoring_item_once")]
        indexes = [models.Index(fields=["kind", "subject", "observed_at"], name="monitoring_item_subject")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.observed_at:%Y-%m-%d %H:%M}"


# --- rules -----------------------------------------------------------------------------------------


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("Levels (with hysteresis)")
    RATE_OF_RISE = "rate_of_rise", _("Rate of rise")
    ROLLING_SUM = "rolling_sum", _("Rolling total (rainfall)")
    CURVE = "curve", _("Above an operating curve")
    SILENCE = "silence", _("Silent sensor")
    REPEAT = "repeat", _("Repeated by the same subject")
    ZONE_EXIT = "zone_exit", _("Outside the permitted zone")


NUMERIC_RULES = (RuleKind.THRESHOLD, RuleKind.RATE_OF_RISE, RuleKind.ROLLING_SUM, RuleKind.CURVE,
                 RuleKind.SILENCE)
ITEM_RULES = (RuleKind.REPEAT, RuleKind.ZONE_EXIT)


class Severity(models.TextChoices):
    INFO = "info", pgettext_lazy("monitoring severity", "Information")
    WARNING = "warning", pgettext_lazy("monitoring severity", "Warning")
    URGENT = "urgent", pgettext_lazy("monitoring severity", "Urgent")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.URGENT: 2}


class Rule(models.Model):
    """A rule the admin writes. It applies to one datastream, or to every datastream of a
    property (of one station kind), or to the items of one kind. What each kind reads:

    - ``threshold``: its levels (:class:`RuleLevel`, e.g. BĐ1/BĐ2/BĐ3 or the AQI bands); a level
      is reached when the value passes it and left only when the value comes back past it by
      ``hysteresis`` (a value wobbling around a level raises nothing new);
    - ``rate_of_rise``: the value rose by ``limit`` or more within ``window_minutes``;
    - ``rolling_sum``: the total over ``window_minutes`` reaches its levels (rainfall);
    - ``curve``: above the operating curve (``curve``: [["MM-DD", value], …], read linearly
      between points) by ``limit`` or more;
    - ``silence``: no reading for ``window_minutes``;
    - ``repeat``: ``limit`` items or more with the same subject within ``window_minutes``;
    - ``zone_exit``: a position outside ``zone`` (a GeoJSON polygon)."""

    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    datastream = models.ForeignKey(Datastream, null=True, blank=True, on_delete=models.CASCADE, related_name="rules",
                                   verbose_name=_("datastream"), help_text=_("One datastream; or leave empty and "
                                                                            "choose a property."))
    observed_property = models.ForeignKey(ObservedProperty, null=True, blank=True, on_delete=models.CASCADE,
                                          related_name="rules", verbose_name=_("every datastream of"))
    station_kind = models.CharField(_("only stations of kind"), max_length=16, choices=StationKind.choices,
                                    blank=True)
    item_kind = models.CharField(_("items of kind"), max_length=20, choices=ItemKind.choices, blank=True)
    direction = models.CharField(_("direction"), max_length=5, default="above",
                                 choices=[("above", _("above")), ("below", _("below"))])
    hysteresis = models.FloatField(_("hysteresis"), default=0, validators=[MinValueValidator(0)],
                                   help_text=_("How far back past a level the value must come to leave it."))
    window_minutes = models.PositiveIntegerField(_("window (minutes)"), null=True, blank=True,
                                                 validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 31)])
    limit = models.FloatField(_("limit"), null=True, blank=True,
                              help_text=_("Rise, margin above the curve, or count, as the kind says."))
    curve = models.JSONField(_("operating curve"), null=True, blank=True)
    zone = models.JSONField(_("permitted zone (GeoJSON polygon)"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.WARNING,
                                help_text=_("For kinds without levels."))
    is_active = models.BooleanField(_("active"), default=True)
    warning_event = models.CharField(
        _("warning type"), max_length=20, blank=True,
        help_text=_("The hazard a warning drafted from its events is about (flood, air quality…)."))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from . import rules

        rules.validate_rule(self)


class RuleLevel(models.Model):
    """One level of a threshold or rolling-total rule: BĐ1 at 3.5 m at Kim Long, say."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(_("code"), max_length=12, help_text=_("BD1, BD2, BD3, AQI4…"))
    name = models.CharField(_("name"), max_length=80, help_text=_("Báo động I…"))
    value = models.FloatField(_("value"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.WARNING)

    class Meta:
        ordering = ["rule", "value"]
        constraints = [models.UniqueConstraint(fields=["rule", "code"], name="rule_level_code_once")]
        verbose_name = _("level")
        verbose_name_plural = _("levels")

    def __str__(self) -> str:
        return f"{self.code} {self.value:g}"


class RuleState(models.Model):
    """Where a rule stands for one datastream or subject: the level reached (0: none) and the
    event of the episode in progress. Written in the transaction of the readings that move it,
    under a row lock, so two workers judging the same datastream cannot both raise."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="states")
    key = models.CharField(max_length=120)  # "ds:<id>" or "<subject>"
    level = models.PositiveSmallIntegerField(default=0)
    event = models.ForeignKey("MonitoringEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="rule_state_once")]


# --- the events people act on --------------------------------------------------------------------


class EventStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("monitoring event", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("monitoring event", "Acknowledged")
    RESOLVED = "resolved", pgettext_lazy("monitoring event", "Resolved")


class MonitoringEvent(models.Model):
    """One episode of a rule for one datastream or subject: raised once, counted while it lasts
    (``count``, ``first_seen``, ``last_seen``, the highest level and value), ended in the data
    when the value comes back (``cleared_at``), and closed by a person (``resolved``)."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="events")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="events")
    datastream = models.ForeignKey(Datastream, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    subject = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=240)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.WARNING)
    level = models.PositiveSmallIntegerField(default=0)
    level_code = models.CharField(max_length=12, blank=True)
    level_name = models.CharField(max_length=80, blank=True)
    value = models.FloatField(null=True, blank=True)  # the value that last moved it
    peak_value = models.FloatField(null=True, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    count = models.PositiveIntegerField(default=1)
    cleared_at = models.DateTimeField(null=True, blank=True)
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=EventStatus.choices, default=EventStatus.OPEN, db_index=True)
    version = models.PositiveIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    incident = models.ForeignKey("incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="monitoring_events")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen", "-id"]
        indexes = [models.Index(fields=["status", "-last_seen"], name="monitoring_event_open")]
        verbose_name = _("monitoring event")
        verbose_name_plural = _("monitoring events")

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"GS{self.pk:06d}" if self.pk else "GS—"

    @property
    def is_open(self) -> bool:
        return self.status != EventStatus.RESOLVED

    # What its value is in: the datastream's unit, or nothing for an event of items (its value is
    # a count, or none). Load ``datastream__observed_property`` with a list of events.
    @property
    def unit(self) -> str:
        return self.datastream.observed_property.unit if self.datastream_id else ""

    @property
    def decimals(self) -> int:
        return self.datastream.observed_property.decimals if self.datastream_id else 0


class MonitoringEventStep(LifecycleEvent):
    """The immutable log of a monitoring event (``monitoring.workflow``)."""

    event = models.ForeignKey(MonitoringEvent, on_delete=models.CASCADE, related_name="steps")

    class Meta(LifecycleEvent.Meta):
        constraints = [models.CheckConstraint(condition=~Q(action=""), name="monitoring_step_action")]


def month_start(when: dt.datetime) -> dt.datetime:
    when = when.astimezone(dt.UTC)
    return when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
