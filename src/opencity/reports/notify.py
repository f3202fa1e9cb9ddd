"""Who hears about what happens to a report. One table, used by the services after each event.

A service owes the notifications of its event in its own transaction (:func:`after_event_later`,
an outbox row); the worker writes the inbox rows and owes their e-mails in one transaction with
marking that row done (:data:`NOTIFY_KIND`, registered atomic in ``apps.py``): exactly once,
whichever process dies when.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opencity import policy
from opencity.notifications.outbox import outbox_put
from opencity.notifications.services import Subject, notify

from .models import Report, TimelineEvent

# action → (audiences, title). Audiences: reporter, followers, unit, heads, ioc.
MESSAGES = {
    "route": ({"reporter", "followers", "unit"}, _("Report %(ref)s was sent to %(unit)s")),
    "merge": ({"reporter", "followers"}, _("Report %(ref)s was merged into a report on the same problem")),
    "reject": ({"reporter"}, _("Report %(ref)s was not accepted")),
    "accept": ({"reporter", "followers"}, _("%(unit)s is handling report %(ref)s")),
    "return": ({"ioc"}, _("Report %(ref)s was returned by %(unit)s for re-routing")),
    "ask_info": ({"reporter"}, _("%(unit)s needs more information on report %(ref)s")),
    "answer_info": ({"unit"}, _("The reporter answered on report %(ref)s")),
    "request_extension": ({"heads_or_ioc"}, _("An extension is requested on report %(ref)s")),
    "decide_extension": ({"unit"}, _("The extension on report %(ref)s was decided")),
    "submit_result": ({"heads"}, _("A result on report %(ref)s waits for your approval")),
    "reject_result": ({"unit"}, _("The result on report %(ref)s was sent back")),
    "resolve": ({"reporter", "followers"}, _("Report %(ref)s is resolved: see the result and rate it")),
    "rate": ({"unit"}, _("Report %(ref)s was rated %(rating)s/5")),
    "dispute": ({"ioc", "unit"}, _("The reporter disputes the result of report %(ref)s")),
    "reopen": ({"reporter", "followers", "unit"}, _("Report %(ref)s was reopened")),
    "deny_dispute": ({"reporter"}, _("The dispute on report %(ref)s was not accepted")),
    "correct": ({"reporter"}, _("The category or place of report %(ref)s was corrected")),
}


def _audience(report: Report, name: str):
    User = get_user_model()
    if name == "reporter":
        return [report.reporter] if report.reporter_id else []
    if name == "followers":
        return list(User.objects.filter(follows__report=report))
    if name in ("unit", "heads", "heads_or_ioc") and report.unit_id:
        if name == "unit":
            return list(policy.unit_members(report.unit_id))
        heads = list(policy.unit_heads(report.unit_id))
        if heads or name == "heads":
            return heads
        return list(policy.ioc_operators())
    if name in ("ioc", "heads_or_ioc"):
        return list(policy.ioc_operators())
    return []


NOTIFY_KIND = "reports.notify"  # {"event_id"}


def after_event_later(event: TimelineEvent) -> None:
    """Owe the notifications of ``event``, in the caller's transaction (the outbox)."""
    if event.action in MESSAGES:
        outbox_put(kind=NOTIFY_KIND, payload={"event_id": event.pk})


def after_event_owed(payload: dict) -> None:
    """The outbox handler of :data:`NOTIFY_KIND` (runs in the transaction that marks it done)."""
    event = (TimelineEvent.objects.select_related("actor", "report__unit", "report__reporter")
             .filter(pk=payload["event_id"]).first())
    if event is not None:  # else the report was deleted meanwhile
        after_event(event.report, event)


def after_event(report: Report, event: TimelineEvent) -> None:
    entry = MESSAGES.get(event.action)
    if entry is None:
        return
    audiences, title = entry
    users = []
    for name in audiences:
        users.extend(_audience(report, name))
    # the unit the event names (routed to, or returned by: the report may have none any more)
    unit_name = event.data.get("unit") or (report.unit.name if report.unit_id else "")
    params = {"ref": report.ref, "unit": unit_name, "rating": report.rating or ""}
    staff_url = reverse("reports:staff_detail", args=[report.pk])
    public_url = reverse("reports:detail", args=[report.pk])
    staff = [u for u in users if policy.is_staff(u)]
    citizens = [u for u in users if not policy.is_staff(u)]
    body = event.note if event.is_public else ""
    subject = report_subject(report)
    if citizens:
        notify(citizens, verb=event.action, title=_lazy_format(title, params), body=body,
               url=public_url, subject=subject, exclude=event.actor)
    if staff:
        notify(staff, verb=event.action, title=_lazy_format(title, params), body=event.note,
               url=staff_url, subject=subject, exclude=event.actor)


def report_subject(report: Report) -> Subject:
    """What a notification about ``report`` names (``notifications`` knows no reports)."""
    return Subject("report", report.pk, report.ref)


class _lazy_format:
    """Format a lazy message in the recipient's language (notify() renders under override)."""

    def __init__(self, message, params):
        self.message, self.params = message, params

    def __str__(self) -> str:
        return str(self.message) % self.params
