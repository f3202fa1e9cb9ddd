"""Digital reports: request, generate, subscribe, and the monthly delivery to subscribers.

Who may do what is ``policy.can_access_digital_report`` (the console's ``kpi_bounds``), checked
here on every request and subscription, and again by the monthly job before it sends anything
(a leader who changed jobs stops receiving the reports of their former scope).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError
from opencity.geo import selectors as geo
from opencity.lib.dbrouter import on_replica
from opencity.lib.urls import absolute
from opencity.lib.worktime import TZ
from opencity.notifications.outbox import outbox_put
from opencity.notifications.services import notify
from opencity.orgs.models import Unit
from opencity.reports import kpi

from ..models import (
    DigitalReport,
    DigitalReportDelivery,
    DigitalReportFormat,
    DigitalReportLevel,
    DigitalReportStatus,
    DigitalReportSubscription,
    digital_report_target,
)
from . import content as report_content

logger = logging.getLogger(__name__)

# A queued or running report older than this is taken as lost (a worker stopped) and queued again.
STALE_AFTER = dt.timedelta(minutes=15)
MAX_MONTHS_BACK = 24
FORMAT_LABELS = {"xlsx": "XLSX", "pdf": "PDF"}


def _lazy(fn):
    """A message rendered when ``str()`` is called: notify() renders under each recipient's
    language."""

    class _Message:
        def __str__(self) -> str:
            return fn()

    return _Message()


def current_month(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate(timezone=TZ)).replace(day=1)


def month_is_allowed(month: dt.date, *, today: dt.date | None = None) -> bool:
    """One of the last 24 months (the current one included)."""
    newest = current_month(today)
    oldest = kpi.recent_periods("month", MAX_MONTHS_BACK, today=newest)[-1].start
    return oldest <= month <= newest


def _check_target(actor, level: str, area_id, unit_id):
    """Validate the level and its ward or unit, then the actor's right to them.
    Returns (area, unit); unknown input is a ValidationError (400), a scope outside the actor's
    bounds a PermissionDeniedError (403)."""
    if level not in DigitalReportLevel.values:
        raise ValidationError(_("Choose the city, a ward or commune, or a unit."), field="level")
    area = unit = None
    if level == DigitalReportLevel.WARD:
        area = geo.wards().filter(pk=area_id).first() if str(area_id or "").isdigit() else None
        if area is None:
            raise ValidationError(_("Choose a ward or commune of the city."), field="area")
    elif level == DigitalReportLevel.UNIT:
        unit = Unit.objects.filter(pk=unit_id, is_active=True).first() if str(unit_id or "").isdigit() else None
        if unit is None:
            raise ValidationError(_("Choose a unit."), field="unit")
    if not policy.can_access_digital_report(actor, level=level, area_id=area.pk if area else None,
                                            unit_id=unit.pk if unit else None):
        raise PermissionDeniedError(_("You may not see the figures of this scope."))
    return area, unit


GENERATE_KIND = "ioc.digital_report"  # {"report_id"}: digital_report_generate, in the worker


def digital_report_request(*, actor, level: str, area_id: int | None, unit_id: int | None, month: dt.date,
                           fmt: str, language: str | None = None) -> DigitalReport:
    """Queue (re)generation of a report; the worker renders it after the commit. The row is
    unique per scope, month, format and language: a new request replaces the file of the last
    one. Asking again while one is queued or running returns that one (double clicks)."""
    if fmt not in DigitalReportFormat.values:
        raise ValidationError(_("Choose XLSX or PDF."), field="format")
    if not isinstance(month, dt.date) or not month_is_allowed(month.replace(day=1)):
        raise ValidationError(_("Choose one of the last 24 months."), field="month")
    month = month.replace(day=1)
    area, unit = _check_target(actor, level, area_id, unit_id)
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    now = timezone.now()
    with transaction.atomic():
        report = (DigitalReport.objects.select_for_update(of=("self",))
                  .filter(target=digital_report_target(level, area and area.pk, unit and unit.pk),
                          month=month, format=fmt, language=language).first())
        if report is not None and report.is_pending and report.requested_at > now - STALE_AFTER:
            return report
        if report is None:
            report = DigitalReport(level=level, area=area, unit=unit, month=month, format=fmt, language=language)
        report.status = DigitalReportStatus.QUEUED
        report.requested_by = actor
        report.requested_at = now
        report.started_at = None
        report.error = ""
        report.full_clean()
        report.save()
        # owed in this transaction (the outbox): a queued report is always rendered
        outbox_put(kind=GENERATE_KIND, payload={"report_id": report.pk})
    return report


def _file_name(report: DigitalReport, moment: dt.datetime) -> str:
    return f"{report.target.replace(':', '-')}-{report.language}-{timezone.localtime(moment, TZ):%Y%m%d-%H%M%S}.{report.format}"


def digital_report_generate(*, report_id: int) -> DigitalReport | None:
    """Render a report and store its file (run by the worker; safe to run again). A failure is
    kept on the row with its error; the previous file, if any, stays until a new one is ready."""
    from . import pdf, xlsx

    with transaction.atomic():
        report = (DigitalReport.objects.select_for_update(of=("self",)).select_related("area", "unit")
                  .filter(pk=report_id).first())
        if report is None:
            return None
        report.status = DigitalReportStatus.RUNNING
        report.started_at = timezone.now()
        report.save(update_fields=["status", "started_at"])
    now = timezone.now()
    try:
        with translation.override(report.language):
            # the month's figures may be a second behind: read from the replica, if there is one
            built = on_replica(report_content.build, level=report.level, area=report.area, unit=report.unit,
                               month=report.month, language=report.language, now=now)
            data = xlsx.render(built) if report.format == DigitalReportFormat.XLSX else pdf.render(built)
    except Exception as exc:
        logger.exception("Digital report %s failed", report_id)
        DigitalReport.objects.filter(pk=report_id).update(
            status=DigitalReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now())
        report.refresh_from_db()
        return report
    with transaction.atomic():
        report = DigitalReport.objects.select_for_update(of=("self",)).filter(pk=report_id).first()
        if report is None:  # deleted meanwhile
            return None
        old = report.file.name if report.file else ""
        report.file.save(_file_name(report, now), ContentFile(data), save=False)
        report.checksum = hashlib.sha256(data).hexdigest()
        report.size = len(data)
        report.status = DigitalReportStatus.READY
        report.finished_at = now
        report.error = ""
        report.save()
        if old and old != report.file.name:
            transaction.on_commit(lambda: default_storage.delete(old))
    return report


def download_name(report: DigitalReport) -> str:
    """"Báo cáo số 03-2026 — Phường Phú Xuân.xlsx" (in the report's language)."""
    with translation.override(report.language):
        name = report_content.scope_name(report.level, report.area, report.unit)
        name = "".join(" " if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name).strip()
        return f"{_('Digital report')} {report.month:%m-%Y} — {name}.{report.format}"


# --- subscriptions --------------------------------------------------------------------------


def digital_report_subscribe(*, actor, level: str, area_id: int | None, unit_id: int | None,
                             formats: list[str]) -> DigitalReportSubscription:
    """Subscribe to last month's report at the start of every month. Subscribing again to the
    same scope adds the formats (or turns a cancelled subscription back on)."""
    formats = sorted(set(formats or []))
    if not formats or not set(formats) <= set(DigitalReportFormat.values):
        raise ValidationError(_("Choose XLSX, PDF or both."), field="format")
    area, unit = _check_target(actor, level, area_id, unit_id)
    with transaction.atomic():
        sub = (DigitalReportSubscription.objects.select_for_update(of=("self",))
               .filter(user=actor, target=digital_report_target(level, area and area.pk, unit and unit.pk)).first())
        if sub is None:
            sub = DigitalReportSubscription(user=actor, level=level, area=area, unit=unit, formats=formats)
        else:
            sub.formats = sorted(set(sub.formats) | set(formats)) if sub.active else formats
            sub.active = True
        sub.full_clean()
        sub.save()
    return sub


def digital_report_unsubscribe(*, actor, subscription_id: int) -> DigitalReportSubscription:
    with transaction.atomic():
        sub = (DigitalReportSubscription.objects.select_for_update(of=("self",))
               .filter(pk=subscription_id, user=actor).first())
        if sub is None:
            raise NotFoundError(_("This subscription does not exist."))
        sub.active = False
        sub.save(update_fields=["active"])
    return sub


# --- the monthly job ------------------------------------------------------------------------


def _monthly_report(sub: DigitalReportSubscription, month: dt.date, fmt: str, language: str,
                    fresh_after: dt.datetime) -> DigitalReport:
    """The month's report for a subscription's scope, generated after the month ended (shared by
    every subscriber of the same scope, format and language)."""
    with transaction.atomic():
        report, _created = DigitalReport.objects.select_for_update(of=("self",)).get_or_create(
            target=sub.target, month=month, format=fmt, language=language,
            defaults={"level": sub.level, "area": sub.area, "unit": sub.unit})
        if report.is_ready and report.finished_at and report.finished_at >= fresh_after:
            return report
        report.status = DigitalReportStatus.QUEUED
        report.requested_at = timezone.now()
        report.error = ""
        report.save()
    return digital_report_generate(report_id=report.pk)


def _deliver(sub: DigitalReportSubscription, month: dt.date, reports: list[DigitalReport]) -> bool:
    """Tell the subscriber (inbox and e-mail), once per subscription and month."""
    level, area, unit = sub.level, sub.area, sub.unit
    links = [(r.format, reverse("ioc:digital_report_download", args=[r.pk])) for r in reports]

    def title() -> str:
        name = report_content.scope_name(level, area, unit)
        return _("%(title)s is ready") % {"title": report_content.report_title(month, name)}

    def body() -> str:
        lines = [_("Last month's figures, as in the operations console. Download:")]
        lines += [f"{FORMAT_LABELS[fmt]}: {absolute(url)}" for fmt, url in links]
        return "\n".join(lines)

    try:
        with transaction.atomic():
            delivery, created = DigitalReportDelivery.objects.get_or_create(subscription=sub, month=month)
            if not created:
                return False
            rows = notify([sub.user], verb="digital_report", title=_lazy(title), body=_lazy(body), url=links[0][1])
            if rows:
                delivery.notification = rows[0]
                delivery.save(update_fields=["notification"])
    except IntegrityError:  # another run delivered it at the same moment
        return False
    return True


def digital_reports_monthly(*, today: dt.date | None = None) -> dict[str, int]:
    """Generate last month's report for every active subscription and notify each subscriber once
    (running it again sends nothing twice and regenerates nothing already generated after the
    month ended). Returns counts: sent, already, revoked, failed."""
    today = today or timezone.localdate(timezone=TZ)
    month = kpi.Period.of("month", today).previous().start
    fresh_after = dt.datetime.combine(current_month(today), dt.time(0), TZ)
    counts: Counter[str] = Counter()
    subs = (DigitalReportSubscription.objects.filter(active=True, user__is_active=True)
            .select_related("user", "area", "unit").order_by("pk"))
    for sub in subs.iterator():
        if DigitalReportDelivery.objects.filter(subscription=sub, month=month).exists():
            counts["already"] += 1
            continue
        if not policy.can_access_digital_report(sub.user, level=sub.level, area_id=sub.area_id, unit_id=sub.unit_id):
            DigitalReportSubscription.objects.filter(pk=sub.pk).update(active=False)
            counts["revoked"] += 1
            continue
        language = sub.user.preferred_language if sub.user.preferred_language in dict(settings.LANGUAGES) \
            else settings.LANGUAGE_CODE
        reports = [_monthly_report(sub, month, fmt, language, fresh_after) for fmt in sub.formats]
        if not all(r is not None and r.is_ready for r in reports):
            counts["failed"] += 1
            continue
        counts["sent" if _deliver(sub, month, reports) else "already"] += 1
    return dict(counts)

