"""Warnings: publish, update and cancel (each an immutable CAP message), page views, and the
browsers' push subscriptions. Delivery to people is in ``delivery.py``.

Every function checks its input here (views only parse) and raises ``DomainError``s with the
field they concern, so the composer can show each message next to its field.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from opencity.geo.models import Area
from opencity.lib import feed
from opencity.lib.audit import audit
from opencity.lib.formtoken import already_used, clean_token
from opencity.lib.text import clean_text
from opencity.notifications import services as notifications
from opencity.notifications.outbox import outbox_put
from opencity.orgs.models import Unit

from .cap import cap_datetime, reference
from .delivery import DELIVER_KIND, message_notice
from .models import (
    DEFAULT_CATEGORY,
    Alert,
    Category,
    Certainty,
    Delivery,
    EventType,
    Message,
    MessageStatus,
    MsgType,
    ResponseType,
    Severity,
    Urgency,
)

HEADLINE_MAX = 160


def _choice(value, choices, *, field: str) -> str:
    if value not in choices.values:
        raise ValidationError(_("Choose one of the offered values."), field=field, code="invalid_choice")
    return value


def _when(value, *, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dt.datetime):
        raise ValidationError(_("Enter a date and time as dd/mm/yyyy hh:mm."), field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.replace(microsecond=0)


def _target(whole_city: bool, area_ids) -> list[Area]:
    if whole_city:
        return []
    ids: set[int] = set()
    for raw in area_ids or ():
        try:
            ids.add(int(getattr(raw, "pk", raw)))
        except (TypeError, ValueError):
            raise ValidationError(_("Unknown ward or commune: %(id)s.") % {"id": raw}, field="areas") from None
    if not ids:
        raise ValidationError(
            _("Choose the wards and communes to warn, or the whole city."), field="areas", code="no_target"
        )
    areas = list(Area.objects.filter(pk__in=ids, parent__code=settings.OPENCITY_CITY_CODE))
    unknown = ids - {a.pk for a in areas}
    if unknown:
        raise ValidationError(
            _("Unknown ward or commune: %(id)s.") % {"id": ", ".join(str(i) for i in sorted(unknown))},
            field="areas", code="unknown_area",
        )
    return areas


def _content(*, sent: dt.datetime, event, category, severity, urgency, certainty, response_type,
             headline_vi, description_vi, instruction_vi, headline_en, description_en, instruction_en,
             effective, onset, expires, whole_city, area_ids) -> tuple[dict, list[Area]]:
    event = _choice(event, EventType, field="event")
    category = _choice(category or DEFAULT_CATEGORY[event], Category, field="category")
    data = {
        "event": event,
        "category": category,
        "severity": _choice(severity, Severity, field="severity"),
        "urgency": _choice(urgency, Urgency, field="urgency"),
        "certainty": _choice(certainty, Certainty, field="certainty"),
        "response_type": _choice(response_type, ResponseType, field="response_type"),
        "headline_vi": clean_text(headline_vi, field="headline_vi", required=True, max_chars=HEADLINE_MAX),
        "description_vi": clean_text(description_vi, field="description_vi", required=True),
        "instruction_vi": clean_text(instruction_vi, field="instruction_vi"),
        "headline_en": clean_text(headline_en, field="headline_en", max_chars=HEADLINE_MAX),
        "description_en": clean_text(description_en, field="description_en"),
        "instruction_en": clean_text(instruction_en, field="instruction_en"),
    }
    if (data["description_en"] or data["instruction_en"]) and not data["headline_en"]:
        raise ValidationError(_("Add an English headline too, or leave the English text empty."),
                              field="headline_en")
    if data["headline_en"] and not data["description_en"]:
        raise ValidationError(_("Add the English description too."), field="description_en")
    effective = _when(effective, field="effective") or sent
    onset = _when(onset, field="onset")
    expires = _when(expires, field="expires")
    if expires is None:
        raise ValidationError(_("Say until when the warning is valid."), field="expires", code="required")
    if expires <= effective:
        raise ValidationError(_("The warning must expire after it takes effect."), field="expires",
                              code="expires_before_effective")
    if expires <= sent:
        raise ValidationError(_("This time is already past: the warning would never be in force."),
                              field="expires", code="already_expired")
    if onset is not None and onset >= expires:
        raise ValidationError(_("The expected onset must be before the warning expires."), field="onset")
    data.update(effective=effective, onset=onset, expires=expires, whole_city=bool(whole_city))
    return data, _target(bool(whole_city), area_ids)


def _issuing_unit(actor, unit) -> Unit | None:
    """The unit a warning is issued in the name of (None: the operations centre)."""
    if actor is None:
        return unit if isinstance(unit, Unit) else None
    allowed = policy.warning_unit_ids(actor)
    unit_id = getattr(unit, "pk", unit)
    if unit_id not in (None, ""):
        try:
            unit_id = int(unit_id)
        except (TypeError, ValueError):
            unit_id = -1
        if unit_id not in allowed and not (policy.is_ioc(actor) and Unit.objects.filter(
                pk=unit_id, can_issue_warnings=True, is_active=True).exists()):
            raise ValidationError(_("You cannot issue warnings in this unit's name."), field="unit")
        return Unit.objects.get(pk=unit_id)
    if policy.is_ioc(actor):
        return None
    if len(allowed) == 1:
        return Unit.objects.get(pk=next(iter(allowed)))
    raise ValidationError(_("Choose the unit the warning is issued by."), field="unit", code="unit_required")


def _identifier(alert: Alert, seq: int, sent: dt.datetime) -> str:
    # CAP: unique per sender, no spaces, commas, "<" or "&".
    return f"OC-{timezone.localtime(sent):%Y%m%d}-{alert.pk}-{seq}"


def _write_message(*, alert: Alert, msg_type: str, actor, data: dict, areas: list[Area], sent: dt.datetime,
                   note: str = "", client_token: str | None = None) -> Message:
    earlier = list(alert.messages.order_by("seq"))
    seq = len(earlier) + 1
    sender_name = alert.unit.name if alert.unit_id else settings.OPENCITY_CAP_SENDER_NAME
    message = Message(
        alert=alert, seq=seq, msg_type=msg_type, previous=earlier[-1] if earlier else None,
        identifier=_identifier(alert, seq, sent), sender=settings.OPENCITY_CAP_SENDER,
        sender_name=sender_name[:200], sent=sent, status=alert.status,
        references=" ".join(reference(m) for m in earlier), note=note, client_token=client_token,
        created_by=actor if getattr(actor, "is_authenticated", False) else None, **data,
    )
    if alert.status == MessageStatus.ACTUAL:
        # in every targeted inbox as this transaction commits: one broadcast row, not one per person
        message.notice = message_notice(message, areas, first=earlier[0] if earlier else None)
    message.full_clean(exclude=["areas", "notice"])
    message.save()
    message.areas.set(areas)
    Alert.objects.filter(pk=alert.pk).update(latest=message)
    alert.latest = message
    _publish(alert, message, areas)
    if alert.status == MessageStatus.ACTUAL:
        # owed in this transaction: a web process that dies after the commit cannot lose it
        outbox_put(kind=DELIVER_KIND, payload={"message_id": message.pk})
    return message


def _publish(alert: Alert, message: Message, areas: list[Area]) -> None:
    """Tell the console feed (``lib.feed``): a warning issued, updated or cancelled. Warnings are
    public: every console sees them; a warning for one ward carries that ward."""
    severe = message.severity in ("Extreme", "Severe") and message.msg_type != MsgType.CANCEL
    feed.publish(kind=f"alert.{message.msg_type.lower()}", subject="alert", subject_id=alert.pk, ref=alert.ref,
                 area_id=areas[0].pk if len(areas) == 1 else None,
                 severity=feed.URGENT if severe else feed.WARNING,
                 payload={"event": message.event, "severity": message.severity, "status": message.status,
                          "areas": len(areas)})


def _sent(sent: dt.datetime | None, after: Message | None = None) -> dt.datetime:
    """The message's time, to the second (as CAP writes it). Without an explicit time, a
    message follows the one it replaces by at least a second, so the chain stays ordered."""
    if sent is not None:
        return sent.replace(microsecond=0)
    now = timezone.now().replace(microsecond=0)
    if after is not None and now <= after.sent:
        now = after.sent + dt.timedelta(seconds=1)
    return now


def _replayed(token: str | None, actor, alert: Alert | None = None) -> Message | None:
    """The message this form's token already made (the form was sent twice), or None. Someone
    else's token, or one used on another warning, is a conflict."""
    if not token:
        return None
    earlier = Message.objects.select_related("alert").filter(client_token=token).first()
    if earlier is None:
        return None
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    if earlier.created_by_id != actor_id or (alert is not None and earlier.alert_id != alert.pk):
        raise already_used()
    return earlier


