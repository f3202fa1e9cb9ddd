"""Links between the pages of a paginated list that keep the list's filters.

Every paginated list (the public list, triage, the unit inbox, the IOC drill-down list) links
its pages with :func:`page_query`, from the query string the page was asked with: whatever
filters a list takes — its own form's or a console figure's (``overdue=1``, ``period=2026``) —
page 2 shows the same reports as page 1 continued. Only ``page`` changes.
"""

from __future__ import annotations

from django.http import QueryDict


def page_query(params: QueryDict, number: int) -> str:
    """``?…&page=<number>``: ``params`` (every value of every key, in order) with ``page`` set."""
    query = params.copy()  # a QueryDict's copy is mutable
    query.pop("page", None)
    query["page"] = str(int(number))
    return "?" + query.urlencode()
