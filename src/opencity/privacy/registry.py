"""The sections of "My data" and of the export: one exporter function per kind of personal data.

Each app's data is read by one registered function ``exporter(user, limit) -> list[dict]`` (rows
of plain JSON values, stable keys: they are the export's documented format, docs/privacy.md).
The privacy centre's own ``exporters.py`` registers the sections of the apps below it (the
consent ledger of ``accounts`` among them); a new kind of personal data joins with one line::

    register("consents", title=..., used_for=..., order=70, exporter=consents)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Exporter = Callable[..., list[dict]]


@dataclass(frozen=True)
class Section:
    key: str
    title: object  # lazy translation
    used_for: object  # lazy translation: where the city uses these data
    order: int
    exporter: Exporter


_SECTIONS: dict[str, Section] = {}


def register(key: str, *, title, used_for, order: int, exporter: Exporter) -> None:
    """Register (or replace) a section."""
    _SECTIONS[key] = Section(key, title, used_for, order, exporter)


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
