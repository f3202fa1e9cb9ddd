"""Vietnamese alphabetical order, for every list of names shown to people.

The databases sort by code point: "Đ" (U+0110) comes after "Z", so "Xã Đan Điền" was listed
after "Xã Vinh Lộc" (issue #14). The Vietnamese alphabet is
a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z of foreign words in their
Latin places). Words are compared one by one ("A Lưới 1" before "An Cựu"), numbers by value
("A Lưới 2" before "A Lưới 10"); the tone marks only break ties, in the dictionary order
(none, huyền, hỏi, ngã, sắc, nặng), then upper case before lower case.

No ICU needed: the key is a tuple computed in Python, for lists of at most a few hundred names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET, start=20)}
# Marks that make another letter (ă â ê ô ơ ư), kept with the letter.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tone marks, in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_TOKEN = re.compile(r"\d+|[^\W\d_]+")  # numbers and words; punctuation is ignored


def _letters(word: str) -> tuple[list[int], list[int], list[int]]:
    primary, tones, cases = [], [], []
    for char in unicodedata.normalize("NFC", word):
        decomposed = unicodedata.normalize("NFD", char)
        base = "".join(c for c in decomposed if c not in _TONES)
        tone = next((_TONES[c] for c in decomposed if c in _TONES), 0)
        letter = unicodedata.normalize("NFC", base).lower()
        if letter not in _RANK:  # another script or mark: its own letters, after ours
            letter = "".join(c for c in unicodedata.normalize("NFD", letter) if c not in _LETTER_MARKS)
        primary.append(_RANK.get(letter, 100 + ord(letter[0]) if letter else 0))
        tones.append(tone)
        cases.append(0 if char.isupper() else 1)
    return primary, tones, cases


def sort_key(text: str | None) -> tuple:
    """A key that sorts Vietnamese names in dictionary order: ``sorted(names, key=sort_key)``."""
    primary: list[tuple] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for token in _TOKEN.findall(unicodedata.normalize("NFC", text or "")):
        if token.isdigit():
            primary.append((1, int(token)))  # numbers before words
            continue
        letters, tones, cases = _letters(token)
        primary.append((2, *letters))
        secondary.extend(tones)
        tertiary.extend(cases)
    return tuple(primary), tuple(secondary), tuple(tertiary)


def sorted_vi(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """The items in Vietnamese order of ``key(item)`` (their name by default)."""
    return sorted(items, key=lambda item: sort_key(key(item)))


def position(pks: Sequence[int]):
    """An ORDER BY expression that puts rows in the order of ``pks`` (the others last)."""
    from django.db.models import Case, IntegerField, Value, When

    return Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(pks)),
                default=Value(len(pks)), output_field=IntegerField())


def order_by_vi(queryset, field: str = "name"):
    """``queryset`` in Vietnamese order of ``field``, still a queryset (a form's choices, a
    ``.filter()`` keep working): for lists shown to people, of at most a few hundred rows (their
    ids and names are read once here). ``Unit.objects.filter(is_active=True)`` →
    ``order_by_vi(Unit.objects.filter(is_active=True))``."""
    rows = sorted(queryset.order_by().values_list("pk", field), key=lambda row: sort_key(row[1]))
    if not rows:
        return queryset.order_by(field)
    return queryset.order_by(position([pk for pk, _name in rows]), field)
