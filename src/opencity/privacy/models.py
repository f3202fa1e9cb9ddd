"""The privacy centre's records (Law 91/2025/QH15 on personal data protection, Decree 356/2025/ND-CP).

- :class:`DataSubjectRequest`: a person's request to exercise a right (export, correction,
  restriction, objection, deletion), moved by the lifecycle in ``workflow.py`` and logged in
  :class:`DataSubjectRequestStep`; ``due_at`` is the legal time limit (``deadlines.py``).
- :class:`ErasedAccount`: an account erased at its owner's request (the user row stays, emptied
  and unusable, so that public-interest records keep a pseudonymous author).
- :class:`Breach`: the breach register, with the 72-hour notification clock from discovery.
- :class:`ProcessingRecord`: the record of processing, one row per service and purpose.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.lib.models import LifecycleEvent


class RequestKind(models.TextChoices):
    EXPORT = "export", _("Access and copy of my data")
    CORRECTION = "correction", _("Correction")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection to processing")
    DELETION = "deletion", _("Deletion of my account")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("privacy request", "Received")
    IN_PROGRESS = "in_progress", pgettext_lazy("privacy request", "In progress")
    ANSWERED = "answered", pgettext_lazy("privacy request", "Answered")
    REFUSED = "refused", pgettext_lazy("privacy request", "Refused")


OPEN_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class DataSubjectRequest(models.Model):
    """One request of a data subject. The person's link stays after their account is erased
    (the row points to the emptied account): the register must show what was asked and answered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="privacy_requests",
                             verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices,
                              default=RequestStatus.RECEIVED, db_index=True)
    version = models.PositiveIntegerField(default=0)
    details = models.TextField(_("what the person asks"), max_length=4000, blank=True)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        # The privacy officer's permission (policy/privacy.py), given to a staff member or a group.
        permissions = [("handle_privacy", "Can handle data subject requests, breaches and the record of processing")]
        indexes = [models.Index(fields=["user", "received_at"], name="privacy_request_user")]

    def __str__(self) -> str:
        return self.ref

    @property
    def ref(self) -> str:
        return f"DS{self.pk:06d}" if self.pk else "DS—"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())


class DataSubjectRequestStep(LifecycleEvent):
    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="steps")

    class Meta(LifecycleEvent.Meta):
        indexes = [models.Index(fields=["request", "created_at"])]


class ErasedAccount(models.Model):
    """An account its owner deleted: when, and by which request. The user row is kept, emptied."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure")
    request = models.OneToOneField(DataSubjectRequest, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict, blank=True)  # what was blanked or deleted, per kind of row

    class Meta:
        verbose_name = _("erased account")
        verbose_name_plural = _("erased accounts")


class Breach(models.Model):
    """A personal data breach (vi phạm quy định bảo vệ dữ liệu cá nhân): what happened, the
    notification to the authority within 72 hours of discovery and to the people affected."""

    title = models.CharField(_("what happened"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    discovered_at = models.DateTimeField(_("discovered at"))
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    data_categories = models.TextField(_("categories of data"))
    subject_categories = models.TextField(_("categories of people"))
    affected_count = models.PositiveIntegerField(_("people affected (estimate)"), default=0)
    measures = models.TextField(_("measures taken"), blank=True)
    is_drill = models.BooleanField(_("drill"), default=False,
                                   help_text=_("An exercise: counted apart, never notified to the authority."))
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=120, blank=True)
    affected_people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                             verbose_name=_("accounts affected"))
    subjects_notified_at = models.DateTimeField(_("people notified at"), null=True, blank=True)
    subjects_notified_count = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-discovered_at", "-id"]
        verbose_name = _("personal data breach")
        verbose_name_plural = _("personal data breaches")

    def __str__(self) -> str:
        return self.title

    @property
    def ref(self) -> str:
        return f"VP{self.pk:04d}" if self.pk else "VP—"

    @property
    def notify_due_at(self) -> dt.datetime:
        return self.discovered_at + dt.timedelta(hours=settings.OPENCITY_PRIVACY_BREACH_NOTIFY_HOURS)


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent of the person")
    CONTRACT = "contract", _("A contract with the person")
    LEGAL_OBLIGATION = "legal_obligation", _("A legal obligation")
    PUBLIC_TASK = "public_task", _("A public task of a state agency")
    EMERGENCY = "emergency", _("Life, health or safety in an emergency")


class ProcessingRecord(models.Model):
    """One processing activity (per service and purpose), as the record of processing lists it."""

    service = models.CharField(_("service"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    purpose = models.TextField(_("purpose"))
    data_categories = models.TextField(_("personal data processed"))
    subject_categories = models.CharField(_("people concerned"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    recipients = models.TextField(_("recipients"), blank=True)
    retention = models.CharField(_("retention"), max_length=200)
    transfers_abroad = models.CharField(_("transfers abroad"), max_length=200, blank=True)
    security_measures = models.TextField(_("security measures"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["service", "code"]
        verbose_name = _("processing record")
        verbose_name_plural = _("record of processing")

    def __str__(self) -> str:
        return self.service
