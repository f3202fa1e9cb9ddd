"""Every change of press data: items coming in (``ingest``) and what operators do with them
(``items``). Re-exported here."""

from .ingest import (
    COPY,
    CREATED,
    DUPLICATE,
    REJECTED,
    StoreResult,
    entries_store,
    export_import,
    source_fetch,
    sources_due,
)
from .items import (
    item_answer,
    item_dismiss,
    item_reopen,
    item_respond,
    item_to_report,
    item_withdraw_response,
    published_result,
    report_text,
)

__all__ = ["COPY", "CREATED", "DUPLICATE", "REJECTED", "StoreResult", "entries_store", "export_import",
           "item_answer", "item_dismiss", "item_reopen", "item_respond", "item_to_report", "item_withdraw_response",
           "published_result", "report_text", "source_fetch", "sources_due"]
