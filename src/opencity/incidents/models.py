"""Command support (hỗ trợ chỉ huy điều hành): an incident and what the response to it uses.

An :class:`Incident` (a flood, a storm, a fire…) ties together the warnings, rescue requests,
hotline calls and field reports of its wards and period (:class:`IncidentLink`), who commands it
at city and ward level (:class:`RosterEntry`), its operational periods with objectives (ICS 202),
its task board (:class:`Task`, ICS 204), the teams deployed (:class:`Deployment`), assets and
stock, the shelters opened (:class:`Shelter`, :class:`ShelterStay`) and its situation reports
(:class:`SituationReport`, báo cáo nhanh: counters per ward summed to the city).

Every state machine here runs on the lifecycle kernel (``lib.lifecycle``; ``incidents.workflow``)
with its immutable log. An exercise (``is_exercise``) is excluded from every figure of the city.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.lib.models import LifecycleEvent

# --- the incident ------------------------------------------------------------------------------


class IncidentType(models.TextChoices):
    FLOOD = "flood", _("Flood")
    STORM = "storm", _("Storm")
    LANDSLIDE = "landslide", _("Landslide")
    FIRE = "fire", _("Fire")
    CHEMICAL = "chemical", _("Chemical spill")
    EPIDEMIC = "epidemic", _("Epidemic")
    OTHER = "other", _("Other")


# The types with a natural-disaster risk level (cấp độ rủi ro thiên tai 1–5, Decision
# 18/2021/QĐ-TTg); the others have none.
LEVELLED_TYPES = (IncidentType.FLOOD, IncidentType.STORM, IncidentType.LANDSLIDE)


class IncidentStatus(models.TextChoices):
    MONITORING = "monitoring", pgettext_lazy("incident status", "Monitoring")
    ACTIVE = "active", pgettext_lazy("incident status", "Response")
    RECOVERY = "recovery", pgettext_lazy("incident status", "Recovery")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")


OPEN_INCIDENT_STATUSES = (IncidentStatus.MONITORING, IncidentStatus.ACTIVE, IncidentStatus.RECOVERY)


class Incident(models.Model):
    kind = models.CharField(_("type"), max_length=12, choices=IncidentType.choices)
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(
        _("risk level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Natural-disaster risk level 1–5 (floods, storms, landslides); empty for the other types."))
    description = models.TextField(_("description"), blank=True, max_length=4000)
    areas = models.ManyToManyField("geo.Area", related_name="+", verbose_name=_("affected wards"))
    started_at = models.DateTimeField(_("start"), default=timezone.now)
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.MONITORING,
                              db_index=True)
    version = models.PositiveIntegerField(default=0)
    is_exercise = models.BooleanField(
        _("exercise"), default=False, help_text=_("A drill: excluded from the city's figures."))
    source_alert = models.ForeignKey("alerts.Alert", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("created from the warning"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    client_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return self.name

    @property
    def ref(self) -> str:
        return f"SC{self.pk:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INCIDENT_STATUSES


class IncidentEvent(LifecycleEvent):
    """One step in an incident's log (ICS 214): status changes, links, roster changes…"""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")

    class Meta(LifecycleEvent.Meta):
        pass


class LinkKind(models.TextChoices):
    ALERT = "alert", _("Warning")
    RESCUE = "rescue", _("Rescue request")
    CALL = "call", _("Hotline call")
    REPORT = "report", _("Field report")


class LinkState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    LINKED = "linked", _("Linked")
    DISMISSED = "dismissed", _("Not related")


class IncidentLink(models.Model):
    """A warning, rescue request, hotline call or field report that belongs to the incident —
    or, ``proposed``, one of its wards and period that arrived since, waiting for a commander
    to say yes or no."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=8, choices=LinkKind.choices)
    alert = models.ForeignKey("alerts.Alert", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rescue = models.ForeignKey("emergency.RescueRequest", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    call = models.ForeignKey("hotline.Call", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=LinkState.choices, default=LinkState.LINKED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(name="incident_link_one_target", condition=(
                Q(kind="alert", alert__isnull=False, rescue__isnull=True, call__isnull=True, report__isnull=True)
                | Q(kind="rescue", rescue__isnull=False, alert__isnull=True, call__isnull=True, report__isnull=True)
                | Q(kind="call", call__isnull=False, alert__isnull=True, rescue__isnull=True, report__isnull=True)
                | Q(kind="report", report__isnull=False, alert__isnull=True, rescue__isnull=True, call__isnull=True)
            )),
            models.UniqueConstraint(fields=["incident", "alert"], name="incident_link_alert_once"),
            models.UniqueConstraint(fields=["incident", "rescue"], name="incident_link_rescue_once"),
            models.UniqueConstraint(fields=["incident", "call"], name="incident_link_call_once"),
            models.UniqueConstraint(fields=["incident", "report"], name="incident_link_report_once"),
        ]

    @property
    def target(self):
        return getattr(self, self.kind)


# --- who commands -------------------------------------------------------------------------------


class CommandRole(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    DEPUTY = "deputy", _("Deputy commander")
    SECTION = "section", _("Section lead")
    EDITOR = "editor", _("Editor")


class RosterEntry(models.Model):
    """Who commands (Ban Chỉ huy PCTT và TKCN): at city level (``area`` empty) or for one ward,
    whose part only they see and edit."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="roster")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incident_roles")
    position = models.CharField(_("position"), max_length=10, choices=CommandRole.choices)
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("ward"), help_text=_("Empty: the city's command."))
    section = models.CharField(_("section"), max_length=80, blank=True,
                               help_text=_("For a section lead: operations, logistics, medical…"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "user", "area"], name="roster_once_per_ward",
                                    condition=Q(area__isnull=False)),
            models.UniqueConstraint(fields=["incident", "user"], name="roster_once_in_city_command",
                                    condition=Q(area__isnull=True)),
        ]


