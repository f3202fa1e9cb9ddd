"""``{{ user.phone|phone }}``: a phone number as Vietnamese people write it (``0905 123 456``).

Numbers are stored in E.164 (``+84905123456``) and stay so in machine formats (API, CSV,
``tel:`` links); every page that shows a number to a person — its owner or staff — uses this
filter (``{% load phones %}``)."""

from __future__ import annotations

from django import template

from opencity.lib.phone import display_phone

register = template.Library()


@register.filter(name="phone")
def phone(value) -> str:
    return display_phone(value)
