"""Every change to calls, call-backs and operator presence.

Each service runs in one transaction. Two rules hold throughout:

- A call's state is derived from its times (``Call.derive_state``); the exchange's events and
  the operators' actions only fill times in, so events that come twice or out of order give
  the same call.
- Taking a ringing call is one conditional UPDATE (``operator IS NULL``): when two operators
  press "take" together exactly one wins; the other gets a ConflictError (409).
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.accounts.models import User
from opencity.errors import ConflictError, NotFoundError, ValidationError
from opencity.lib import feed
from opencity.lib.audit import audit
from opencity.lib.phone import normalize_phone

from .models import (
    Call,
    CallBack,
    CallState,
    Direction,
    ExchangeEvent,
    OperatorPresence,
    Outcome,
    Topic,
)
from .permissions import require_console

MAX_NOTE = 2000
MAX_DURATION = 24 * 3600
CALLBACK_RETRY = dt.timedelta(minutes=30)  # "no answer": try again this much later
CALLBACK_MAX_AHEAD = dt.timedelta(days=30)
FUTURE_SKEW = dt.timedelta(minutes=5)
EVENTS = {"call.started": "started", "call.answered": "answered", "call.ended": "ended"}
_CALL_ID = re.compile(r"[A-Za-z0-9._:@\-]{1,64}")
_EXTENSION = re.compile(r"[0-9*#]{1,16}")
PAYLOAD_KEYS = ("event", "call_id", "from", "to", "at", "extension", "direction")
_WITHHELD = {"", "anonymous", "unknown", "private", "withheld", "restricted"}


# --- helpers -------------------------------------------------------------------------------

def vn_phone(raw, *, field: str = "phone") -> str:
    """A Vietnamese number typed by an operator, as E.164, or ValidationError on ``field``."""
    try:
        return normalize_phone(str(raw or ""))
    except ValidationError as exc:
        raise ValidationError(exc.message, field=field, code="phone_invalid") from None


def exchange_phone(raw) -> str:
    """A number as the exchange sends it (0905123456, 84905123456, +84905123456; a foreign
    +E.164 number is kept as it is; a withheld number is empty)."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationError(_("“from” must be a phone number."), field="from", code="phone_invalid")
    text = raw.strip()
    if text.lower() in _WITHHELD:
        return ""
    try:
        return normalize_phone(text)
    except ValidationError:
        compact = re.sub(r"[\s.\-()]", "", text)
        if compact.startswith("00"):
            compact = "+" + compact[2:]
        if re.fullmatch(r"\+[1-9]\d{7,14}", compact):
            return compact
        raise ValidationError(_("“from” is not a phone number."), field="from", code="phone_invalid") from None


def _caller_for(phone: str) -> User | None:
    return User.objects.filter(phone=phone, is_active=True).first() if phone else None


def _choice(value, choices, *, field: str, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        if required:
            raise ValidationError(_("Choose one of the offered answers."), field=field, code="required")
        return ""
    if value not in choices.values:
        raise ValidationError(_("Choose one of the offered answers."), field=field, code="invalid_choice")
    return value


def _note(note) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_("At most %(n)d characters, please (you wrote %(m)d).") % {"n": MAX_NOTE, "m": len(note)},
                              field="note", code="too_long")
    return note


def _duration(value, *, required: bool = False) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError(_("Enter the duration in seconds."), field="duration_seconds", code="required")
        return None
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter the duration in seconds."), field="duration_seconds",
                              code="duration_invalid") from None
    if not 0 <= seconds <= MAX_DURATION:
        raise ValidationError(_("The duration must be between 0 and 24 hours."), field="duration_seconds",
                              code="duration_invalid")
    return seconds


