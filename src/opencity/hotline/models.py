"""The hotline (tổng đài 1900 1075): calls in and out, the operators' presence, call-backs and
the telephone exchange's events.

A call's ``state`` is derived from its three times (:meth:`Call.derive_state`): the exchange's
events only fill times in, so they can arrive twice or out of order and give the same result.
Topics and outcomes are stored as codes and translated on display. The caller's number and name
are personal data, shown only to hotline and IOC staff (policy.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.lib.credentials import EncryptedCredential


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("On the phone")
    ENDED = "ended", _("Ended")
    MISSED = "missed", _("Missed")


class Topic(models.TextChoices):
    FIELD_REPORT = "field_report", _("Field report")
    RESCUE = "rescue", _("Rescue / flood")
    WARNING_INFO = "warning_info", _("Warning information")
    PUBLIC_SERVICE = "public_service", _("Public service question")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved on the phone")
    REPORT_CREATED = "report_created", _("Field report created")
    RESCUE_CREATED = "rescue_created", _("Rescue request created")
    TRANSFERRED = "transferred", _("Transferred")
    CALLBACK_NEEDED = "callback_needed", _("Call-back needed")
    NO_ANSWER = "no_answer", _("No answer")


class Call(models.Model):
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices,
                                 default=Direction.INBOUND)
    phone = models.CharField(_("phone"), max_length=16, blank=True, db_index=True,
                             help_text="The other party, E.164 (+84…); empty when withheld.")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="hotline_calls", verbose_name=_("caller"))
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("operator"))
    offered_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text="The free operator a ringing call is shown to.")
    state = models.CharField(_("state"), max_length=8, choices=CallState.choices, default=CallState.RINGING,
                             db_index=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True,
                                   help_text="The exchange's call id (webhook retries find the same call).")
    extension = models.CharField(max_length=16, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followups",
                               help_text="For a call-back: the call it answers.")
    reports = models.ManyToManyField("reports.Report", blank=True, related_name="hotline_calls")
    rescue_requests = models.ManyToManyField("emergency.RescueRequest", blank=True, related_name="hotline_calls")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["state", "started_at"]), models.Index(fields=["operator", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | models.Q(answered_at__gte=models.F("started_at")),
                name="call_answered_after_start"),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="call_ended_after_start"),
        ]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return self.ref

    @property
    def ref(self) -> str:
        return f"CG{self.pk:06d}" if self.pk else ""

    @property
    def phone_display(self) -> str:
        from opencity.lib.phone import display_phone

        return display_phone(self.phone)

    @property
    def duration_display(self) -> str:
        """m:ss"""
        if self.duration_seconds is None:
            return ""
        minutes, seconds = divmod(self.duration_seconds, 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def is_live(self) -> bool:
        return self.state in (CallState.RINGING, CallState.ANSWERED)

    def derive_state(self) -> str:
        """The state follows from the times the exchange (or the operator) reported."""
        if self.ended_at is not None:
            return CallState.ENDED if self.answered_at is not None else CallState.MISSED
        if self.answered_at is not None:
            return CallState.ANSWERED
        return CallState.RINGING

    def derive_duration(self) -> int | None:
        """Talk time from answer to hang-up, when both are known."""
        if self.answered_at is not None and self.ended_at is not None:
            return max(0, int((self.ended_at - self.answered_at).total_seconds()))
        return None


class CallBack(models.Model):
    """A promise to call someone back. Logging it creates an outbound call (``result_call``)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("call"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("assigned to"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(_("done"), null=True, blank=True, db_index=True)
    result_call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")

    def __str__(self) -> str:
        return f"{self.call.ref} → {timezone.localtime(self.due_at):%d/%m/%Y %H:%M}"

    def is_overdue(self, now=None) -> bool:
        return self.done_at is None and self.due_at < (now or timezone.now())


class OperatorPresence(models.Model):
    """Whether a console user takes calls now; ``last_busy_at`` orders the offers (the operator
    who has been free longest gets the next call)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hotline_presence")
    available = models.BooleanField(default=False)
    extension = models.CharField(max_length=16, blank=True)
    since = models.DateTimeField(default=timezone.now)
    last_busy_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("operator presence")
        verbose_name_plural = _("operator presence")

    def __str__(self) -> str:
        return f"{self.user} ({'on' if self.available else 'off'})"


class ExchangeEvent(models.Model):
    """Every event the telephone exchange sent, once (a retry of the same event is recognised)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="exchange_events")
    external_id = models.CharField(max_length=64)
    event = models.CharField(max_length=16)
    at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["external_id", "event"], name="exchange_event_once")]


class ExchangeSecret(EncryptedCredential):
    """The secret the telephone exchange signs its webhooks with (``hotline.exchange``): a
    credential kept encrypted, because the server needs it in plain to check a signature
    (``opencity.lib.credentials.EncryptedCredential``, docs/credentials.md).

    Rotated, the old secret keeps verifying for ``rotation_grace`` (one day), so the exchange can
    be switched over without losing events. While no row exists the setting
    ``OPENCITY_HOTLINE_WEBHOOK_SECRET`` is the secret (``bootstrap_setting``); the first row —
    usually that setting's value, brought in with ``manage.py credentials issue exchange_secret
    --from-setting`` — ends it."""

    name = models.CharField(_("name"), max_length=80, default="exchange",
                            help_text=_("Which exchange or installation uses it."))

    credential_kind = "exchange_secret"
    secret_bytes = 32
    rotation_grace = dt.timedelta(days=1)
    rotation_fields = ("name",)
    bootstrap_setting = "OPENCITY_HOTLINE_WEBHOOK_SECRET"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exchange webhook secret")
        verbose_name_plural = _("exchange webhook secrets")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
