"""Background jobs of the operations centre (huey). Thin: each calls a service.

Schedules are in Huế time (``opencity.lib.schedule.local_crontab``).
"""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task, db_task

from opencity.lib.locks import job_lock
from opencity.lib.schedule import huey_moment, local_crontab  # noqa: F401 — huey_moment for tests

# early on the 1st in Huế, before the working day
at_start_of_month = local_crontab(day="1", hour="6", minute="0")


@db_task()
def generate_digital_report(report_id: int) -> str | None:
    """Render one digital report (by hand; a request owes it through the outbox, whose handler
    calls the same service: ``digital.services.GENERATE_KIND``)."""
    from .digital.services import digital_report_generate

    report = digital_report_generate(report_id=report_id)
    return report.status if report else None


class DigitalReportsIncomplete(Exception):
    """Some subscriptions got no report: huey retries the job (it sends nothing twice)."""


@db_periodic_task(at_start_of_month, retries=3, retry_delay=1800)
@job_lock("ioc-digital-reports-monthly")
def send_monthly_digital_reports() -> dict:
    """Last month's report to every subscriber, on the 1st at 06:00 in Huế (idempotent)."""
    from .digital.services import digital_reports_monthly

    counts = digital_reports_monthly()
    if counts.get("failed"):
        raise DigitalReportsIncomplete(counts)
    return counts


@db_periodic_task(local_crontab(hour="3", minute="41"))
@job_lock("ioc-live-prune")
def prune_live_events() -> int:
    """Drop live-feed rows older than OPENCITY_LIVE_KEEP_DAYS (the timelines keep the history)."""
    from .live import prune

    return prune()
