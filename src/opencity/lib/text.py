"""Rules for text people send, shared by every way in (pages, the JSON API, Open311).

- The NUL character (U+0000) is refused, never stored: PostgreSQL cannot store it in a text
  column (SQLite can), so the same input would be kept on one database and a 500 on the other.
  Django's form fields already refuse it; the API's parser (``lib.api.SafeParser``), Open311's
  parameters and the report services call :func:`refuse_nul`.
- A text of nothing but whitespace and invisible characters (zero-width spaces and joiners,
  word joiners, byte-order marks, other format or control characters) is empty: :func:`is_blank`.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from opencity.errors import ValidationError

NUL = "\x00"
# Invisible characters that ``str.strip`` and ``str.isspace`` do not treat as space.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"


def nul_error(field: str | None) -> ValidationError:
    return ValidationError(
        _("The text contains a character that is not allowed (NUL)."), code="nul_character", field=field
    )


def refuse_nul(value: str | None, *, field: str | None) -> str | None:
    """``value`` unchanged, or ValidationError (400) naming ``field`` if it holds a NUL."""
    if value and NUL in value:
        raise nul_error(field)
    return value


def find_nul(data: Any, *, field: str | None = None, depth: int = 0) -> str | None:
    """The name of the first field of parsed JSON (or a string) holding a NUL in a key or a
    value, "" for one at the top level, or None if there is none."""
    if depth > 64:  # JSON is parsed already; this only bounds the walk
        return None
    if isinstance(data, str):
        return (field or "") if NUL in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            name = str(key)
            if NUL in name:
                return field or ""
            found = find_nul(value, field=field if depth else name, depth=depth + 1)
            if found is not None:
                return found
    elif isinstance(data, list):
        for value in data:
            found = find_nul(value, field=field, depth=depth + 1)
            if found is not None:
                return found
    return None


def strip_invisible(text: str) -> str:
    """``text`` without leading and trailing whitespace and invisible characters."""
    return text.strip().strip(INVISIBLE + " \t\r\n\f\v\u00a0").strip()


def is_blank(text: str | None) -> bool:
    """Nothing a reader could see: only whitespace, format (Cf) or control (Cc) characters."""
    if not text:
        return True
    for ch in text:
        if ch.isspace() or ch in INVISIBLE:
            continue
        if unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp"):
            continue
        return False
    return True


def clean_text(value: str | None, *, field: str, required: bool = False, max_chars: int | None = None) -> str:
    """Text from people, whatever the channel: stripped of surrounding space and invisible
    characters; a NUL is refused (400); a text nobody could see (only zero-width characters and
    spaces) is empty."""
    refuse_nul(value, field=field)
    text = strip_invisible(value or "")
    if is_blank(text):
        text = ""
    limit = max_chars or settings.OPENCITY_DESCRIPTION_MAX_CHARS
    if required and not text:
        raise ValidationError(_("This field is required."), field=field, code="required")
    if len(text) > limit:
        raise ValidationError(
            _("At most %(n)d characters, please (you wrote %(m)d).") % {"n": limit, "m": len(text)},
            field=field,
            code="too_long",
        )
    return text


# đ/Đ are letters of their own in Unicode, not d plus a mark: NFD leaves them whole.
_FOLD_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def fold(text: str | None) -> str:
    """``text`` as a search key: lower case, without diacritics, whitespace collapsed
    ("Điện  lực HUẾ" → "dien luc hue", "Nước" → "nuoc"). What people type on a phone without a
    Vietnamese keyboard matches what the city wrote with one; apply it to both sides."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_LETTERS).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())
