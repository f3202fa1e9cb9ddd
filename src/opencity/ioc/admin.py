"""Administration of the operations centre's records."""

from .digital import admin as _digital  # noqa: F401 — registers the digital report models
