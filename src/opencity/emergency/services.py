"""Every change to rescue requests and teams. Each service runs in one transaction and goes
through :mod:`workflow` for status changes; notifications to the requester are inbox rows
(``verb="sos"``) created in the same transaction, pushed to their devices after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError
from opencity.geo.geocode import geocode
from opencity.geo.models import LocationPrecision
from opencity.geo.selectors import area_for_address, area_for_point
from opencity.lib.formtoken import already_used, clean_token
from opencity.lib.phone import normalize_phone
from opencity.lib.text import is_blank, refuse_nul, strip_invisible
from opencity.notifications.outbox import outbox_put
from opencity.notifications.services import EMAIL, WEBPUSH, Subject, notify
from opencity.reports.services.common import process_photos

from . import workflow
from .models import (
    VISITOR_ORIGINS,
    Need,
    Origin,
    RescueEvent,
    RescuePhoto,
    RescueRequest,
    RescueTeam,
    Status,
    TeamStatus,
    base_urgency,
)

MAX_PEOPLE = 500
MAX_NOTE = 1000

# What the requester is told at each step (English source, translated per recipient).
STEP_MESSAGES = {
    "acknowledge": gettext_lazy("Your rescue request was received by the operations centre."),
    "assign": gettext_lazy("A rescue team was assigned to your request."),
    "dispatch": gettext_lazy("The rescue team is on the way."),
    "arrive": gettext_lazy("The rescue team has arrived."),
    "rescue": gettext_lazy("You are marked as rescued. Stay safe."),
    "close": gettext_lazy("Your rescue request was closed."),
    "cancel": gettext_lazy("Your rescue request was cancelled."),
}


def _lock(request_id: int) -> RescueRequest:
    try:
        return RescueRequest.objects.select_for_update(of=("self",)).select_related("assigned_team").get(
            pk=request_id)
    except RescueRequest.DoesNotExist:
        raise NotFoundError(_("This rescue request does not exist.")) from None


def _replayed(req: RescueRequest, token: str | None, actor) -> bool:
    """Whether this form's one-time token already took its step on ``req`` (the form was sent
    twice: the step is not taken again, the caller answers as the first time). Checked under the
    request's row lock, so the second of two at once finds the first. Another person's token, or
    one used on another request, is a conflict."""
    if not token:
        return False
    event = RescueEvent.objects.filter(client_token=token).only("request_id", "actor_id").first()
    if event is None:
        return False
    if event.request_id != req.pk or event.actor_id != getattr(actor, "pk", None):
        raise already_used()
    return True


def _coords(lat, lon) -> tuple[float, float]:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ValidationError(_("Share your location or put the pin on the map."), field="lat",
                              code="location_required") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(_("This is not a valid location."), field="lat", code="location_invalid")
    return lat, lon


def _clean_needs(needs, *, required: bool = True) -> list[str]:
    values = []
    for n in needs or []:
        if n not in Need.values:
            raise ValidationError(_("Unknown need “%(need)s”.") % {"need": str(n)[:30]}, field="needs",
                                  code="need_invalid")
        if n not in values:
            values.append(n)
    if not values and required:
        raise ValidationError(_("Tick at least one need."), field="needs", code="needs_required")
    return values


VISITOR_SMS_KIND = "emergency.visitor_sms"


def rescue_visitor_sms(*, request_id: int, action: str) -> None:
    """The outbox's handler (life-safety priority, after the step's commit): tell a visitor
    about a step of their request by SMS, in the city's language. Payload holds ids only; the
    number is read here. At least once: a worker dying mid-way may send it twice."""
    from django.utils import translation

    from opencity.notifications.sms import send_sms

    req = RescueRequest.objects.filter(pk=request_id).first()
    message = STEP_MESSAGES.get(action)
    if req is None or message is None or not req.caller_phone:
        return
    with translation.override(settings.LANGUAGE_CODE):
        send_sms(req.caller_phone, f"{req.ref}: {message}")


def _people(people, limit: int) -> int:
    try:
        people = int(people)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter the number of people."), field="people", code="people_invalid") from None
    if not 1 <= people <= limit:
        raise ValidationError(_("The number of people must be between 1 and %(n)d.") % {"n": limit},
                              field="people", code="people_invalid")
    return people


def _note(note) -> str:
    note = (refuse_nul(note or "", field="note") or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_("At most %(n)d characters, please (you wrote %(m)d).") % {"n": MAX_NOTE, "m": len(note)},
                              field="note", code="too_long")
    return note


def link_key_hash(key: str) -> str:
    return hashlib.sha256((key or "").encode()).hexdigest()


def _notify_requester(req: RescueRequest, action: str, note: str = "") -> None:
    """Tell the requester about a step: an inbox entry, its e-mail and the web push to their
    devices, owed in this transaction (through the outbox, life-safety priority, carried out by
    the worker after the commit: ``notifications.channels``; one tag per request, so each step
    replaces the previous one on the lock screen). A push that fails is logged; the step and
    its inbox entry stand."""
    message = STEP_MESSAGES.get(action)
    if req.requester is None and req.origin == Origin.VISITOR and message is not None:
        # A visitor has no inbox and no device registered: their proven number gets an SMS
        # (not a call-back request's: that number is not proven, and it is called anyway).
        outbox_put(kind=VISITOR_SMS_KIND, payload={"request": req.pk, "action": action})
        return
    if req.requester is None or message is None:
        return
    notify([req.requester], verb="sos", title=message, body=note, url=reverse("emergency:status", args=[req.pk]),
           subject=Subject("rescue", req.pk, req.ref), urgent=True, via=(EMAIL, WEBPUSH), tag=f"sos-{req.pk}")


def rescue_request_create(
    *,
    actor,
    lat,
    lon,
    people,
    needs,
    client_token: str,
    note: str = "",
    photos=None,
    caller_name: str = "",
    caller_phone: str = "",
    for_caller: bool = False,
) -> tuple[RescueRequest, bool]:
    """File a request; returns (request, created). The same ``client_token`` always returns the
    first request made with it (a retried POST on a weak connection never duplicates)."""
    token = (client_token or "").strip()
    if not (8 <= len(token) <= 64):
        raise ValidationError(_("The form is out of date. Reload the page and send again."),
                              field="client_token", code="token_invalid")
    existing = RescueRequest.objects.filter(client_token=token).first()
    if existing is not None:
        if existing.origin in VISITOR_ORIGINS or (
                existing.requester_id not in (None, getattr(actor, "pk", None))
                and existing.filed_by_id != getattr(actor, "pk", None)):
            raise ValidationError(_("The form is out of date. Reload the page and send again."),
                                  field="client_token", code="token_invalid")
        return existing, False
    if actor is None or not actor.is_authenticated:
        raise PermissionDeniedError()
    if for_caller and not policy.can_file_for_caller(actor):
        raise PermissionDeniedError(_("Only hotline and IOC operators file requests for callers."))
    lat, lon = _coords(lat, lon)
    area = area_for_point(lat, lon)
    if area is None:
        raise ValidationError(_("This place is outside the city. Call 112 or the hotline %(hotline)s.") % {"hotline": settings.OPENCITY_HOTLINE_NUMBER},
                              field="lat", code="outside_city")
    people = _people(people, MAX_PEOPLE)
    # One tap: a person asking for themself sends the place and nothing else (the details can be
    # added after sending); an operator filing for a caller asks what is needed on the phone.
    needs = _clean_needs(needs, required=for_caller)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_("At most %(n)d characters, please (you wrote %(m)d).") % {"n": MAX_NOTE, "m": len(note)},
                              field="note", code="too_long")
    if for_caller:
        caller_name = (caller_name or "").strip()[:120]
        if not caller_name:
            raise ValidationError(_("Enter the caller's name."), field="caller_name", code="required")
        try:
            caller_phone = normalize_phone(caller_phone)
        except ValidationError as exc:
            raise ValidationError(exc.message, field="caller_phone", code="phone_invalid") from None
    processed = process_photos(photos)
    req = RescueRequest(
        requester=None if for_caller else actor, filed_by=actor if for_caller else None,
        caller_name=caller_name if for_caller else "", caller_phone=caller_phone if for_caller else "",
        lat=round(lat, 6), lon=round(lon, 6), area=area, people=people, needs=needs, note=note,
        client_token=token, urgency=base_urgency(needs, people),
        origin=Origin.CALLER if for_caller else Origin.ACCOUNT,
    )
    try:
        with transaction.atomic():
            workflow.apply(req, "file", actor=actor, data={"for_caller": for_caller})
            _save_photos(req, processed)
    except IntegrityError:
        # Two retries raced: the other one won; answer with its request.
        existing = RescueRequest.objects.filter(client_token=token).first()
        if existing is None:
            raise
        return existing, False
    return req, True


def rescue_visitor_request_create(
    *,
    phone: str,
    client_token: str,
    callback: bool = False,
    code: str = "",
    lat=None,
    lon=None,
    place_text: str = "",
    people=1,
    needs=(),
    note: str = "",
) -> tuple[RescueRequest, bool, str | None]:
    """A rescue request from someone without an account; returns (request, created, key).

    ``callback=False``: the phone number is proven by the SMS code sent to it
    (``accounts.services.phone_code_send(purpose="sos")``) and the request is dispatched like a
    citizen's. ``callback=True``: the person only asks to be called back; nothing is proven, the
    board marks it unverified, and the place may be missing (the operator asks on the phone).

    ``key`` is the secret of the visitor's status link (``/sos/v/<key>/``), returned once, on
    creation; only its hash is stored. The same ``client_token`` sent again (a retry on a weak
    connection) returns the first request and no key (the caller keeps the one it was given).
    The code is checked outside the transaction that creates the request, so a wrong guess stays
    counted (as at sign-up); it is used up in the same transaction as the creation."""
    from opencity.accounts.models import PhoneCode
    from opencity.accounts.services import phone_code_verify

    token = (client_token or "").strip()
    if not (8 <= len(token) <= 64):
        raise ValidationError(_("The form is out of date. Reload the page and send again."),
                              field="client_token", code="token_invalid")
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="phone", code="phone_invalid") from None

    def replay() -> RescueRequest | None:
        existing = RescueRequest.objects.filter(client_token=token).first()
        if existing is None:
            return None
        if existing.origin not in VISITOR_ORIGINS or existing.caller_phone != phone:
            raise ValidationError(_("The form is out of date. Reload the page and send again."),
                                  field="client_token", code="token_invalid")
        return existing

    existing = replay()
    if existing is not None:
        return existing, False, None
    f = rescue_visitor_check(callback=callback, lat=lat, lon=lon, place_text=place_text, people=people,
                             needs=needs, note=note)
    pc = None if callback else phone_code_verify(phone=phone, code=code, purpose="sos")
    key = secrets.token_urlsafe(24)
    req = RescueRequest(
        caller_phone=phone, **f, client_token=token, urgency=base_urgency(f["needs"], f["people"]),
        origin=Origin.CALLBACK if callback else Origin.VISITOR, access_hash=link_key_hash(key),
    )
    try:
        with transaction.atomic():
            if pc is not None and not PhoneCode.objects.filter(pk=pc.pk, used_at__isnull=True).update(
                    used_at=timezone.now()):
                # used by a parallel send of this same form: answer with its request
                raise IntegrityError("code used")
            workflow.apply(req, "file", actor=None, data={"origin": req.origin})
    except IntegrityError:
        existing = replay()
        if existing is None:
            raise ValidationError(_("The code is wrong or has expired. Ask for a new one."), field="code",
                                  code="bad_code") from None
        return existing, False, None
    return req, True, key


def rescue_visitor_check(*, callback: bool = False, lat=None, lon=None, place_text: str = "", people=1, needs=(),
                         note: str = "") -> dict:
    """Validate a visitor's request before anything is sent (no SMS code is spent on a place
    outside the city); returns the model's fields."""
    place_text = (refuse_nul(strip_invisible(place_text or ""), field="place_text") or "").strip()
    if len(place_text) > 200:
        raise ValidationError(_("At most %(n)d characters, please (you wrote %(m)d).") % {"n": 200, "m": len(place_text)},
                              field="place_text", code="too_long")
    area = None
    precision = LocationPrecision.EXACT
    if lat not in (None, "") or lon not in (None, ""):
        lat, lon = _coords(lat, lon)
        area = area_for_point(lat, lon)
        if area is None:
            raise ValidationError(_("This place is outside the city. Call 112 or the hotline %(hotline)s.") % {"hotline": settings.OPENCITY_HOTLINE_NUMBER},
                                  field="lat", code="outside_city")
        lat, lon = round(lat, 6), round(lon, 6)
    else:
        lat = lon = None
        if not callback and not place_text:
            raise ValidationError(_("Share your location, put the pin on the map or type where you are."),
                                  field="lat", code="location_required")
        if place_text:
            lat, lon, area, precision = _typed_place(place_text)
    people = _people(people, settings.OPENCITY_SOS_MAX_PEOPLE)
    needs = _clean_needs(needs, required=False)
    note = _note(note)
    return {"lat": lat, "lon": lon, "location_precision": precision, "area": area, "place_text": place_text,
            "people": people, "needs": needs, "note": note}


