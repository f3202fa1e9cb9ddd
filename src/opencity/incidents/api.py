"""``/api/v1/incidents/`` (and the public ``/api/v1/shelters/``) for the mobile client: each part
adds its operations to its own router here."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["incidents"])
shelters_router = Router(tags=["shelters"])

# The public shelters (``api_shelters.py``): no authentication.
from .api_shelters import router as shelters_part_router  # noqa: E402

shelters_router.add_router("", shelters_part_router)
