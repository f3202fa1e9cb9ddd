"""State changes of the dossiers app: imports (``imports``), the pull of the one-stop system's
endpoint (``pull``), the overdue job (``overdue``) and following a dossier (``follow``)."""

from .aliases import agency_alias_set
from .follow import dossier_follow, dossier_unfollow
from .imports import (
    FIELDS,
    REQUIRED,
    ImportResult,
    RowError,
    dossiers_import,
    dossiers_import_csv,
    read_csv,
)
from .overdue import dossiers_mark_overdue
from .pull import dossiers_pull, pull_due

__all__ = [
    "agency_alias_set", "FIELDS", "REQUIRED", "ImportResult", "RowError", "dossier_follow", "dossier_unfollow", "dossiers_import",
    "dossiers_import_csv", "dossiers_mark_overdue", "dossiers_pull", "pull_due", "read_csv",
]
