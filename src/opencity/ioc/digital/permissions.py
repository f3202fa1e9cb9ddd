"""Access checks for the digital report views (the rules are in opencity.policy)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from ..models import DigitalReport


def require_digital_reports(user) -> policy.KpiBounds:
    bounds = policy.kpi_bounds(user)
    if bounds is None:
        raise PermissionDeniedError(_("Digital reports are for the city's leaders, the operations centre, "
                                      "ward officials and unit heads."))
    return bounds


def can_access(user, report: DigitalReport) -> bool:
    return policy.can_access_digital_report(user, level=report.level, area_id=report.area_id,
                                            unit_id=report.unit_id)


def access_digital_report(user, report_id) -> DigitalReport:
    """Fetch a report the user may download, or raise NotFoundError / PermissionDeniedError."""
    try:
        report = DigitalReport.objects.select_related("area", "unit").get(pk=int(report_id))
    except (DigitalReport.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("This digital report does not exist.")) from None
    if not can_access(user, report):
        raise PermissionDeniedError(_("You may not see the figures of this scope."))
    return report