def _typed_place(text: str):
    """A typed place → (lat, lon, area, precision), as far as it can be placed: the geocoder's
    point of it (``address``, approximate: the board draws it as such and the operator confirms it
    on the phone), else the ward its text names, old or new (``area``, no point), else nothing.
    Never refused: a person in danger who typed where they are is not sent back to fix it."""
    place = geocode(text)
    if place is not None:
        return round(place.lat, 6), round(place.lon, 6), place.area, LocationPrecision.ADDRESS
    return None, None, area_for_address(text), LocationPrecision.AREA


def rescue_by_link(key: str) -> RescueRequest:
    """The visitor's request behind a status link, or NotFoundError."""
    key = (key or "").strip()
    req = None
    if 16 <= len(key) <= 64:
        req = (RescueRequest.objects.select_related("area", "assigned_team")
               .filter(access_hash=link_key_hash(key)).first())
    if req is None or not policy.can_follow_rescue_by_link(req):
        raise NotFoundError(_("This rescue request does not exist."))
    return req


def _save_photos(req: RescueRequest, processed) -> None:
    for p in processed:
        photo = RescuePhoto(request=req, width=p.width, height=p.height)
        photo.image.save("photo.jpg", p.image, save=False)
        photo.thumb.save("thumb.jpg", p.thumb, save=False)
        photo.save()


