"""Vietnamese phone numbers, normalised to E.164 (+84…)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from opencity.errors import ValidationError

_DIGITS = re.compile(r"[\s.\-()]")


def normalize_phone(raw: str) -> str:
    """Return ``+84`` followed by 9 digits, or raise ValidationError.

    Accepts ``0905 123 456``, ``+84905123456``, ``84905123456`` (mobile: 9 digits after the
    0) and landlines with their area code, ``0234 3812 345`` (10 digits after the 0).
    """
    value = _DIGITS.sub("", raw or "")
    if value.startswith("+84"):
        national = value[3:]
    elif value.startswith("84") and len(value) in (11, 12):
        national = value[2:]
    elif value.startswith("0"):
        national = value[1:]
    else:
        national = ""
    # mobile: 9 digits after the 0 (0905 123 456); landline: 10 digits, area code 2xx
    # (0234 3812 345)
    if not (re.fullmatch(r"[35789]\d{8}", national) or re.fullmatch(r"2\d{9}", national)):
        raise ValidationError(
            _("Enter a Vietnamese phone number, for example 0905 123 456."), field="phone"
        )
    return "+84" + national


def display_phone(value: str | None) -> str:
    """A phone number as Vietnamese people write it: +84905123456 → ``0905 123 456``;
    +842343812345 → ``0234 3812 345``. Stored and machine formats (API, CSV, ``tel:``) stay
    E.164; this is for people (the ``|phone`` template filter, ``lib/templatetags/phones.py``).
    A value typed in another form is normalised first; one that is not a Vietnamese number is
    returned as it is (never an error on a page)."""
    if not value:
        return ""
    value = str(value)
    try:
        e164 = normalize_phone(value)
    except ValidationError:
        return value
    n = "0" + e164[3:]
    if len(n) == 11:
        return f"{n[:4]} {n[4:8]} {n[8:]}"
    return f"{n[:4]} {n[4:7]} {n[7:]}"
