"""Helpers of the report lists: how long a report has waited (the triage queue) and the
deadline an extension set (the timeline)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..deadlines import triage_target
from .report_tags import vn_datetime

register = template.Library()


def waited_text(since: dt.datetime, now: dt.datetime | None = None) -> str:
    """"waiting 3 h 20 min" (vi: "chờ 3 giờ 20 phút"): calendar time since ``since``, to the
    minute under a day, to the hour beyond."""
    minutes = max(0, int(((now or timezone.now()) - since).total_seconds() // 60))
    if minutes < 1:
        return _("waiting under a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        if hours:
            return _("waiting %(days)s d %(hours)s h") % {"days": days, "hours": hours}
        return _("waiting %(days)s d") % {"days": days}
    if hours:
        if minutes:
            return _("waiting %(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
        return _("waiting %(hours)s h") % {"hours": hours}
    return _("waiting %(minutes)s min") % {"minutes": minutes}


def target_text() -> str:
    """The target in words: "2 h", "90 min", "1 h 30 min"."""
    hours, minutes = divmod(settings.OPENCITY_TRIAGE_TARGET_MINUTES, 60)
    if hours and minutes:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": minutes}


@register.simple_tag
def waited(report, now: dt.datetime | None = None) -> str:
    """How long ``report`` has waited since it was received, with the exact time in a title;
    past the verification target it is marked ``late`` (in words too, not only in colour)."""
    received = report.created_at
    title = _("Received at %(time)s") % {"time": vn_datetime(received)}
    if (now or timezone.now()) - received > triage_target():
        return format_html('<time class="waited late" datetime="{}" title="{}" data-late="1">{} · {}</time>',
                           received.isoformat(), title, waited_text(received, now),
                           _("over the %(target)s target") % {"target": target_text()})
    return format_html('<time class="waited" datetime="{}" title="{}">{}</time>',
                       received.isoformat(), title, waited_text(received, now))


@register.filter
def event_due_at(event) -> dt.datetime | None:
    """The deadline an approved extension set, as stored in its timeline event when it was
    decided (``data["due_at"]``); None for an event that did not store it (the report's deadline
    today may have moved since, so it is no answer)."""
    raw = (event.data or {}).get("due_at")
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        return None
    return value if timezone.is_aware(value) else None