@transaction.atomic
def rescue_add_details(*, request_id: int, people=None, needs=(), note: str = "", photos=None) -> RescueRequest:
    """The requester adds what they could not say in one tap: how many people, what they need,
    a note, photos (at most ``OPENCITY_PHOTO_MAX_COUNT`` on a request in all). Allowed while the
    request is open; recorded as a public timeline step (the board sees it live). The version is
    left alone, so a dispatcher's step in flight is not refused (as with an escalation). Who may
    is the caller's check (``policy``: the requester, or the visitor holding the link)."""
    req = _lock(request_id)
    if not req.is_open:
        raise ValidationError(_("This request is closed: call one of the numbers if you need help."),
                              code="closed")
    limit = MAX_PEOPLE if req.origin == Origin.CALLER else settings.OPENCITY_SOS_MAX_PEOPLE
    people = req.people if people in (None, "") else _people(people, limit)
    extra = _clean_needs(needs, required=False)
    merged = list(dict.fromkeys([*req.needs, *extra]))
    note = _note(note)
    uploads = [u for u in (photos or []) if u]
    if uploads:
        room = settings.OPENCITY_PHOTO_MAX_COUNT - req.photos.count()
        if len(uploads) > room:
            raise ValidationError(_("At most %(n)d photos, please.") % {"n": settings.OPENCITY_PHOTO_MAX_COUNT},
                                  field="photo", code="too_many_photos")
    processed = process_photos(uploads)
    if people == req.people and merged == req.needs and not note and not processed:
        raise ValidationError(_("Nothing to add: give the number of people, a need, a note or a photo."),
                              code="empty")
    full_note = (req.note + "\n" + note).strip() if note else req.note
    if len(full_note) > MAX_NOTE:
        raise ValidationError(_("At most %(n)d characters, please (you wrote %(m)d).") % {"n": MAX_NOTE, "m": len(full_note)},
                              field="note", code="too_long")
    now = timezone.now()
    RescueRequest.objects.filter(pk=req.pk).update(people=people, needs=merged, note=full_note,
                                                   urgency=base_urgency(merged, people), updated_at=now)
    req.people, req.needs, req.note, req.urgency = people, merged, full_note, base_urgency(merged, people)
    _save_photos(req, processed)
    RescueEvent.objects.create(request=req, action="details", from_status=req.status, to_status=req.status,
                               note=note, is_public=True, created_at=now,
                               data={"people": people, "needs": merged, "photos": len(processed)})
    return req