@transaction.atomic
def alert_publish(*, actor, event: str, severity: str, urgency: str, certainty: str, response_type: str,
                  headline_vi: str, description_vi: str, expires, category: str = "",
                  instruction_vi: str = "", headline_en: str = "", description_en: str = "",
                  instruction_en: str = "", effective=None, onset=None, whole_city: bool = False,
                  area_ids=(), status: str = MessageStatus.ACTUAL, unit=None,
                  sent: dt.datetime | None = None, client_token: str | None = None) -> Message:
    """Issue a new warning: its first message (msgType Alert), delivered after commit.

    ``actor=None`` is the system (the demo pack); ``sent`` is only for back-filling history.
    ``client_token`` is the composer's one-time token: sent again, it returns the first message
    and publishes nothing (lib/formtoken.py).
    """
    if actor is not None and not policy.can_issue_warnings(actor):
        raise PermissionDeniedError(_("You are not allowed to issue warnings."))
    token = clean_token(client_token)
    if (earlier := _replayed(token, actor)) is not None:
        return earlier
    sent = _sent(sent)
    status = _choice(status, MessageStatus, field="status")
    data, areas = _content(
        sent=sent, event=event, category=category, severity=severity, urgency=urgency,
        certainty=certainty, response_type=response_type, headline_vi=headline_vi,
        description_vi=description_vi, instruction_vi=instruction_vi, headline_en=headline_en,
        description_en=description_en, instruction_en=instruction_en, effective=effective, onset=onset,
        expires=expires, whole_city=whole_city, area_ids=area_ids,
    )
    issuing = _issuing_unit(actor, unit)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(status=status, unit=issuing, created_at=sent,
                                         created_by=actor if getattr(actor, "is_authenticated", False) else None)
            message = _write_message(alert=alert, msg_type=MsgType.ALERT, actor=actor, data=data, areas=areas,
                                     sent=sent, client_token=token)
    except IntegrityError:
        # The same form sent twice at once (PostgreSQL): the other request published it.
        if (earlier := _replayed(token, actor)) is not None:
            return earlier
        raise
    audit(actor, "warning.publish", alert, summary=message.headline_vi)
    return message


