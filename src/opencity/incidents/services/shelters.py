"""Shelters (điểm sơ tán): opened for an incident, households checked in and out, closed after;
and the notice to the managers of an incident's open shelters.

What must hold:

- Occupancy is the people of the stays not checked out; it is never stored, so it cannot drift
  or go below zero. A check-out is done once (a second one answers with the same stay).
- A check-in that would pass the capacity of the moment (at night, 18:00–06:00 in Huế, the
  night capacity; else the day capacity) is refused with the places left, unless the person
  gives a reason, which is kept on the stay and in the audit log.
- Every check-in and check-out locks the shelter's row first (``select_for_update``): two
  check-ins at once are serialised, the second one sees the first one's people.
- The same check-in form sent twice (``client_token``) registers one household.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencity import policy
from opencity.errors import ConflictError, NotFoundError, ValidationError
from opencity.lib import feed
from opencity.lib.audit import audit
from opencity.lib.formtoken import already_used, clean_token
from opencity.lib.models import AuditLog
from opencity.lib.params import BadParameter, require_id
from opencity.lib.phone import normalize_phone
from opencity.lib.text import clean_text
from opencity.notifications import channels
from opencity.notifications.services import Subject, notify

from ..models import Incident, Shelter, ShelterStay
from .common import lock, lock_incident, require, ward

NIGHT_STARTS, NIGHT_ENDS = 18, 6  # local hours: the night capacity applies from 18:00 to 06:00
MAX_PEOPLE = 100


# --- reading the figures (also used by the selectors) -------------------------------------------


def is_night(at: dt.datetime | None = None) -> bool:
    hour = timezone.localtime(at or timezone.now()).hour
    return hour >= NIGHT_STARTS or hour < NIGHT_ENDS


def capacity_at(shelter: Shelter, at: dt.datetime | None = None) -> int:
    return shelter.capacity_night if is_night(at) else shelter.capacity_day


def occupancy_of(shelter: Shelter) -> int:
    """People checked in and not out (read it under the shelter's lock when deciding)."""
    return ShelterStay.objects.filter(shelter=shelter, checked_out_at__isnull=True).aggregate(
        n=Sum("people"))["n"] or 0


def _lock_shelter(shelter_id) -> Shelter:
    return lock(Shelter, shelter_id, message=_("This shelter does not exist."))


def _touch(shelter: Shelter) -> None:
    shelter.version += 1
    shelter.updated_at = timezone.now()
    shelter.save(update_fields=["incident", "is_open", "version", "updated_at"])


def _publish(shelter: Shelter, incident: Incident, action: str, *, occupancy: int = 0) -> None:
    """``incident.shelter_open`` / ``incident.shelter_close`` on the console feed (no names)."""
    feed.publish(kind=f"incident.shelter_{action}", subject="incident", subject_id=incident.pk, ref=incident.ref,
                 area_id=shelter.area_id, lat=shelter.lat, lon=shelter.lon, severity=feed.INFO,
                 payload={"shelter": shelter.name, "shelter_id": shelter.pk, "capacity_day": shelter.capacity_day,
                          "capacity_night": shelter.capacity_night, "occupancy": occupancy,
                          "exercise": incident.is_exercise})


# --- opening and closing --------------------------------------------------------------------------


@transaction.atomic
def shelter_open(*, actor, incident_id, shelter_id) -> Shelter:
    """Open a shelter of the standing list for an incident: one in the incident's wards, not open
    for another one. Opening it again for the same incident changes nothing."""
    incident = lock_incident(incident_id)
    shelter = _lock_shelter(shelter_id)
    require(policy.can_edit_ward_part(actor, incident, shelter.area_id))
    if not incident.is_open:
        raise ConflictError(_("This incident is closed: shelters cannot be opened for it."), code="incident_closed")
    if not incident.areas.filter(pk=shelter.area_id).exists():
        raise ValidationError(_("This shelter is not in one of the incident's wards."), field="shelter")
    if shelter.is_open:
        if shelter.incident_id == incident.pk:
            return shelter
        raise ConflictError(_("This shelter is already open for another incident: close it there first."),
                            code="shelter_taken")
    if ShelterStay.objects.filter(shelter=shelter, checked_out_at__isnull=True).exists():
        raise ConflictError(_("Households are still checked in here: check them out first."), code="shelter_occupied")
    shelter.incident, shelter.is_open = incident, True
    _touch(shelter)
    audit(actor, "incident.shelter_open", shelter, summary=shelter.name[:300], data={"incident": incident.pk})
    _publish(shelter, incident, "open")
    return shelter


@transaction.atomic
def shelter_close(*, actor, shelter_id, check_out_all: bool = False,
                  expected_version: int | None = None) -> Shelter:
    """Close an open shelter. Refused while households are checked in, unless ``check_out_all``
    (the person confirms they have all left): then they are checked out now, and it closes."""
    shelter = _lock_shelter(shelter_id)
    require(policy.can_manage_shelter(actor, shelter))
    if not shelter.is_open:
        return shelter  # closed already (a second tap): nothing to do
    if expected_version is not None and expected_version != shelter.version:
        raise ConflictError(_("Someone changed this shelter meanwhile: reload the page and try again."))
    present = ShelterStay.objects.filter(shelter=shelter, checked_out_at__isnull=True)
    households = present.count()
    if households and not check_out_all:
        raise ConflictError(
            _("%(households)d households (%(people)d people) are still checked in: check them out first.") % {
                "households": households, "people": occupancy_of(shelter)}, code="shelter_occupied")
    if households:
        present.update(checked_out_at=timezone.now())
    shelter.is_open = False
    _touch(shelter)
    audit(actor, "incident.shelter_close", shelter, summary=shelter.name[:300],
          data={"incident": shelter.incident_id, "checked_out": households})
    if shelter.incident_id is not None:
        _publish(shelter, shelter.incident, "close")
    return shelter


# --- households -----------------------------------------------------------------------------------


def _people(value) -> int:
    try:
        people = int(value)
    except (TypeError, ValueError):
        people = 0
    if not 1 <= people <= MAX_PEOPLE:
        raise ValidationError(_("A household has from 1 to %(max)d people.") % {"max": MAX_PEOPLE}, field="people")
    return people


def _phone(value) -> str:
    value = (value or "").strip()
    return normalize_phone(value) if value else ""


def _by_token(token: str | None, actor) -> ShelterStay | None:
    if token is None:
        return None
    found = ShelterStay.objects.filter(client_token=token).first()
    if found is not None and found.registered_by_id != getattr(actor, "pk", None):
        raise already_used()
    return found


def over_capacity_message(*, free: int, occupancy: int, capacity: int, people: int) -> str:
    if free <= 0:
        return _("The shelter is full (%(occupancy)d / %(capacity)d people): %(people)d more cannot be registered. "
                 "Send them to another shelter, or give a reason to register them over capacity.") % {
            "occupancy": occupancy, "capacity": capacity, "people": people}
    return _("Only %(free)d places are left (%(occupancy)d / %(capacity)d people): a household of %(people)d "
             "does not fit. Send them to another shelter, or give a reason to register them over capacity.") % {
        "free": free, "occupancy": occupancy, "capacity": capacity, "people": people}


@transaction.atomic
def shelter_check_in(*, actor, shelter_id, head_name: str, people, phone: str = "", from_area_id=None,
                     needs: str = "", over_capacity_reason: str = "", client_token: str | None = None,
                     at: dt.datetime | None = None) -> ShelterStay:
    """Register a household at an open shelter. The shelter's row is locked first, so the
    capacity check and the insert are one step for everyone registering there at once."""
    token = clean_token(client_token)
    shelter = _lock_shelter(shelter_id)
    require(policy.can_manage_shelter(actor, shelter))
    if (existing := _by_token(token, actor)) is not None:
        return existing
    if not shelter.is_open:
        raise ConflictError(_("This shelter is closed: open it for the incident first."), code="shelter_closed")
    head_name = clean_text(head_name, field="head_name", required=True, max_chars=120)
    people = _people(people)
    stay = ShelterStay(
        shelter=shelter, incident_id=shelter.incident_id, head_name=head_name, phone=_phone(phone), people=people,
        from_area=ward(from_area_id, field="from_area"), needs=clean_text(needs, field="needs", max_chars=300),
        registered_by=actor if getattr(actor, "is_authenticated", False) else None, client_token=token,
    )
    reason = clean_text(over_capacity_reason, field="over_capacity_reason", max_chars=300)
    occupancy, capacity = occupancy_of(shelter), capacity_at(shelter, at)
    over = occupancy + people > capacity
    if over and not reason:
        raise ValidationError(over_capacity_message(free=max(capacity - occupancy, 0), occupancy=occupancy,
                                                    capacity=capacity, people=people),
                              field="people", code="over_capacity")
    stay.over_capacity_reason = reason if over else ""
    if at is not None:
        stay.checked_in_at = at
    stay.full_clean(exclude=["shelter", "incident", "from_area", "registered_by", "client_token"])
    try:
        with transaction.atomic():
            stay.save()
    except IntegrityError:  # the same token, sent twice at once
        if (existing := _by_token(token, actor)) is not None:
            return existing
        raise
    shelter.updated_at = timezone.now()
    shelter.version += 1
    shelter.save(update_fields=["version", "updated_at"])
    if over:
        audit(actor, "incident.shelter_over_capacity", shelter, summary=reason,
              data={"stay": stay.pk, "people": people, "occupancy": occupancy, "capacity": capacity})
    return stay


@transaction.atomic
def shelter_check_out(*, actor, stay_id) -> ShelterStay:
    """A household leaves. Checking out a stay already checked out changes nothing."""
    try:
        pk = require_id(stay_id, field="stay")
    except BadParameter:
        raise NotFoundError() from None
    shelter_id = ShelterStay.objects.filter(pk=pk).values_list("shelter_id", flat=True).first()
    if shelter_id is None:
        raise NotFoundError(_("This household is not registered here."))
    shelter = _lock_shelter(shelter_id)  # the shelter first, as a check-in does
    require(policy.can_manage_shelter(actor, shelter))
    stay = ShelterStay.objects.select_for_update().get(pk=pk)
    if stay.checked_out_at is not None:
        return stay
    stay.checked_out_at = timezone.now()
    stay.save(update_fields=["checked_out_at"])
    shelter.updated_at = timezone.now()
    shelter.version += 1
    shelter.save(update_fields=["version", "updated_at"])
    return stay


# --- the notice to shelter managers ---------------------------------------------------------------


NOTICE_TITLE = gettext_lazy("Notice to shelter managers: %(incident)s")


@transaction.atomic
def shelter_notice(*, actor, incident_id, message: str, client_token: str | None = None) -> int:
    """Send one notice (inbox, web push, SMS) to the managers of the incident's open shelters —
    of the wards the sender commands. Returns how many people it reached; the same form sent
    twice sends once (the token is kept in the audit log) and answers the same count."""
    incident = lock_incident(incident_id)
    require(policy.can_edit_any_ward(actor, incident))
    token = clean_token(client_token)
    if token is not None:
        sent = AuditLog.objects.filter(action="incident.shelter_notice", target_type="incidents.incident",
                                       target_id=str(incident.pk), data__token=token).first()
        if sent is not None:
            if sent.actor_id != getattr(actor, "pk", None):
                raise already_used()
            return int(sent.data.get("reached", 0))
    body = clean_text(message, field="message", required=True, max_chars=500)
    shelters = [s for s in Shelter.objects.filter(incident=incident, is_open=True).prefetch_related("managers")
                if policy.can_edit_ward_part(actor, incident, s.area_id)]
    if not shelters:
        raise ValidationError(_("No shelter is open for this incident in your wards."), field="message")
    told: set[int] = set()
    for shelter in shelters:
        managers = [m for m in shelter.managers.all() if m.is_active and m.pk not in told]
        if not managers:
            continue
        told.update(m.pk for m in managers)
        notify(managers, verb="shelter_notice", title=NOTICE_TITLE % {"incident": incident.name}, body=body,
               url=reverse("incidents:shelter", args=[incident.pk, shelter.pk]),
               subject=Subject("incident", incident.pk, incident.ref), urgent=True,
               via=(channels.WEBPUSH, channels.SMS), tag=f"shelter-notice-{incident.pk}")
    audit(actor, "incident.shelter_notice", incident, summary=body[:300],
          data={"token": token, "reached": len(told), "shelters": [s.pk for s in shelters]})
    return len(told)
