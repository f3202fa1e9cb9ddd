"""The sections of "My data", one exporter per kind of personal data the city holds about a
person (registered in ``registry.py``). Rows are plain JSON values with stable keys: the
export's format, documented in docs/privacy.md. Times are ISO 8601 in Huế time.

The privacy centre sits at the top of the layers beside ``ioc`` and ``open311``, so it may read
every app's tables; each function here reads only the rows that belong to ``user``.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.accounts.consent import consent_export
from opencity.accounts.identity import national_id_of
from opencity.accounts.models import ApiToken
from opencity.emergency.models import RescueRequest
from opencity.hotline.models import Call
from opencity.notifications.models import Notification, NotificationReceipt, PushSubscription
from opencity.reports.models import Follow, Report

from .models import DataSubjectRequest
from .registry import register


def iso(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def account(user, limit: int) -> list[dict]:
    return [{
        "account_number": user.citizen_id,
        "phone": user.phone,
        "full_name": user.full_name,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "home_area": user.home_area.name if user.home_area_id else None,
        "email_notifications": user.email_notifications,
        "last_location": ({"lat": user.last_location_lat, "lon": user.last_location_lon,
                           "area": user.last_location_area.name if user.last_location_area_id else None,
                           "shared_at": iso(user.last_location_at)} if user.last_location_at else None),
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "password_changed_at": iso(user.password_changed_at),
        "verification_level": user.verification_level,
        "verification_source": user.verification_source or None,
        "verified_at": iso(user.verified_at),
        "national_id": national_id_of(user) or None,  # the person's own number, to the person only
    }]


def reports(user, limit: int) -> list[dict]:
    rows = (Report.objects.filter(reporter=user).select_related("category", "area").order_by("created_at", "id"))
    return [{
        "ref": r.ref,
        "url": f"/reports/{r.pk}/",
        "created_at": iso(r.created_at),
        "status": r.status,
        "category": r.category.name,
        "description": r.description,
        "answers": r.answers,
        "address": r.address,
        "lat": r.lat,
        "lon": r.lon,
        "ward": r.area.name,
        "public": r.is_public,
        "channel": r.channel,
        "contact_name": r.reporter_name,
        "contact_phone": r.reporter_phone,
        "rating": r.rating,
        "rating_comment": r.rating_comment,
    } for r in rows[:limit]]


def follows(user, limit: int) -> list[dict]:
    rows = Follow.objects.filter(user=user).select_related("report").order_by("created_at", "id")
    return [{"report": f.report.ref, "me_too": f.me_too, "since": iso(f.created_at)} for f in rows[:limit]]


def rescue_requests(user, limit: int) -> list[dict]:
    rows = RescueRequest.objects.filter(requester=user).order_by("created_at", "id")
    return [{
        "ref": r.ref,
        "created_at": iso(r.created_at),
        "status": r.status,
        "people": r.people,
        "needs": r.needs,
        "note": r.note,
        "place": r.place_text,
        "lat": r.lat,
        "lon": r.lon,
        "contact_name": r.caller_name,
        "contact_phone": r.caller_phone,
        "finished_at": iso(r.finished_at),
    } for r in rows[:limit]]


def hotline_calls(user, limit: int) -> list[dict]:
    """Calls the hotline linked to the account, or made from or to its phone number."""
    rows = Call.objects.filter(Q(caller=user) | Q(phone=user.phone)).order_by("started_at", "id")
    return [{
        "ref": c.ref,
        "direction": c.direction,
        "phone": c.phone,
        "started_at": iso(c.started_at),
        "duration_seconds": c.duration_seconds,
        "topic": c.topic,
        "outcome": c.outcome,
        "note": c.note,
    } for c in rows[:limit]]


def notifications(user, limit: int) -> list[dict]:
    """The person's own notifications, and the warnings (broadcasts, one row for everyone) they
    read: what is kept about them is only when they read each."""
    rows = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    own = [{
        "created_at": iso(n.created_at),
        "title": n.title,
        "about": n.reference or n.subject_type,
        "read_at": iso(n.read_at),
        "emailed_at": iso(n.emailed_at),
        "texted_at": iso(n.texted_at),
    } for n in rows[:limit]]
    receipts = (NotificationReceipt.objects.filter(user=user).select_related("notification")
                .order_by("-read_at", "-id"))
    read = [{
        "created_at": iso(r.notification.created_at),
        "title": r.notification.title,
        "about": r.notification.reference or r.notification.subject_type,
        "read_at": iso(r.read_at),
        "emailed_at": None,
        "texted_at": None,
    } for r in receipts[:limit]]
    return sorted(own + read, key=lambda row: row["created_at"] or "", reverse=True)[:limit]


def devices(user, limit: int) -> list[dict]:
    """Browsers that receive push notifications, and the app's sign-in tokens (never the secrets)."""
    push = [{"kind": "web_push", "device": p.user_agent, "since": iso(p.created_at),
             "last_success_at": iso(p.last_success_at)}
            for p in PushSubscription.objects.filter(user=user).order_by("created_at", "id")[:limit]]
    tokens = [{"kind": "app_token", "device": t.name, "since": iso(t.created_at), "expires_at": iso(t.expires_at)}
              for t in ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("created_at", "id")[:limit]]
    return push + tokens


def consents(user, limit: int) -> list[dict]:
    """The consent ledger of the identity provider (accounts/consent.py): each consent given to a
    service (``kind`` "consent") and each time a service received claims (``kind`` "release")."""
    ledger = consent_export(user)
    rows = [{"kind": "consent", **row} for row in ledger["consents"][:limit]]
    return rows + [{"kind": "release", **row} for row in ledger["releases"][:limit]]


def privacy_requests(user, limit: int) -> list[dict]:
    rows = DataSubjectRequest.objects.filter(user=user).order_by("received_at", "id")
    return [{"ref": r.ref, "kind": r.kind, "status": r.status, "received_at": iso(r.received_at),
             "due_at": iso(r.due_at), "answered_at": iso(r.answered_at), "details": r.details, "answer": r.answer}
            for r in rows[:limit]]


register("account", order=10, exporter=account, title=_("My account"),
         used_for=_("Signing in, your profile, warnings for your home ward and where you are (if you share it)."))
register("reports", order=20, exporter=reports, title=_("Reports I made"),
         used_for=_("Handling your field reports by the city's units; the report itself is public without your name."))
register("follows", order=25, exporter=follows, title=_("Reports I follow"),
         used_for=_("Telling you about the progress of these reports."))
register("rescue_requests", order=30, exporter=rescue_requests, title=_("Rescue requests"),
         used_for=_("Sending help; the operations centre and rescue teams see them."))
register("hotline_calls", order=40, exporter=hotline_calls, title=_("Hotline calls linked to my phone"),
         used_for=_("The hotline's call log: answering and calling you back."))
register("notifications", order=50, exporter=notifications, title=_("Notifications"),
         used_for=_("Your inbox of notices and warnings; copies sent by e-mail or SMS."))
register("devices", order=60, exporter=devices, title=_("Devices and push"),
         used_for=_("Push notifications to your browsers and signing in from the app."))
register("consents", order=70, exporter=consents, title=_("Consents"),
         used_for=_("What you agreed to share with each service, and when."))
register("privacy_requests", order=80, exporter=privacy_requests, title=_("My privacy requests"),
         used_for=_("Keeping track of your requests and our answers."))