def _lock_for_change(actor, alert_id, based_on, token: str | None = None) -> tuple[Alert, Message | None]:
    """The warning, locked and checked for a change; and the message ``token`` already made, if
    the form was sent twice (checked under the lock: the second of two at once finds the first)."""
    try:
        alert = Alert.objects.select_for_update(of=("self",)).select_related("latest", "unit").get(pk=int(alert_id))
    except (Alert.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("This warning does not exist.")) from None
    if actor is not None and not policy.can_manage_warning(actor, alert):
        raise PermissionDeniedError(_("You are not allowed to change this warning."))
    if (earlier := _replayed(token, actor, alert)) is not None:
        return alert, earlier
    if alert.latest is None or alert.latest.is_cancel:
        raise ConflictError(_("This warning was cancelled: it cannot be changed any more."), code="cancelled")
    if based_on not in (None, "") and str(based_on) != str(alert.latest_id):
        raise ConflictError(_("Someone changed this warning in the meantime. Reload the page and try again."),
                            code="stale")
    return alert, None


@transaction.atomic
def alert_update(*, actor, alert_id: int, event: str, severity: str, urgency: str, certainty: str,
                 response_type: str, headline_vi: str, description_vi: str, expires, category: str = "",
                 instruction_vi: str = "", headline_en: str = "", description_en: str = "",
                 instruction_en: str = "", effective=None, onset=None, whole_city: bool = False,
                 area_ids=(), note: str = "", based_on=None, sent: dt.datetime | None = None,
                 client_token: str | None = None) -> Message:
    """A new message (msgType Update) replacing the warning's content and target.

    ``based_on`` is the message the composer saw: if another was published since, 409 — unless
    this form's ``client_token`` made it (sent twice: the first update is the answer).
    """
    token = clean_token(client_token)
    alert, earlier = _lock_for_change(actor, alert_id, based_on, token)
    if earlier is not None:
        return earlier
    sent = _sent(sent, after=alert.latest)
    data, areas = _content(
        sent=sent, event=event, category=category, severity=severity, urgency=urgency,
        certainty=certainty, response_type=response_type, headline_vi=headline_vi,
        description_vi=description_vi, instruction_vi=instruction_vi, headline_en=headline_en,
        description_en=description_en, instruction_en=instruction_en, effective=effective, onset=onset,
        expires=expires, whole_city=whole_city, area_ids=area_ids,
    )
    if sent <= alert.latest.sent:
        raise ConflictError(_("An update must be sent after the message it replaces."), code="order")
    note = clean_text(note, field="note", max_chars=1000)
    message = _write_message(alert=alert, msg_type=MsgType.UPDATE, actor=actor, data=data, areas=areas,
                             sent=sent, note=note, client_token=token)
    audit(actor, "warning.update", alert, summary=message.headline_vi)
    return message


