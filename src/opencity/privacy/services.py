"""Every state change of the privacy centre: data subject requests, the export, the erasure of
an account, the breach register. Keyword-only, in ``transaction.atomic``, audited; messages to
people through ``notifications.notify``; request states only through ``workflow.REQUEST``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencity import policy
from opencity.accounts.consent import identity_forget
from opencity.accounts.models import ApiToken, new_citizen_id
from opencity.accounts.sessions import browser_sessions_end_all
from opencity.alerts.models import Delivery
from opencity.emergency.models import OPEN_STATUSES, RescueRequest
from opencity.errors import ConflictError, PermissionDeniedError, ValidationError
from opencity.hotline.models import Call
from opencity.lib.audit import audit
from opencity.lib.models import IdempotencyRecord, StagedUpload
from opencity.notifications.models import Notification, NotificationReceipt, PushSubscription
from opencity.notifications.services import Subject, notify
from opencity.reports.models import Follow, Report

from .deadlines import request_due_at
from .models import Breach, DataSubjectRequest, ErasedAccount, RequestKind
from .registry import sections
from .workflow import REQUEST

User = get_user_model()

CITIZEN_REQUEST_KINDS = (RequestKind.CORRECTION, RequestKind.RESTRICTION, RequestKind.OBJECTION)
EXPORT_FORMAT = "opencity.personal-data"
EXPORT_VERSION = 1


def _tell(request: DataSubjectRequest, title) -> None:
    notify([request.user], verb="privacy_request", title=title, url="/privacy/requests/",
           body=gettext_lazy("Request %(ref)s") % {"ref": request.ref},
           subject=Subject("privacy", request.pk, request.ref))


def _receive(*, user, kind: str, details: str = "", actor=None) -> DataSubjectRequest:
    now = timezone.now()
    request = DataSubjectRequest(user=user, kind=kind, details=details.strip(), received_at=now,
                                 due_at=request_due_at(kind, now))
    REQUEST.apply(request, "receive", actor=actor or user, note=request.details[:500])
    return request


def privacy_request_create(*, user, kind: str, details: str) -> DataSubjectRequest:
    """A signed-in person asks for a correction, a restriction or objects to a processing; staff
    answer it in the register before ``due_at``."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDeniedError(_("Sign in to make a request about your data."))
    if kind not in CITIZEN_REQUEST_KINDS:
        raise ValidationError(_("Choose what you are asking for."), field="kind")
    if len(details.strip()) < 10:
        raise ValidationError(_("Say in a few words what your request is about."), field="details")
    if len(details) > 4000:
        raise ValidationError(_("Keep it under 4,000 characters."), field="details")
    with transaction.atomic():
        request = _receive(user=user, kind=kind, details=details)
        _tell(request, gettext_lazy("We received your privacy request"))
    return request


def _check_staff(actor) -> None:
    if not policy.can_handle_privacy(actor):
        raise PermissionDeniedError(_("The privacy register is for the city's privacy officers."))


def privacy_request_act(*, actor, request_id: int, action: str, note: str = "",
                        expected_version: int | None = None) -> DataSubjectRequest:
    """A privacy officer starts, answers or refuses a request (a refusal needs its reason, which
    the person reads). The person is told of an answer or a refusal."""
    _check_staff(actor)
    if action not in ("start", "answer", "refuse"):
        raise ValidationError(_("Unknown action."), field="action")
    note = note.strip()
    if action in ("answer", "refuse") and not note:
        raise ValidationError(_("Write the answer the person will read.") if action == "answer"
                              else _("Give the reason for refusing: the person reads it."), field="note")
    with transaction.atomic():
        request = DataSubjectRequest.objects.select_for_update().get(pk=request_id)
        changes = {"answer": note[:4000]} if action in ("answer", "refuse") else {}
        REQUEST.apply(request, action, actor=actor, note=note[:4000], changes=changes,
                      expected_version=expected_version)
        audit(actor, f"privacy.request_{action}", request, summary=f"{request.ref} {request.kind}")
        if action == "answer":
            _tell(request, gettext_lazy("Your privacy request was answered"))
        elif action == "refuse":
            _tell(request, gettext_lazy("Your privacy request was refused"))
    return request


# --- Access and portability ----------------------------------------------------------------


@dataclass(frozen=True)
class ExportSection:
    key: str
    title: str
    used_for: str
    rows: list[dict]
    truncated: bool