def _aware(value, *, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError(_("Enter a date and time."), field=field, code="datetime_invalid")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _touch_presence(user, at) -> None:
    OperatorPresence.objects.filter(user=user).update(last_busy_at=at)


def _lock(call_id) -> Call:
    try:
        return Call.objects.select_for_update().get(pk=int(call_id))
    except (Call.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("This call does not exist.")) from None


def _save(call: Call) -> Call:
    before = call.state if call.pk else None  # as loaded: only this function sets a call's state
    call.state = call.derive_state()
    call.updated_at = timezone.now()
    # uniqueness of external_id is the database's job (a concurrent duplicate is an IntegrityError)
    call.full_clean(exclude=["caller", "operator", "offered_to", "parent"], validate_unique=False)
    call.save()
    if call.state != before:
        _publish(call)
    return call


def _publish(call: Call) -> None:
    """Tell the console feed (``lib.feed``) that a call rang, was answered, ended or was missed —
    never who called (no name, no number): the feed is shown to every operator."""
    feed.publish(kind=f"call.{call.state}", subject="call", subject_id=call.pk, ref=call.ref,
                 severity=feed.WARNING if call.state == CallState.MISSED else feed.INFO,
                 payload={"direction": call.direction, "topic": call.topic})


# --- offering ringing calls to free operators -------------------------------------------------

def free_operators():
    """Available console users with no call in progress and no call offered to them now, the
    one free longest first."""
    busy = Call.objects.filter(state=CallState.ANSWERED, operator__isnull=False).values("operator_id")
    offered = Call.objects.filter(state=CallState.RINGING, offered_to__isnull=False).values("offered_to_id")
    return (OperatorPresence.objects.filter(policy.hotline_operator_q("user__"), available=True)
            .exclude(user_id__in=busy).exclude(user_id__in=offered)
            .order_by(F("last_busy_at").asc(nulls_first=True), "since", "pk"))


def calls_offer_pending() -> int:
    """Offer every ringing inbound call nobody has been offered yet (oldest first) to a free
    operator. Called whenever a call starts or an operator becomes free."""
    offered = 0
    with transaction.atomic():
        waiting = list(Call.objects.select_for_update().filter(
            state=CallState.RINGING, direction=Direction.INBOUND, operator__isnull=True,
            offered_to__isnull=True).order_by("started_at", "pk")[:50])
        for call in waiting:
            presence = free_operators().first()
            if presence is None:
                break
            Call.objects.filter(pk=call.pk, offered_to__isnull=True).update(offered_to_id=presence.user_id)
            offered += 1
    return offered


def presence_set(*, actor, available: bool, extension: str | None = None) -> OperatorPresence:
    """Mark the operator available (calls are offered to them) or away (calls offered to them
    go to someone else)."""
    require_console(actor)
    if extension is not None:
        extension = extension.strip()
        if extension and not _EXTENSION.fullmatch(extension):
            raise ValidationError(_("An extension is up to 16 digits."), field="extension", code="extension_invalid")
    with transaction.atomic():
        presence, _created = OperatorPresence.objects.select_for_update().get_or_create(user=actor)
        if presence.available != bool(available):
            presence.since = timezone.now()
        presence.available = bool(available)
        if extension is not None:
            presence.extension = extension
        presence.save()
        if not available:
            Call.objects.filter(state=CallState.RINGING, offered_to=actor).update(offered_to=None)
        calls_offer_pending()
    return presence


# --- operators' actions ----------------------------------------------------------------------

def call_log(
    *,
    actor,
    direction: str,
    phone: str,
    started_at: dt.datetime,
    topic: str,
    outcome: str,
    duration_seconds=None,
    note: str = "",
    parent: Call | None = None,
) -> Call:
    """Log a finished call typed by an operator (no exchange, or a call taken elsewhere)."""
    require_console(actor)
    direction = _choice(direction, Direction, field="direction")
    phone = vn_phone(phone)
    started_at = _aware(started_at, field="started_at")
    now = timezone.now()
    if started_at > now + FUTURE_SKEW:
        raise ValidationError(_("The call cannot start in the future."), field="started_at", code="in_future")
    topic = _choice(topic, Topic, field="topic")
    outcome = _choice(outcome, Outcome, field="outcome")
    seconds = _duration(duration_seconds) or 0
    note = _note(note)
    missed = outcome == Outcome.NO_ANSWER
    with transaction.atomic():
        call = Call(direction=direction, phone=phone, caller=_caller_for(phone), operator=actor,
                    started_at=started_at, answered_at=None if missed else started_at,
                    ended_at=started_at + dt.timedelta(seconds=seconds),
                    duration_seconds=None if missed else seconds, topic=topic, outcome=outcome, note=note,
                    parent=parent, created_at=now)
        _save(call)
        audit(actor, "hotline.call_log", call, summary=call.ref)
    return call


def call_take(*, actor, call_id) -> Call:
    """Take a ringing (or answered-at-the-exchange, unowned) call. Exactly one operator wins."""
    require_console(actor)
    now = timezone.now()
    with transaction.atomic():
        won = Call.objects.filter(
            pk=call_id, operator__isnull=True, state__in=[CallState.RINGING, CallState.ANSWERED],
        ).update(operator=actor, offered_to=None, state=CallState.ANSWERED,
                 # an exchange clock a little ahead may have started the call "after" now
                 answered_at=Coalesce(F("answered_at"), Greatest(F("started_at"), Value(now))), updated_at=now)
        call = Call.objects.filter(pk=call_id).first()
        if call is None:
            raise NotFoundError(_("This call does not exist."))
        if not won:
            if call.operator_id == actor.pk and call.state == CallState.ANSWERED:
                return call  # a second tap
            if call.operator_id is not None:
                raise ConflictError(_("Another operator has taken this call."), code="call_taken")
            raise ConflictError(_("This call has ended."), code="call_ended")
        _touch_presence(actor, now)
        audit(actor, "hotline.call_take", call, summary=call.ref)
        _publish(call)
    return call


def call_wrap_up(
    *,
    actor,
    call_id,
    topic: str,
    outcome: str,
    note: str = "",
    duration_seconds=None,
    end: bool = False,
) -> Call:
    """Record the topic, the outcome and a note; with ``end`` also hang up a call in progress.

    The duration comes from the exchange's times when it reported both; otherwise the typed
    value is used, or the time from taking the call to now."""
    require_console(actor)
    topic = _choice(topic, Topic, field="topic")
    outcome = _choice(outcome, Outcome, field="outcome")
    note = _note(note)
    typed = _duration(duration_seconds)
    now = timezone.now()
    with transaction.atomic():
        call = _lock(call_id)
        if call.state == CallState.RINGING:
            raise ConflictError(_("Take the call first."), code="call_ringing")
        if call.operator_id is not None and call.operator_id != actor.pk and call.state == CallState.ANSWERED:
            raise ConflictError(_("Another operator has this call."), code="call_taken")
        if call.operator_id is None:
            call.operator = actor
        was_live = call.state == CallState.ANSWERED
        if end and call.ended_at is None:
            call.ended_at = max(now, call.answered_at or call.started_at, call.started_at)
        call.topic, call.outcome, call.note = topic, outcome, note
        exchange_timed = call.exchange_events.filter(event__in=["call.answered", "call.ended"]).count() == 2
        if exchange_timed:
            call.duration_seconds = call.derive_duration()
        elif typed is not None:
            call.duration_seconds = typed
        else:
            call.duration_seconds = call.derive_duration()
        _save(call)
        if was_live and call.state != CallState.ANSWERED:
            _touch_presence(actor, now)
            calls_offer_pending()
        audit(actor, "hotline.call_wrap_up", call, summary=call.ref, data={"topic": topic, "outcome": outcome})
    return call


def _link(actor, call_id, *, field: str, obj, topic: str, outcome: str) -> Call:
    require_console(actor)
    with transaction.atomic():
        call = _lock(call_id)
        getattr(call, field).add(obj)
        if not call.topic:
            call.topic = topic
        if not call.outcome or call.outcome == Outcome.CALLBACK_NEEDED:
            call.outcome = outcome
        if call.operator_id is None:
            call.operator = actor
        _save(call)
        audit(actor, f"hotline.link_{field}", call, summary=f"{call.ref} → {obj}")
    return call


def call_link_report(*, actor, call_id, report) -> Call:
    """A field report filed for the caller during (or after) this call."""
    return _link(actor, call_id, field="reports", obj=report, topic=Topic.FIELD_REPORT, outcome=Outcome.REPORT_CREATED)


def call_link_rescue(*, actor, call_id, rescue) -> Call:
    """A rescue request filed for the caller during (or after) this call."""
    return _link(actor, call_id, field="rescue_requests", obj=rescue, topic=Topic.RESCUE,
                 outcome=Outcome.RESCUE_CREATED)


def caller_history_viewed(*, actor, call: Call | None = None, phone: str = "") -> None:
    """Write to the audit log that ``actor`` looked at a caller's history (once per call and
    operator: the console refreshes the incoming panel every few seconds)."""
    require_console(actor)
    from opencity.lib.models import AuditLog

    if call is not None:
        if not AuditLog.objects.filter(actor=actor, action="hotline.caller_history", target_type="hotline.call",
                                       target_id=str(call.pk)).exists():
            audit(actor, "hotline.caller_history", call, summary=call.ref, data={"phone": call.phone})
    elif phone:
        audit(actor, "hotline.caller_history", CallerPhone(phone), summary=phone, data={"phone": phone})


class CallerPhone:
    """An audit target for a history looked up by number (no call)."""

    def __init__(self, phone: str):
        self.pk = phone


# --- call-backs --------------------------------------------------------------------------------

def callback_schedule(*, actor, call_id, due_at: dt.datetime, assigned_to_id=None, note: str = "") -> CallBack:
    require_console(actor)
    due_at = _aware(due_at, field="due_at")
    now = timezone.now()
    if due_at < now - FUTURE_SKEW:
        raise ValidationError(_("The call-back time is in the past."), field="due_at", code="in_past")
    if due_at > now + CALLBACK_MAX_AHEAD:
        raise ValidationError(_("Schedule the call-back within 30 days."), field="due_at", code="too_far")
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError(_("At most %(n)d characters, please (you wrote %(m)d).") % {"n": 500, "m": len(note)},
                              field="note", code="too_long")
    assignee = None
    if assigned_to_id not in (None, ""):
        assignee = policy.hotline_operators().filter(
            pk=assigned_to_id if str(assigned_to_id).isdigit() else 0).first()
        if assignee is None:
            raise ValidationError(_("Choose a hotline operator."), field="assigned_to", code="invalid_choice")
    with transaction.atomic():
        call = _lock(call_id)
        if not call.phone:
            raise ValidationError(_("This caller's number is unknown: there is nobody to call back."),
                                  field="due_at", code="no_number")
        callback = CallBack(call=call, due_at=due_at, assigned_to=assignee, note=note, created_by=actor, created_at=now)
        callback.full_clean()
        callback.save()
        if not call.outcome:
            call.outcome = Outcome.CALLBACK_NEEDED
            _save(call)
        audit(actor, "hotline.callback_schedule", call, summary=f"{call.ref} {due_at.isoformat()}")
    return callback


def callback_log(*, actor, callback_id, outcome: str, note: str = "", duration_seconds=None) -> Call:
    """Log the outbound call made for a call-back. "No answer" keeps the call-back open and due
    again in 30 minutes; any other outcome closes it."""
    require_console(actor)
    outcome = _choice(outcome, Outcome, field="outcome")
    note = _note(note)
    seconds = _duration(duration_seconds) or 0
    now = timezone.now()
    with transaction.atomic():
        try:
            callback = CallBack.objects.select_for_update().select_related("call").get(pk=int(callback_id))
        except (CallBack.DoesNotExist, TypeError, ValueError):
            raise NotFoundError(_("This call-back does not exist.")) from None
        if callback.done_at is not None:
            raise ConflictError(_("This call-back was already made."), code="callback_done")
        origin = callback.call
        missed = outcome == Outcome.NO_ANSWER
        started = now - dt.timedelta(seconds=seconds)
        call = Call(direction=Direction.OUTBOUND, phone=origin.phone, caller=origin.caller, operator=actor,
                    started_at=started, answered_at=None if missed else started, ended_at=now,
                    duration_seconds=None if missed else seconds, topic=origin.topic or Topic.OTHER,
                    outcome=outcome, note=note, parent=origin, created_at=now)
        _save(call)
        callback.attempts += 1
        if missed:
            callback.due_at = now + CALLBACK_RETRY
        else:
            callback.done_at = now
            callback.result_call = call
        callback.save()
        audit(actor, "hotline.callback_log", call, summary=f"{origin.ref} → {call.ref}", data={"outcome": outcome})
    return call


# --- the telephone exchange ------------------------------------------------------------------

def _parse_at(raw) -> dt.datetime:
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError(_("“at” must be an ISO-8601 date and time."), field="at", code="at_invalid")
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(_("“at” must be an ISO-8601 date and time."), field="at", code="at_invalid") from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    if value > timezone.now() + FUTURE_SKEW:
        raise ValidationError(_("“at” is in the future."), field="at", code="at_in_future")
    if value.year < 2000:
        raise ValidationError(_("“at” must be an ISO-8601 date and time."), field="at", code="at_invalid")
    return value


def exchange_event_clean(payload) -> dict:
    """Check one event from the exchange; return its cleaned fields or raise ValidationError."""
    if not isinstance(payload, dict):
        raise ValidationError(_("The body must be a JSON object."), code="body_invalid")
    event = payload.get("event")
    if event not in EVENTS:
        raise ValidationError(_("“event” must be call.started, call.answered or call.ended."), field="event",
                              code="event_invalid")
    call_id = payload.get("call_id")
    if not isinstance(call_id, str) or not _CALL_ID.fullmatch(call_id):
        raise ValidationError(_("“call_id” must be 1 to 64 letters, digits or . _ : @ -"), field="call_id",
                              code="call_id_invalid")
    if "from" not in payload:
        raise ValidationError(_("“from” is required."), field="from", code="required")
    direction = payload.get("direction", Direction.INBOUND) or Direction.INBOUND
    if direction not in Direction.values:
        raise ValidationError(_("“direction” must be inbound or outbound."), field="direction",
                              code="direction_invalid")
    extension = payload.get("extension") or ""
    if not isinstance(extension, str) or (extension and not _EXTENSION.fullmatch(extension)):
        raise ValidationError(_("“extension” must be up to 16 digits."), field="extension", code="extension_invalid")
    to = payload.get("to") or ""
    if not isinstance(to, str) or len(to) > 32:
        raise ValidationError(_("“to” must be a phone number."), field="to", code="to_invalid")
    # outbound: the other party is "to"; inbound: "from"
    party = payload.get("to") if direction == Direction.OUTBOUND else payload.get("from")
    try:
        phone = exchange_phone(party)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="to" if direction == Direction.OUTBOUND else "from",
                              code="phone_invalid") from None
    return {"kind": EVENTS[event], "event": event, "call_id": call_id, "phone": phone, "direction": direction,
            "extension": extension, "at": _parse_at(payload.get("at"))}


