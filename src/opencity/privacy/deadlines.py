"""The legal time limits of the privacy centre, computed in one place.

- A data subject's request: answered within N **working days** of its receipt (the setting
  ``OPENCITY_PRIVACY_<KIND>_DAYS``, default 2: Decree 356/2025/ND-CP has the controller answer a
  data subject's request within two working days of receiving it — our reading of the decree's
  article on carrying out the data subject's rights, to be confirmed by the city's legal team,
  docs/privacy.md). Counted on the city's working calendar (``worktime``): the due moment is the
  end of the N-th working day after the day of receipt.
- A breach: the authority (the specialised personal data protection agency, A05 of the Ministry
  of Public Security) is notified within 72 **hours** of discovery (Law 91/2025/QH15, the article
  on notifying violations; ``OPENCITY_PRIVACY_BREACH_NOTIFY_HOURS``), calendar time.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from opencity.lib.worktime import TZ, WorkCalendar
from opencity.worktime.selectors import default_calendar

from .models import RequestKind

DAYS_SETTING = {
    RequestKind.EXPORT: "OPENCITY_PRIVACY_EXPORT_DAYS",
    RequestKind.CORRECTION: "OPENCITY_PRIVACY_CORRECTION_DAYS",
    RequestKind.RESTRICTION: "OPENCITY_PRIVACY_RESTRICTION_DAYS",
    RequestKind.OBJECTION: "OPENCITY_PRIVACY_OBJECTION_DAYS",
    RequestKind.DELETION: "OPENCITY_PRIVACY_DELETION_DAYS",
}


def working_days_for(kind: str) -> int:
    return int(getattr(settings, DAYS_SETTING[RequestKind(kind)]))


def end_of_working_days(received_at: dt.datetime, days: int, calendar: WorkCalendar | None = None) -> dt.datetime:
    """The end of the ``days``-th working day after the day of ``received_at`` (Huế time): a
    request received on a Friday with 2 days is due at the close of Tuesday's office hours."""
    calendar = calendar or default_calendar()
    day = received_at.astimezone(TZ).date()
    counted = 0
    for _ in range(3 * 366):
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
            if counted >= days:
                return dt.datetime.combine(day, calendar.periods[-1][1], TZ)
    raise ValueError("deadline too far in the future")


def request_due_at(kind: str, received_at: dt.datetime) -> dt.datetime:
    return end_of_working_days(received_at, working_days_for(kind))