@transaction.atomic
def rescue_acknowledge(*, actor, request_id: int, expected_version: int | None = None,
                       client_token: str | None = None) -> RescueRequest:
    if not policy.can_dispatch_rescue(actor):
        raise PermissionDeniedError()
    token = clean_token(client_token)
    req = _lock(request_id)
    if _replayed(req, token, actor):
        return req
    workflow.apply(req, "acknowledge", actor=actor, expected_version=expected_version, client_token=token)
    _notify_requester(req, "acknowledge")
    return req


@transaction.atomic
def rescue_assign(*, actor, request_id: int, team_id, expected_version: int | None = None,
                  client_token: str | None = None) -> RescueRequest:
    if not policy.can_dispatch_rescue(actor):
        raise PermissionDeniedError()
    token = clean_token(client_token)
    req = _lock(request_id)
    if _replayed(req, token, actor):  # the team was called out by the first send
        return req
    try:
        team = RescueTeam.objects.select_for_update().get(pk=int(team_id))
    except (RescueTeam.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("Choose a rescue team."), field="team", code="team_required") from None
    if team.status != TeamStatus.AVAILABLE:
        raise ValidationError(_("This team is not available."), field="team", code="team_unavailable")
    workflow.apply(req, "assign", actor=actor, expected_version=expected_version, client_token=token,
                   changes={"assigned_team_id": team.pk}, data={"team": team.name})
    req.assigned_team = team
    team.status = TeamStatus.BUSY
    team.save(update_fields=["status"])
    _notify_requester(req, "assign", team.name)
    return req


