"""Template helpers for warnings: severity badges, labels of CAP codes, dates in dd/mm/yyyy HH:MM."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opencity.geo.collation import sorted_vi

from ..models import Category, Certainty, EventType, MsgType, ResponseType, Severity, Urgency

register = template.Library()
_LABELS = {"event": EventType, "category": Category, "severity": Severity, "urgency": Urgency,
           "certainty": Certainty, "response_type": ResponseType, "msg_type": MsgType}


@register.filter
def cap_label(value, kind: str) -> str:
    """The translated label of a stored code: ``{{ m.severity|cap_label:"severity" }}``."""
    try:
        return str(_LABELS[kind](value).label)
    except (KeyError, ValueError):
        return value or ""


@register.filter
def vn_when(value) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


@register.simple_tag
def severity_badge(severity: str) -> str:
    return format_html('<span class="badge sev sev-{}">{}</span>', (severity or "Unknown").lower(),
                       cap_label(severity, "severity"))


@register.simple_tag
def state_badge(state: str) -> str:
    labels = {"in_force": _("In force"), "cancelled": _("Cancelled"), "expired": _("Expired")}
    return format_html('<span class="badge wstate wstate-{}">{}</span>', state, labels.get(state, state))


@register.simple_tag
def text_in(message, field: str) -> str:
    """A message's text in the page's language (Vietnamese unless English was written)."""
    return getattr(message, field)(get_language() or "vi")


@register.filter
def area_names(message, limit: int = 6) -> str:
    if message.whole_city:
        return _("the whole city")
    names = sorted_vi(a.name for a in message.areas.all())
    if len(names) > limit:
        return ", ".join(names[:limit]) + " " + _("and %(n)d more") % {"n": len(names) - limit}
    return ", ".join(names)


@register.filter
def count(value) -> str:
    """Whole numbers grouped by thousands as each language writes them: 506.115 / 506,115."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    text = f"{number:,}"
    return text.replace(",", ".") if (get_language() or "vi").startswith("vi") else text
