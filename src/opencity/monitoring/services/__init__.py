"""Every change of monitoring data: ingest (``ingest``) and what people do with events
(``events``). Re-exported here."""

from .events import (
    event_acknowledge,
    event_headline,
    event_link_incident,
    event_note,
    event_resolve,
    event_to_report,
    event_to_warning,
)
from .ingest import (
    CREATED,
    DUPLICATE,
    REJECTED,
    IngestResult,
    RowResult,
    items_ingest,
    observations_ingest,
)

__all__ = ["CREATED", "DUPLICATE", "REJECTED", "IngestResult", "RowResult", "event_acknowledge", "event_headline",
           "event_link_incident", "event_note", "event_resolve", "event_to_report", "event_to_warning",
           "items_ingest", "observations_ingest"]