# --- operational periods and tasks -------------------------------------------------------------


class OperationalPeriod(models.Model):
    """A span of the response with its objectives (ICS 202), e.g. 18:00 today to 06:00."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    objectives = models.TextField(_("objectives"), max_length=4000, help_text=_("One objective per line."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["incident", "number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="period_number_once"),
            models.CheckConstraint(name="period_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
        ]

    @property
    def objective_list(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "To do")
    ASSIGNED = "assigned", pgettext_lazy("task status", "Assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("task status", "In progress")
    DONE = "done", pgettext_lazy("task status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")


class TaskPriority(models.IntegerChoices):
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class Task(models.Model):
    """One assignment on the task board (ICS 204): what, where, which team, by when."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    period = models.ForeignKey(OperationalPeriod, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="tasks")
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("ward"))
    title = models.CharField(_("task"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    deployment = models.ForeignKey("Deployment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="tasks", verbose_name=_("team"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=TaskPriority.choices,
                                                default=TaskPriority.NORMAL)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True)
    version = models.PositiveIntegerField(default=0)
    rescue = models.ForeignKey("emergency.RescueRequest", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("rescue request"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-priority", "due_at", "id"]


class TaskEvent(LifecycleEvent):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")

    class Meta(LifecycleEvent.Meta):
        pass


# --- teams deployed ---------------------------------------------------------------------------


class DeploymentStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("team deployment", "Requested")
    ASSIGNED = "assigned", pgettext_lazy("team deployment", "Assigned")
    STANDBY = "standby", pgettext_lazy("team deployment", "Standby")
    MOBILIZED = "mobilized", pgettext_lazy("team deployment", "Mobilized")
    IN_ACTION = "in_action", pgettext_lazy("team deployment", "In action")
    DEMOBILIZED = "demobilized", pgettext_lazy("team deployment", "Demobilized")


class Deployment(models.Model):
    """A team in the response: requested from its agency, assigned to the incident (and a ward),
    on standby, mobilised, in action, demobilised. The team itself — a rescue team of the SOS
    app, police, army, militia, Red Cross, volunteers — is ``emergency.RescueTeam``; its position
    comes from its phone page."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deployments")
    team = models.ForeignKey("emergency.RescueTeam", on_delete=models.PROTECT, related_name="deployments")
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("ward"))
    people = models.PositiveSmallIntegerField(_("people"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=DeploymentStatus.choices, default=DeploymentStatus.REQUESTED)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    mobilized_at = models.DateTimeField(null=True, blank=True)
    demobilized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "team__name"]
        constraints = [models.UniqueConstraint(fields=["incident", "team"], name="team_deployed_once")]

    def __str__(self) -> str:
        return str(self.team)


class DeploymentEvent(LifecycleEvent):
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="events")

    class Meta(LifecycleEvent.Meta):
        pass


# --- assets and stock ----------------------------------------------------------------------------


class AssetKind(models.TextChoices):
    BOAT = "boat", _("Boat")
    TRUCK = "truck", _("Truck")
    PUMP = "pump", _("Pump")
    GENERATOR = "generator", _("Generator")
    OTHER = "other", _("Other")


class AssetStatus(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("asset", "Available")
    ASSIGNED = "assigned", pgettext_lazy("asset", "In use")
    REPAIR = "repair", pgettext_lazy("asset", "Under repair")
    LOST = "lost", pgettext_lazy("asset", "Lost")


class Asset(models.Model):
    """A boat, a truck, a pump, a generator: who owns it, where it is, what it does now."""

    kind = models.CharField(_("type"), max_length=10, choices=AssetKind.choices)
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("number"), max_length=40, blank=True, help_text=_("Plate, hull or inventory number."))
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("owner"))
    status = models.CharField(max_length=10, choices=AssetStatus.choices, default=AssetStatus.AVAILABLE)
    version = models.PositiveIntegerField(default=0)
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets")
    deployment = models.ForeignKey(Deployment, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="assets", verbose_name=_("with the team"))
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.code}".strip()


class AssetEvent(LifecycleEvent):
    """The asset's log: assigned, returned, sent for repair, lost, found."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="events")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta(LifecycleEvent.Meta):
        pass


class StockItem(models.TextChoices):
    FOOD = "food", _("Food (rations)")
    WATER = "water", _("Drinking water (litres)")
    LIFE_JACKETS = "life_jackets", _("Life jackets")
    MEDICINE = "medicine", _("Medicine kits")


class StockMove(models.TextChoices):
    NEED = "need", _("Need reported")
    REQUISITION = "requisition", _("Requisition")
    RECEIPT = "receipt", _("Received")
    ISSUE = "issue", _("Issued")


class StockEntry(models.Model):
    """One line of the incident's stock book: a need, a requisition, goods received or issued
    (to a ward, a shelter). On hand = received − issued, never below zero."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="stock")
    item = models.CharField(_("item"), max_length=14, choices=StockItem.choices)
    move = models.CharField(_("entry"), max_length=12, choices=StockMove.choices)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("ward"))
    shelter = models.ForeignKey("Shelter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


# --- shelters -----------------------------------------------------------------------------------


class ShelterKind(models.TextChoices):
    CULTURAL_HOUSE = "cultural_house", _("Community cultural house")
    SCHOOL = "school", _("School")
    HIGH_HOUSE = "high_house", _("Three-storey house")
    OFFICE = "office", _("Public office")
    OTHER = "other", _("Other")


class Shelter(models.Model):
    """A place people are evacuated to (điểm sơ tán): a standing list, opened for an incident."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=ShelterKind.choices)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("ward"))
    address = models.CharField(_("address"), max_length=200)
    lat = models.FloatField()
    lon = models.FloatField()
    capacity_day = models.PositiveIntegerField(_("capacity by day"), validators=[MinValueValidator(1)])
    capacity_night = models.PositiveIntegerField(_("capacity at night"), validators=[MinValueValidator(1)])
    phone = models.CharField(_("phone"), max_length=16, blank=True, help_text=_("The shelter's public number."))
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="managed_shelters",
                                      verbose_name=_("managers"))
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="shelters",
                                 verbose_name=_("open for"))
    is_open = models.BooleanField(_("open"), default=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area__name", "name"]

    def __str__(self) -> str:
        return self.name


class ShelterStay(models.Model):
    """A household registered at a shelter (check-in) until it leaves (check-out). The head of
    household's name and phone are personal data: the shelter's managers and the command see
    them, the public page only counts."""

    shelter = models.ForeignKey(Shelter, on_delete=models.PROTECT, related_name="stays")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    head_name = models.CharField(_("head of household"), max_length=120)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    people = models.PositiveSmallIntegerField(_("people"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    from_area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("from ward"))
    needs = models.CharField(_("needs"), max_length=300, blank=True,
                             help_text=_("Elderly, infants, disabled, medicine…"))
    over_capacity_reason = models.CharField(max_length=300, blank=True)
    checked_in_at = models.DateTimeField(default=timezone.now)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    client_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        indexes = [models.Index(fields=["shelter", "checked_out_at"], name="shelter_stay_current")]


# --- situation reports ---------------------------------------------------------------------------


class Counter(models.TextChoices):
    """The figures of a báo cáo nhanh, in its order."""

    DEAD = "dead", _("Dead")
    MISSING = "missing", _("Missing")
    INJURED = "injured", _("Injured")
    EVACUATED_PEOPLE = "evacuated_people", _("People evacuated")
    EVACUATED_HOUSEHOLDS = "evacuated_households", _("Households evacuated")
    HOUSES_FLOODED = "houses_flooded", _("Houses flooded")
    HOUSES_DAMAGED = "houses_damaged", _("Houses damaged")
    HOUSES_COLLAPSED = "houses_collapsed", _("Houses collapsed")
    SHELTERS_OPEN = "shelters_open", _("Shelters open")
    PEOPLE_IN_SHELTERS = "people_in_shelters", _("People in shelters")
    BOATS_DEPLOYED = "boats_deployed", _("Boats deployed")
    TEAMS_DEPLOYED = "teams_deployed", _("Teams deployed")


class SituationReport(models.Model):
    """A báo cáo nhanh as of a moment: counters entered per ward, the city's total their sum;
    signed off by the commander, after which it cannot change (the next one is a new number)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sitreps")
    number = models.PositiveSmallIntegerField()
    as_of = models.DateTimeField(_("as of"))
    summary = models.TextField(_("situation and measures taken"), blank=True, max_length=8000)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["incident", "-number"]
        constraints = [models.UniqueConstraint(fields=["incident", "number"], name="sitrep_number_once")]

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class SituationCount(models.Model):
    """One counter of one ward in one report; written under its own ``version`` so that two
    commanders editing it at once cannot both win."""

    report = models.ForeignKey(SituationReport, on_delete=models.CASCADE, related_name="counts")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    counter = models.CharField(max_length=24, choices=Counter.choices)
    value = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "area", "counter"], name="sitrep_count_once"),
            models.CheckConstraint(name="sitrep_count_not_negative", condition=Q(value__gte=0)),
        ]