def personal_data(user, *, limit: int | None = None) -> list[ExportSection]:
    """Every registered section for ``user`` (a read; the export and the "My data" page)."""
    limit = limit or settings.OPENCITY_PRIVACY_EXPORT_MAX_ROWS
    out = []
    for s in sections():
        rows = s.exporter(user, limit + 1)
        out.append(ExportSection(s.key, str(s.title), str(s.used_for), rows[:limit], len(rows) > limit))
    return out


def export_document(user, *, generated_at: dt.datetime | None = None) -> dict:
    """The machine-readable export (stable keys, docs/privacy.md#the-export-format)."""
    generated_at = generated_at or timezone.now()
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": timezone.localtime(generated_at).isoformat(),
        "controller": settings.SITE_NAME,
        "sections": {s.key: {"title": s.title, "used_for": s.used_for, "rows": s.rows, "truncated": s.truncated}
                     for s in personal_data(user)},
    }


def privacy_export_request(*, user) -> DataSubjectRequest:
    """Record an access request and answer it at once: the export is built on download, for its
    owner only (``selectors.export_get``), from the data as they are at that moment."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDeniedError(_("Sign in to export your data."))
    with transaction.atomic():
        request = _receive(user=user, kind=RequestKind.EXPORT)
        REQUEST.apply(request, "answer", actor=user, changes={"answer": "export"})
    return request


# --- Deletion of an account ------------------------------------------------------------------


def erased_phone(user_id: int) -> str:
    """What replaces the phone number of an erased account: never a number anyone can sign up with."""
    return f"erased-{user_id}"[:16]


def account_erase(*, user, password: str, ip: str | None = None) -> ErasedAccount:
    """Delete a citizen's account at their request, confirmed with their password.

    The account row stays (emptied and unusable: the phone number is free to sign up again) so
    that public-interest records keep a pseudonymous author: reports stay public without the
    person, staff see ``OPENCITY_PRIVACY_ERASED_NAME``. What happens to each kind of row is the
    table in docs/privacy.md (tests replay it). Staff accounts are closed by an administrator."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDeniedError(_("Sign in to delete your account."))
    if policy.is_staff(user):
        raise PermissionDeniedError(_("A staff account is closed by an administrator, not here."))
    if not user.check_password(password or ""):
        raise ValidationError(_("Your password is not right."), field="password", code="wrong_password")
    if RescueRequest.objects.filter(requester=user, status__in=OPEN_STATUSES).exists():
        raise ConflictError(_("You have a rescue request in progress: delete your account after it is closed."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active or ErasedAccount.objects.filter(user=locked).exists():
            raise ConflictError(_("This account is already deleted."))
        request = _receive(user=locked, kind=RequestKind.DELETION)
        phone = locked.phone
        counts = {
            "reports_contact_blanked": Report.objects.filter(reporter=locked).exclude(
                reporter_name="", reporter_phone="").update(reporter_name="", reporter_phone=""),
            "rescue_contact_blanked": RescueRequest.objects.filter(requester=locked).update(
                caller_name="", caller_phone=""),
            "hotline_calls_unlinked": Call.objects.filter(Q(caller=locked) | Q(phone=phone)).update(
                caller=None, phone=""),
            "follows_deleted": Follow.objects.filter(user=locked).delete()[0],
            "notifications_deleted": Notification.objects.filter(user=locked).delete()[0],
            "warning_reads_deleted": NotificationReceipt.objects.filter(user=locked).delete()[0],
            "push_devices_deleted": PushSubscription.objects.filter(user=locked).delete()[0],
            "api_tokens_deleted": ApiToken.objects.filter(user=locked).delete()[0],
            "staged_photos_deleted": StagedUpload.objects.filter(user=locked).delete()[0],
            "idempotency_records_deleted": IdempotencyRecord.objects.filter(user=locked).delete()[0],
            "warning_deliveries_kept": Delivery.objects.filter(user=locked).count(),
            **identity_forget(user=locked),
            "browser_sessions_ended": browser_sessions_end_all(user=locked),
        }
        locked.full_name = settings.OPENCITY_PRIVACY_ERASED_NAME[:120]
        locked.phone = erased_phone(locked.pk)
        locked.email = ""
        locked.home_area = None
        locked.last_location_lat = locked.last_location_lon = None
        locked.last_location_area = None
        locked.last_location_at = None
        locked.email_notifications = False
        locked.national_id_encrypted = locked.national_id_hash = ""  # the number links to no one
        locked.verification_level, locked.verification_source, locked.verified_at = 0, "", None
        locked.is_active = False
        locked.is_staff = False
        locked.set_unusable_password()  # every session ends: its password hash no longer matches
        locked.password_changed_at = timezone.now()
        candidate = new_citizen_id()
        while User.objects.filter(citizen_id=candidate).exists():
            candidate = new_citizen_id()
        locked.citizen_id = candidate  # the old account number points to no one
        locked.save()
        REQUEST.apply(request, "answer", actor=locked, changes={"answer": "erased"})
        erased = ErasedAccount.objects.create(user=locked, request=request, counts=counts)
        # the log says what was done, never who it was (no phone, no name)
        audit(locked, "privacy.account_erase", locked, summary=request.ref, data=counts, ip=ip)
    return erased


def is_erased(user) -> bool:
    return ErasedAccount.objects.filter(user_id=getattr(user, "pk", None)).exists()


# --- Breaches ----------------------------------------------------------------------------------


BREACH_FIELDS = ("title", "description", "discovered_at", "occurred_at", "data_categories", "subject_categories",
                 "affected_count", "measures", "is_drill")


def breach_record(*, actor, title: str, discovered_at: dt.datetime, data_categories: str,
                  subject_categories: str, affected_count: int = 0, description: str = "",
                  occurred_at: dt.datetime | None = None, measures: str = "", is_drill: bool = False,
                  affected_user_ids: list[int] | None = None) -> Breach:
    """Record a breach when it is discovered: the 72-hour clock runs from ``discovered_at``."""
    _check_staff(actor)
    if discovered_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("The discovery cannot be in the future."), field="discovered_at")
    if occurred_at and occurred_at > discovered_at:
        raise ValidationError(_("It cannot have happened after it was discovered."), field="occurred_at")
    with transaction.atomic():
        breach = Breach(title=title.strip(), description=description.strip(), discovered_at=discovered_at,
                        occurred_at=occurred_at, data_categories=data_categories.strip(),
                        subject_categories=subject_categories.strip(), affected_count=affected_count,
                        measures=measures.strip(), is_drill=is_drill, recorded_by=actor)
        breach.full_clean()
        breach.save()
        if affected_user_ids:
            breach.affected_people.set(User.objects.filter(pk__in=affected_user_ids, is_active=True))
        audit(actor, "privacy.breach_record", breach, summary=breach.title)
    return breach


def breach_notify_authority(*, actor, breach_id: int, notified_at: dt.datetime, reference: str) -> Breach:
    """Record that the authority (A05) was notified: when, and its reference number."""
    _check_staff(actor)
    reference = reference.strip()
    if not reference:
        raise ValidationError(_("Give the reference of the notification."), field="reference")
    with transaction.atomic():
        breach = Breach.objects.select_for_update().get(pk=breach_id)
        if breach.authority_notified_at:
            raise ConflictError(_("The authority was already notified of this breach."))
        if notified_at < breach.discovered_at:
            raise ValidationError(_("The notification cannot be before the discovery."), field="notified_at")
        if notified_at > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("The notification cannot be in the future."), field="notified_at")
        breach.authority_notified_at = notified_at
        breach.authority_reference = reference[:120]
        breach.full_clean()
        breach.save(update_fields=["authority_notified_at", "authority_reference"])
        audit(actor, "privacy.breach_authority", breach, summary=reference)
    return breach


def breach_notify_people(*, actor, breach_id: int, message: str) -> Breach:
    """Tell the accounts affected by the breach (inbox, e-mail and SMS through ``notify``)."""
    _check_staff(actor)
    message = message.strip()
    if len(message) < 20:
        raise ValidationError(_("Tell the people what happened and what they should do."), field="message")
    with transaction.atomic():
        breach = Breach.objects.select_for_update().get(pk=breach_id)
        people = list(breach.affected_people.filter(is_active=True))
        if not people:
            raise ConflictError(_("No account is listed as affected by this breach."))
        from opencity.notifications.channels import EMAIL, INBOX, SMS

        sent = notify(people, verb="privacy_breach", title=gettext_lazy("About the safety of your personal data"),
                      body=message[:2000], subject=Subject("breach", breach.pk, breach.ref), via=(INBOX, EMAIL, SMS))
        breach.subjects_notified_at = timezone.now()
        breach.subjects_notified_count = len(sent)
        breach.save(update_fields=["subjects_notified_at", "subjects_notified_count"])
        audit(actor, "privacy.breach_people", breach, summary=f"{len(sent)}")
    return breach
