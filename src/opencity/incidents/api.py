"""``/api/v1/incidents/`` (and the public ``/api/v1/shelters/``) for the mobile client: each part
adds its operations to its own router here."""

from __future__ import annotations

from ninja import Router

from .api_board import router as board_router

router = Router(tags=["incidents"])
shelters_router = Router(tags=["shelters"])
router.add_router("", board_router)
