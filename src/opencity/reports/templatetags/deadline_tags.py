"""The deadline state badge for staff lists (states from ``reports.deadlines`` only)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from ..deadlines import DeadlineState, deadline_state

register = template.Library()

BADGES = {
    DeadlineState.DUE_SOON: "badge-due-soon",
    DeadlineState.OVERDUE: "badge-overdue",
}


@register.simple_tag
def deadline_badge(report) -> str:
    """A badge for a report that is due soon or overdue; nothing otherwise."""
    state = deadline_state(report)
    if state not in BADGES:
        return ""
    return format_html('<span class="badge {}">{}</span>', BADGES[state], DeadlineState(state).label)
