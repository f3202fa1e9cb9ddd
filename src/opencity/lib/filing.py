"""Filing on someone's behalf: the hook through which the report and rescue forms serve the
hotline without knowing it.

An operator filing for a caller opens the ordinary form with ``?for=caller&call=<id>``; the
call is the hotline's business (which call, who may see it, the caller's name and number, the
link written back and the page to return to). The forms' views call :func:`caller_filing`
and get whatever the hotline registered in its ``AppConfig.ready()`` — or, without a hotline,
a filing that knows no calls — so ``reports`` and ``emergency`` import no ``hotline`` and the
hotline owns "file for a caller".
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import Model
from django.http import HttpRequest, HttpResponse


class CallerFiling(Protocol):
    """What a form's view asks of the hotline."""

    def call_for_filing(self, request: HttpRequest) -> Any | None:
        """The call named by ``?call=`` (None without one); raises a ``DomainError`` (403/404)
        for a wrong user or id."""

    def caller_initial(self, call: Any | None, *, name: str, phone: str) -> dict:
        """Initial values of the form's ``name`` and ``phone`` fields from the call."""

    def link_and_return(self, request: HttpRequest, call: Any, filed: Model) -> HttpResponse:
        """Link what was filed (a report, a rescue request) to the call; the page to go to."""


class NoCalls:
    """The filing without a hotline: no call is ever named, so nothing is linked."""

    def call_for_filing(self, request: HttpRequest) -> None:
        return None

    def caller_initial(self, call: Any | None, *, name: str, phone: str) -> dict:
        return {}

    def link_and_return(self, request: HttpRequest, call: Any, filed: Model) -> HttpResponse:
        raise LookupError("no call can be named without a hotline")


_registered: CallerFiling = NoCalls()


def register_caller_filing(filing: CallerFiling) -> None:
    """Called once, by the hotline's ``AppConfig.ready()``."""
    global _registered
    _registered = filing


def caller_filing() -> CallerFiling:
    return _registered