def _release_team(req: RescueRequest) -> None:
    team = req.assigned_team
    if team is None:
        return
    others = RescueRequest.objects.filter(
        assigned_team=team, status__in=(Status.ASSIGNED, Status.DISPATCHED, Status.ON_SCENE)).exclude(pk=req.pk)
    if team.status == TeamStatus.BUSY and not others.exists():
        RescueTeam.objects.filter(pk=team.pk).update(status=TeamStatus.AVAILABLE)


@transaction.atomic
def rescue_team_step(*, actor, request_id: int, action: str, note: str = "",
                     expected_version: int | None = None, client_token: str | None = None) -> RescueRequest:
    """A team member's progress: dispatched → on scene → rescued (or closed)."""
    if action not in workflow.TEAM_ACTIONS:
        raise ValidationError(_("Unknown step."), field="action", code="action_invalid")
    token = clean_token(client_token)
    req = _lock(request_id)
    if not (policy.can_act_as_team(actor, req) or policy.can_dispatch_rescue(actor)):
        raise PermissionDeniedError(_("This request is not assigned to your team."))
    if _replayed(req, token, actor):
        return req
    note = (refuse_nul(note or "", field="note") or "").strip()[:MAX_NOTE]
    workflow.apply(req, action, actor=actor, note=note, expected_version=expected_version, client_token=token)
    if action in ("rescue", "close"):
        _release_team(req)
    _notify_requester(req, action, note)
    return req


