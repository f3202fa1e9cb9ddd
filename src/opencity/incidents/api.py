"""``/api/v1/incidents/`` (and the public ``/api/v1/shelters/``) for the mobile client: each part
keeps its operations in its own router (``api_*.py``), mounted here."""

from __future__ import annotations

from ninja import Router

from .api_board import router as board_router
from .api_shelters import router as shelters_part_router
from .api_sitreps import router as sitreps_router

router = Router(tags=["incidents"])
router.add_router("", board_router)
router.add_router("", sitreps_router)

# The public shelters: no authentication.
shelters_router = Router(tags=["shelters"])
shelters_router.add_router("", shelters_part_router)