def exchange_event_receive(*, payload) -> tuple[Call, bool]:
    """Apply one event from the exchange; returns (call, duplicate).

    The call is found by the exchange's id (unique), so a retried event changes nothing and an
    event that arrives before the call's ``call.started`` opens the call itself."""
    data = exchange_event_clean(payload)
    at, kind = data["at"], data["kind"]
    now = timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(external_id=data["call_id"]).first()
        if call is None:
            try:
                with transaction.atomic():
                    call = Call(external_id=data["call_id"], direction=data["direction"], phone=data["phone"],
                                caller=_caller_for(data["phone"]), started_at=at, created_at=now)
                    _save(call)
            except IntegrityError:  # the same call, delivered twice at once
                call = Call.objects.select_for_update().get(external_id=data["call_id"])
        if ExchangeEvent.objects.filter(external_id=data["call_id"], event=data["event"]).exists():
            return call, True
        was_live = call.state == CallState.ANSWERED
        if kind == "started":
            call.started_at = min(call.started_at, at)
        elif kind == "answered":
            call.answered_at = min(call.answered_at, at) if call.answered_at else at
        else:
            call.ended_at = min(call.ended_at, at) if call.ended_at else at
        # an exchange's clocks may disagree by a little: the start is never after the rest
        call.started_at = min(t for t in (call.started_at, call.answered_at, call.ended_at) if t is not None)
        if call.answered_at and call.ended_at and call.ended_at < call.answered_at:
            call.answered_at = call.ended_at
        if data["extension"]:
            call.extension = data["extension"]
            if call.operator_id is None and kind == "answered":
                presence = OperatorPresence.objects.filter(policy.hotline_operator_q("user__"),
                                                           extension=data["extension"]).first()
                if presence is not None:
                    call.operator_id = presence.user_id
        if not call.phone and data["phone"]:
            call.phone, call.caller = data["phone"], _caller_for(data["phone"])
        derived = call.derive_duration()
        if derived is not None:
            call.duration_seconds = derived
        if call.derive_state() != CallState.RINGING:
            call.offered_to = None
        _save(call)
        try:
            with transaction.atomic():
                ExchangeEvent.objects.create(call=call, external_id=data["call_id"], event=data["event"], at=at,
                                             payload={k: payload[k] for k in PAYLOAD_KEYS if k in payload},
                                             received_at=now)
        except IntegrityError:  # the same event, delivered twice at once: already applied
            return call, True
        if call.operator_id and was_live and call.state != CallState.ANSWERED:
            _touch_presence(call.operator, now)
        if call.state == CallState.RINGING or (was_live and call.state != CallState.ANSWERED):
            calls_offer_pending()
            call.refresh_from_db()
    return call, False

