"""Numbers as people read them, one way per language (issue 14): Vietnamese "1.802" and "12,5%",
English "1,802" and "12.5%". Every figure a page shows goes through here (the ``num`` and ``pct``
template filters, ``ioc_tags.pct``) or through Django's ``intcomma``, which takes the same path
(``django.utils.formats.number_format`` with the formats of ``opencity/formats/``). In the
browser, ``static/opencity/format.js`` does the same with ``Intl.NumberFormat`` and the page's
language. Identifiers (report ids, codes, years, phone numbers) are not numbers to read: never
grouped.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

EMPTY = "—"


def fmt_number(value, places: int | None = None) -> str:
    """1802 → "1.802" (vi) / "1,802" (en); 12.345 with ``places=1`` → "12,3" / "12.3".
    ``places=None``: integers as they are, other numbers with one decimal. None → "—"."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    if places is None:
        places = 0 if isinstance(value, int) or value == int(value) else 1
    # rounded half up here: number_format cuts the digits beyond decimal_pos off
    value = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def fmt_percent(share, places: int = 1) -> str:
    """A share (0.125) as a percentage: "12,5%" (vi) / "12.5%" (en). None → "—"."""
    if share is None:
        return EMPTY
    return f"{fmt_number(share * 100, places)}%"
