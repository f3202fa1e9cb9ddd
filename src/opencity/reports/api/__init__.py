"""API: field reports — categories, the public list, submit, the citizen's and the staff's actions.

Every state change calls a service from ``reports.services``; visibility comes from
``reports.permissions`` / ``opencity.policy``. An action first fetches the report as the user
may see it (404 if they may not), then the service checks the action itself (403) and the
state machine (409).

One router for the whole package (``GET`` and ``POST /reports`` must share a URL pattern);
``public`` (reads), ``citizen`` and ``staff`` add their operations to it on import.
"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reports"])

from . import citizen, public, staff  # noqa: E402  (they register their operations on router)

__all__ = ["router", "citizen", "public", "staff"]
