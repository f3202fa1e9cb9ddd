"""One-stop dossiers (hồ sơ một cửa) as the provincial one-stop system reports them.

The city does not process dossiers here: it mirrors their status from the one-stop system (a
scheduled pull of its JSON endpoint, or a CSV export), keeps the history of every status it has
seen, counts them per agency and ward, raises an IOC event when one becomes overdue, and lets the
applicant look theirs up. The source's code (``MaHoSo``) is the key: importing the same data
twice changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.lib.models import LifecycleEvent

from .statuses import DONE, OPEN, Status


class AgencyAlias(models.Model):
    """Another name the one-stop system uses for one of the city's units (``DonViXuLy`` that is
    not a unit's code), e.g. "UBND phường Phú Xuân" or "000.00.21.H57"."""

    alias = models.CharField(_("name or code in the one-stop system"), max_length=200, unique=True)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["alias"]
        verbose_name = _("agency alias")
        verbose_name_plural = _("agency aliases")

    def __str__(self) -> str:
        return self.alias


class Dossier(models.Model):
    code = models.CharField(_("dossier code"), max_length=60, unique=True)  # MaHoSo
    procedure_code = models.CharField(_("procedure code"), max_length=60, blank=True)  # MaTTHC
    procedure_name = models.CharField(_("procedure"), max_length=300)  # TenTTHC
    owner_name = models.CharField(_("applicant"), max_length=200, blank=True)  # ChuHoSo (never shown publicly)
    owner_phone = models.CharField(_("applicant's phone"), max_length=20, blank=True)  # SoDienThoai, +84…
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("geo.Area", verbose_name=_("ward"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    received_at = models.DateTimeField(_("received"))  # NgayTiepNhan
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # NgayHenTra
    finished_at = models.DateTimeField(_("processed"), null=True, blank=True)  # NgayKetThucXuLy
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    overdue_at = models.DateTimeField(null=True, blank=True, help_text="when the console was told it is overdue")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["unit", "received_at"], name="dossier_unit_received"),
            models.Index(fields=["area", "received_at"], name="dossier_area_received"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_done(self) -> bool:
        return self.status in DONE

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < (now or timezone.now())

    @property
    def on_time(self) -> bool | None:
        if not self.is_done or self.finished_at is None or self.due_at is None:
            return None
        return self.finished_at <= self.due_at


class DossierStep(LifecycleEvent):
    """A status the dossier was seen in (``created_at``: when this import saw it; ``given_at``:
    the time the source gave for it, when it gave one), or the moment it was found overdue."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta(LifecycleEvent.Meta):
        verbose_name = _("dossier status change")
        verbose_name_plural = _("dossier status changes")


class Follow(models.Model):
    """A signed-in person told of each status change of a dossier they proved they may see."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "dossier"], name="dossier_follow_once")]


class RunKind(models.TextChoices):
    PULL = "pull", _("Scheduled pull")
    CSV = "csv", _("CSV file")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    """One import: a pull of the endpoint or a CSV file, with what it did and each row refused."""

    kind = models.CharField(max_length=8, choices=RunKind.choices)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    name = models.CharField(max_length=200, blank=True)  # the file's name
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line": n, "code": …, "vi": …, "en": …}]
    reason = models.TextField(blank=True)  # why the whole run failed
    cursor = models.CharField(max_length=100, blank=True)  # the pull's ``since`` after this run
    attempt = models.PositiveSmallIntegerField(default=0)  # failed pulls in a row, for the backoff
    retry_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("dossier import")
        verbose_name_plural = _("dossier imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"
