"""``{% form_token %}``: the hidden one-time token of a state-changing form (lib/formtoken.py)."""

from django import template
from django.utils.html import format_html

from opencity.lib.formtoken import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
