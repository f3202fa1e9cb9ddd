"""The console feed's one interface: an app says "something happened"; whoever listens records it.

Reports, rescue requests, hotline calls and warnings — and, next, incidents and monitoring
events — each publish what happened to them through :func:`publish`, with what a control room
needs to place and bound it: its kind, its subject (what it is about and the reference people
quote), where (a point, a ward) and whose (a unit), and how severe. They never import the
operations centre: the IOC console subscribes to :data:`happened` (``ioc.apps``) and writes its
live-feed row, so a new capability reaches the console by publishing, and the console can be
left out of an installation without touching the apps that publish.

What must hold:

- :func:`publish` is called **inside the transaction of the change** it reports; a subscriber
  writes in that same transaction (the feed then shows only what was committed and misses
  nothing), and defers anything outside the database (waking streams up) to
  ``transaction.on_commit``.
- ``payload`` holds display data only, never anything private: no reporter's or caller's name
  or phone number, ever — the feed is shown to every operator in the happening's bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.dispatch import Signal

# Severity, for ordering and colour on the console; plain strings so the table stays readable.
INFO, WARNING, URGENT = "info", "warning", "urgent"
SEVERITIES = (INFO, WARNING, URGENT)

# Sent with ``happening=`` (a :class:`Happening`) for every publish.
happened = Signal()


@dataclass(frozen=True)
class Happening:
    """Something that happened, as the console needs it."""

    kind: str  # "<subject>.<action>": report.submit, rescue.acknowledge, call.answered, alert.issue…
    subject: str  # what it is about: "report", "rescue", "call", "alert", "kpi"
    subject_id: int | None = None
    ref: str = ""  # what people quote: PA000123, SOS-12, CB000006
    area_id: int | None = None  # where, to bound the feed like the figures (policy.kpi_bounds)
    unit_id: int | None = None  # whose
    lat: float | None = None
    lon: float | None = None
    severity: str = INFO
    payload: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if not self.kind.startswith(f"{self.subject}."):
            raise ValueError(f"kind {self.kind!r} must start with its subject {self.subject!r}")


def publish(**fields) -> Happening:
    """Tell the subscribers that something happened (in the caller's transaction); returns it."""
    happening = Happening(**fields)
    happened.send(sender=Happening, happening=happening)
    return happening