@transaction.atomic
def alert_cancel(*, actor, alert_id: int, note: str = "", based_on=None,
                 sent: dt.datetime | None = None, client_token: str | None = None) -> Message:
    """End a warning early: a Cancel message carrying the last content and the reason (sent
    twice with the same ``client_token``: the first cancellation is the answer)."""
    token = clean_token(client_token)
    alert, earlier = _lock_for_change(actor, alert_id, based_on, token)
    if earlier is not None:
        return earlier
    sent = _sent(sent, after=alert.latest)
    if sent <= alert.latest.sent:
        raise ConflictError(_("A cancellation must be sent after the message it cancels."), code="order")
    last = alert.latest
    fields = ("event", "category", "severity", "urgency", "certainty", "response_type", "headline_vi",
              "description_vi", "instruction_vi", "headline_en", "description_en", "instruction_en",
              "effective", "onset", "expires", "whole_city")
    data = {f: getattr(last, f) for f in fields}
    note = clean_text(note, field="note", max_chars=1000)
    message = _write_message(alert=alert, msg_type=MsgType.CANCEL, actor=actor, data=data,
                             areas=list(last.areas.all()), sent=sent, note=note, client_token=token)
    audit(actor, "warning.cancel", alert, summary=note[:300])
    return message


def alert_record_view(*, alert_id: int, user=None) -> None:
    """Count a view of the public page; a targeted person opening it has read the warning's
    messages in their inbox (a receipt each, for them alone)."""
    Alert.objects.filter(pk=alert_id).update(view_count=F("view_count") + 1)
    if user is None or not user.is_authenticated:
        return
    now = timezone.now()
    notices = [pk for pk in Message.objects.filter(alert_id=alert_id, notice__isnull=False)
               .values_list("notice_id", flat=True)]
    if notices:
        notifications.broadcast_mark_read(user=user, notification_ids=notices, at=now)
    # messages from before broadcasts: the person's own delivery and inbox row
    opened = Delivery.objects.filter(alert_id=alert_id, user=user, opened_at__isnull=True)
    notification_ids = [n for n in opened.values_list("notification_id", flat=True) if n]
    if opened.update(opened_at=now) and notification_ids:
        notifications.notification_mark_read_ids(user=user, ids=notification_ids, at=now)


__all__ = [
    "alert_cancel", "alert_publish", "alert_record_view", "alert_update", "cap_datetime",
]
