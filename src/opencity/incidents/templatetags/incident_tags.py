from django import template

from .. import workflow

register = template.Library()


@register.filter
def incident_action_label(action: str) -> str:
    """An incident log entry's action, in the page's language."""
    return workflow.INCIDENT.label(action)
