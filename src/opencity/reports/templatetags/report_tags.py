"""Template helpers for reports: badges, event labels, dates in dd/mm/yyyy, the local time."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from opencity import policy
from opencity.lib.phone import display_phone

from .. import workflow
from ..models import Status

register = template.Library()


@register.simple_tag
def status_badge(report) -> str:
    label = Status(report.status).label
    html = format_html('<span class="badge st-{}">{}</span>', report.status, label)
    if report.is_overdue:
        html += format_html(' <span class="badge badge-overdue">{}</span>', _("Overdue"))
    return html


@register.filter
def event_label(event) -> str:
    if event.action == "decide_extension":
        return _("Deadline extended") if event.data.get("approved") else _("Extension not granted")
    if event.action == "moderate":
        return _("Content moderated")
    return workflow.action_label(event.action)


@register.filter
def vn_datetime(value) -> str:
    if not value:
        return ""
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


@register.filter
def vn_date(value) -> str:
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y")


@register.filter
def phone(value) -> str:
    return display_phone(value)


@register.filter
def first_photo(report):
    """The first public report photo (uses prefetched photos when present)."""
    for p in report.photos.all():
        if policy.is_card_photo(p):
            return p
    return None
