"""Formatting of KPI figures: shares as percentages, working hours, in the page's language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from opencity.lib.numbers import fmt_number, fmt_percent

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.975 → "97.5%" ("97,5%" in Vietnamese); no value → "—" (:mod:`opencity.lib.numbers`)."""
    return fmt_percent(value, 1)


@register.filter
def hours(value) -> str:
    """Working hours, one decimal: "1.234,5" in Vietnamese; no value → "—"."""
    return fmt_number(value, 1)


@register.filter
def live_label(event) -> str:
    """What a live-feed row says happened, from its code, in the page's language."""
    family, _dot, action = event.kind.partition(".")
    if family == "report":
        from opencity.reports.workflow import action_label
    elif family == "rescue":
        from opencity.emergency.workflow import action_label
    elif family == "call":
        from opencity.hotline.models import CallState

        labels = {CallState.RINGING: _("Call ringing"), CallState.ANSWERED: _("Call answered"),
                  CallState.ENDED: _("Call ended"), CallState.MISSED: _("Call missed")}
        return str(labels.get(action, event.kind))
    elif family == "incident":
        from opencity.incidents.workflow import event_label

        return str(event_label(action))
    elif family == "monitoring":
        from opencity.monitoring.workflow import event_label as monitoring_label

        return str(monitoring_label(action))
    elif family == "dossier":
        return str(_("Dossier overdue")) if action == "overdue" else event.kind
    elif family == "press":
        return _("New press item") if action == "new" else event.kind
    elif family == "alert":
        from opencity.alerts.models import MsgType

        labels = {MsgType.ALERT.lower(): _("Warning issued"), MsgType.UPDATE.lower(): _("Warning updated"),
                  MsgType.CANCEL.lower(): _("Warning cancelled")}
        return str(labels.get(action, event.kind))
    else:
        return event.kind
    return str(action_label(action))



@register.filter
def overdue_hours(report) -> str:
    """Working hours past the deadline, one decimal."""
    from opencity.reports.deadlines import hours_overdue

    return fmt_number(hours_overdue(report), 1)
