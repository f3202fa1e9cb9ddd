"""Situation reports (báo cáo nhanh): start the next one (copying the last one's counts: the
figures of a báo cáo nhanh are cumulative), enter one ward's counter, fill what the system
knows, set the text, sign it off.

Each counter of each ward is its own row (``SituationCount``) written under its own
``version``: two commanders saving the same cell at once — the second gets :class:`StaleCount`
(409) carrying the cell as it is now, never a lost update. The report row is locked for every
write, so a cell cannot change while the report is being signed; a signed report never
changes again (409). The city's figure is never stored: it is the sum of the wards
(``selectors_sitreps``).
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
from opencity.lib.audit import audit
from opencity.lib.params import BadParameter, require_id
from opencity.lib.text import clean_text
from opencity.notifications.services import Subject, notify

from .. import workflow
from ..models import (
    Asset,
    AssetKind,
    AssetStatus,
    Counter,
    Deployment,
    DeploymentStatus,
    Incident,
    Shelter,
    ShelterStay,
    SituationCount,
    SituationReport,
)
from .common import lock, lock_incident, moment, require, ward

MAX_COUNT = 9_999_999  # seven digits: more than every house of the city
# The counters the system can fill from the incident's shelters, stays, assets and teams.
SYSTEM_COUNTERS = (Counter.SHELTERS_OPEN, Counter.PEOPLE_IN_SHELTERS, Counter.BOATS_DEPLOYED,
                   Counter.TEAMS_DEPLOYED)
ACTIVE_TEAMS = (DeploymentStatus.MOBILIZED, DeploymentStatus.IN_ACTION)


class StaleCount(ConflictError):
    """Someone else changed this cell since it was read: here is what it holds now."""

    code = "stale_count"

    def __init__(self, count: SituationCount):
        self.count = count
        who = count.updated_by.full_name if count.updated_by_id and count.updated_by else _("someone else")
        super().__init__(_("%(who)s changed this figure to %(value)s at %(time)s. It shows the value "
                           "now: check it and enter yours again if it still differs.") % {
            "who": who, "value": count.value,
            "time": timezone.localtime(count.updated_at).strftime("%H:%M %d/%m/%Y")})


def signed_refusal(report: SituationReport) -> ConflictError:
    who = report.signed_by.full_name if report.signed_by_id and report.signed_by else "—"
    return ConflictError(_("Report %(n)d was already signed by %(who)s at %(time)s: it cannot change. "
                           "Start the next report to update the figures.") % {
        "n": report.number, "who": who,
        "time": timezone.localtime(report.signed_at).strftime("%H:%M %d/%m/%Y")}, code="sitrep_signed")


def parse_count(raw) -> int:
    """A whole number from 0 to :data:`MAX_COUNT`, or a 400 naming ``value``."""
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, int):
        text = str(raw)
    else:
        text = str(raw if raw is not None else "").strip().replace(".", "").replace(" ", "")
    if not text:
        raise ValidationError(_("Enter a number (0 if none)."), field="value", code="required")
    if not (text.isascii() and text.isdigit()):
        raise ValidationError(_("Enter a whole number, 0 or more."), field="value")
    value = int(text)
    if value > MAX_COUNT:
        raise ValidationError(_("This number is too large."), field="value")
    return value


def _lock_report(report_id) -> SituationReport:
    return lock(SituationReport, report_id, message=_("This situation report does not exist."))


def _version(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("The page is out of date. Reload it."), field="version") from None
    if version < 0:
        raise ValidationError(_("The page is out of date. Reload it."), field="version")
    return version


@transaction.atomic
def sitrep_start(*, actor, incident_id, after: int | None = None,
                 as_of: dt.datetime | None = None) -> SituationReport:
    """Start report N+1, copying report N's counts and text so that wards update rather than
    retype. ``after``: the last number the page showed — the same form sent twice (or two
    commanders at once) gets the report already started, not a third one. Only one report is
    open at a time: N must be signed first."""
    incident = lock_incident(incident_id)
    require(policy.can_command_incident(actor, incident))
    latest = incident.sitreps.order_by("-number").first()
    if after is not None and latest is not None and latest.number > after:
        return incident.sitreps.get(number=after + 1) if incident.sitreps.filter(number=after + 1).exists() \
            else latest
    if latest is not None and not latest.is_signed:
        raise ConflictError(_("Report %(n)d is not signed yet: complete and sign it before starting the next "
                              "one.") % {"n": latest.number}, code="sitrep_open")
    if not incident.is_open:
        raise ConflictError(_("The incident is closed: reopen it to report again."), code="incident_closed")
    number = latest.number + 1 if latest else 1
    report = SituationReport.objects.create(
        incident=incident, number=number, as_of=moment(as_of, field="as_of") or timezone.now(),
        summary=latest.summary if latest else "", created_by=actor)
    previous = {(c.area_id, c.counter): c.value for c in latest.counts.all()} if latest else {}
    area_ids = set(incident.areas.values_list("pk", flat=True)) | {a for a, _c in previous}
    SituationCount.objects.bulk_create([
        SituationCount(report=report, area_id=area_id, counter=counter, value=previous.get((area_id, counter), 0),
                       updated_by=actor)
        for area_id in sorted(area_ids) for counter in Counter.values])
    workflow.INCIDENT.apply(incident, "note", actor=actor, data={"sitrep": number, "step": "start"},
                            note=_("Situation report %(n)d started") % {"n": number})
    audit(actor, "incident.sitrep_start", report, data={"incident": incident.pk, "number": number})
    return report


@transaction.atomic
def sitrep_set_count(*, actor, report_id, area_id, counter: str, value, expected_version=None) -> SituationCount:
    """One ward's counter. ``expected_version`` is the cell's version the page read: another
    value saved since → :class:`StaleCount` (409) with the cell as it is; the same value sent
    again (a retry whose answer was lost) is acknowledged, not refused."""
    report = _lock_report(report_id)
    incident = report.incident
    try:
        area_pk = require_id(area_id, field="area")
    except BadParameter:
        raise ValidationError(_("Choose a ward or commune."), field="area") from None
    require(policy.can_edit_ward_part(actor, incident, area_pk))
    if counter not in Counter.values:
        raise ValidationError(_("Unknown figure."), field="counter")
    value = parse_count(value)
    expected = _version(expected_version)
    if report.is_signed:
        raise signed_refusal(report)
    count = (SituationCount.objects.select_related("updated_by")
             .filter(report=report, area_id=area_pk, counter=counter).first())
    now = timezone.now()
    if count is None:  # a ward added to the incident after the report was started
        area = ward(area_pk, incident=incident)
        if expected not in (None, 0):
            raise NotFoundError(_("This figure does not exist."))
        try:
            with transaction.atomic():
                count = SituationCount.objects.create(report=report, area=area, counter=counter, value=value,
                                                      version=1, updated_by=actor, updated_at=now)
        except IntegrityError:
            count = SituationCount.objects.select_related("updated_by").get(report=report, area_id=area_pk,
                                                                            counter=counter)
            raise StaleCount(count) from None
    else:
        if count.value == value:
            return count  # nothing to change (or a retry of what was saved)
        if expected is not None and expected != count.version:
            raise StaleCount(count)
        changed = SituationCount.objects.filter(pk=count.pk, version=count.version).update(
            value=value, version=count.version + 1, updated_by=actor, updated_at=now)
        if changed != 1:  # pragma: no cover — the report's lock serialises writers
            count.refresh_from_db()
            raise StaleCount(count)
        before = count.value
        count.value, count.version, count.updated_by, count.updated_at = value, count.version + 1, actor, now
        audit(actor, "incident.sitrep_count", report,
              data={"area": area_pk, "counter": counter, "from": before, "to": value})
    return count


@transaction.atomic
def sitrep_update(*, actor, report_id, summary: str, as_of=None, expected_version=None) -> SituationReport:
    """The text "situation and measures taken" and the moment the report speaks of (city
    command)."""
    report = _lock_report(report_id)
    require(policy.can_command_incident(actor, report.incident))
    if report.is_signed:
        raise signed_refusal(report)
    expected = _version(expected_version)
    if expected is not None and expected != report.version:
        raise ConflictError(_("Someone else changed this report meanwhile. Reload the page to see their text."))
    values = {"summary": clean_text(summary, field="summary", max_chars=8000),
              "as_of": moment(as_of, field="as_of") or report.as_of, "version": report.version + 1}
    SituationReport.objects.filter(pk=report.pk).update(**values)
    for name, v in values.items():
        setattr(report, name, v)
    audit(actor, "incident.sitrep_update", report)
    return report


@transaction.atomic
def sitrep_sign(*, actor, report_id, expected_version=None) -> SituationReport:
    """The commander signs the report off: from now on it never changes. Signing twice is a
    409 naming who signed and when."""
    report = _lock_report(report_id)
    incident = report.incident
    require(policy.can_sign_sitrep(actor, incident))
    if report.is_signed:
        raise signed_refusal(report)
    expected = _version(expected_version)
    if expected is not None and expected != report.version:
        raise ConflictError(_("Someone else changed this report meanwhile. Reload the page and check it before "
                              "signing."))
    now = timezone.now()
    SituationReport.objects.filter(pk=report.pk).update(signed_by=actor, signed_at=now, version=report.version + 1)
    report.signed_by, report.signed_at, report.version = actor, now, report.version + 1
    workflow.INCIDENT.apply(incident, "note", actor=actor, data={"sitrep": report.number, "step": "sign"},
                            note=_("Situation report %(n)d signed") % {"n": report.number})
    audit(actor, "incident.sitrep_sign", report, data={"incident": incident.pk, "number": report.number})
    # The command is told, in each one's language (the inbox; e-mail by default): the figures
    # they entered are now the report's.
    notify(policy.incident_command_audience(incident), verb="sitrep", exclude=actor,
           title=gettext_lazy("Situation report signed"),
           body=f"{incident.ref} · {incident.name} · {report.number}",
           url=reverse("incidents:sitrep_detail", args=[incident.pk, report.number]),
           subject=Subject("incident", incident.pk, incident.ref))
    return report


def system_figures(incident: Incident, area_ids) -> dict[int, dict[str, int]]:
    """What the system knows per ward: shelters open for the incident, people staying in them,
    boats in use with a team of the ward, teams mobilised or in action there."""
    ids = list(area_ids)
    figures = {a: {c: 0 for c in SYSTEM_COUNTERS} for a in ids}
    for shelter in Shelter.objects.filter(incident=incident, is_open=True, area_id__in=ids).values("area_id"):
        figures[shelter["area_id"]][Counter.SHELTERS_OPEN] += 1
    stays = (ShelterStay.objects.filter(shelter__incident=incident, checked_out_at__isnull=True,
                                        shelter__area_id__in=ids)
             .values("shelter__area_id").annotate(people=Sum("people")))
    for row in stays:
        figures[row["shelter__area_id"]][Counter.PEOPLE_IN_SHELTERS] = row["people"] or 0
    boats = Asset.objects.filter(incident=incident, kind=AssetKind.BOAT, status=AssetStatus.ASSIGNED,
                                 deployment__area_id__in=ids).values_list("deployment__area_id", flat=True)
    for area_id in boats:
        figures[area_id][Counter.BOATS_DEPLOYED] += 1
    teams = Deployment.objects.filter(incident=incident, status__in=ACTIVE_TEAMS, area_id__in=ids)
    for area_id in teams.values_list("area_id", flat=True):
        figures[area_id][Counter.TEAMS_DEPLOYED] += 1
    return figures


def sitrep_fill_from_system(*, actor, report_id) -> int:
    """Set shelters open, people in shelters, boats and teams deployed of every ward the actor
    may edit from the incident's records; returns how many cells changed."""
    with transaction.atomic():
        report = _lock_report(report_id)
        incident = report.incident
        if report.is_signed:
            raise signed_refusal(report)
        editable = [a for a in incident.areas.values_list("pk", flat=True)
                    if policy.can_edit_ward_part(actor, incident, a)]
        require(bool(editable))
        figures = system_figures(incident, editable)
        changed = 0
        for area_id, values in figures.items():
            for counter, value in values.items():
                before = SituationCount.objects.filter(report=report, area_id=area_id, counter=counter).first()
                if before is not None and before.value == value:
                    continue
                sitrep_set_count(actor=actor, report_id=report.pk, area_id=area_id, counter=counter, value=value)
                changed += 1
        return changed