@transaction.atomic
def rescue_cancel(*, actor, request_id: int, reason: str, expected_version: int | None = None,
                  client_token: str | None = None, by_link: bool = False) -> RescueRequest:
    """``by_link``: a visitor cancels their own request from its status link (the view checked
    the link's key: :func:`rescue_by_link`)."""
    token = clean_token(client_token)
    req = _lock(request_id)
    own = (actor is not None and actor.is_authenticated and req.requester_id == actor.pk) or (
        by_link and policy.can_follow_rescue_by_link(req))
    if not (policy.can_dispatch_rescue(actor) or own):
        raise PermissionDeniedError()
    if _replayed(req, token, actor):
        return req
    reason = refuse_nul(strip_invisible(reason or ""), field="reason") or ""
    if is_blank(reason):
        raise ValidationError(_("Give a reason for cancelling."), field="reason", code="required")
    if len(reason) > 500:
        raise ValidationError(_("At most %(n)d characters, please (you wrote %(m)d).") % {"n": 500, "m": len(reason)},
                              field="reason", code="too_long")
    workflow.apply(req, "cancel", actor=actor, note=reason, expected_version=expected_version,
                   client_token=token, changes={"cancel_reason": reason})
    _release_team(req)
    if not own:
        _notify_requester(req, "cancel", reason)
    return req


@transaction.atomic
def team_report_position(*, actor, lat, lon) -> list[RescueTeam]:
    """Store the member's position as their teams' last position."""
    teams = list(RescueTeam.objects.filter(members=actor)) if actor is not None and actor.is_authenticated else []
    if not teams:
        raise PermissionDeniedError(_("You are not a member of a rescue team."))
    lat, lon = _coords(lat, lon)
    now = timezone.now()
    RescueTeam.objects.filter(pk__in=[t.pk for t in teams]).update(last_lat=round(lat, 6), last_lon=round(lon, 6),
                                                                   position_updated_at=now)
    return teams


def _escalation_recipients():
    return policy.ioc_operators_and_leaders()


def rescue_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Notify every IOC operator and leader once about each request still unacknowledged after
    OPENCITY_SOS_ACK_MINUTES. ``escalated_at`` is claimed with a conditional update, so running
    twice (or in two workers at once) notifies once."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.OPENCITY_SOS_ACK_MINUTES)
    ids = list(RescueRequest.objects.filter(status=Status.NEW, escalated_at__isnull=True, created_at__lte=cutoff)
               .values_list("pk", flat=True))
    done = 0
    for pk in ids:
        with transaction.atomic():
            if RescueRequest.objects.filter(pk=pk, escalated_at__isnull=True, status=Status.NEW).update(
                    escalated_at=now) != 1:
                continue
            req = RescueRequest.objects.select_related("area").get(pk=pk)
            req.escalated_at = now
            # Recorded in the timeline too (no status change; the version is left alone so an
            # operator's acknowledge in flight is not refused).
            RescueEvent.objects.create(request=req, action="escalate", from_status=req.status,
                                       to_status=req.status, is_public=False, created_at=now,
                                       data={"minutes": req.waiting_minutes(now)})
            notify(_escalation_recipients(), verb="sos",
                   title=gettext_lazy("Rescue request not acknowledged"),
                   body=f"{req.ref} · {req.place_label} · {req.people}",
                   url=reverse("emergency:board"), urgent=True)
            done += 1
    return done
