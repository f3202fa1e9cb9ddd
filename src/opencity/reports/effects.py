"""What each action of the report lifecycle changes on the report, besides its state.

Pure functions: each takes what it reads (the report as it is, or anything with the same
attributes), the moment and the working-time ``clock`` (``lib.worktime.WorkCalendar``, or
anything with its ``add_working_hours`` and ``working_hours_between``), and returns the field
changes for ``workflow.apply``. No database, no "now", no settings: three writers call them —

- the services (``reports/services/``), with the report row and ``default_calendar()``;
- the demo history (``demo/life.py``), with its in-memory run of the same report;
- the load generator (``bench/loadgen.py``), with whole arrays of moments (epoch seconds) and a
  vectorised clock (``bench/worktime.ArrayClock``), for the fields it writes;

so a demo report's or a generated report's deadline and processing time are the product's
own, not a copy of its formula (tests: ``demo/tests/test_load_demo.py``,
``bench/tests/test_gen_load.py``).

The deadline rules themselves (how many working hours, which deadline state) are in
``reports/deadlines.py``; ``docs/kpi.md`` says them in words.
"""

from __future__ import annotations

from typing import Any, Protocol


class Clock(Protocol):
    def add_working_hours(self, start: Any, hours: Any) -> Any: ...

    def working_hours_between(self, start: Any, end: Any) -> Any: ...


# --- the deadline clock ---------------------------------------------------------------------


def pause(report: Any, *, at: Any) -> dict:
    """Stop the deadline clock (the unit waits for the reporter). A second question before the
    answer keeps the first pause; a report without a deadline has no clock to stop."""
    if report.paused_at is not None or report.due_at is None:
        return {}
    return {"paused_at": at}


def resume(report: Any, *, at: Any, clock: Clock) -> dict:
    """Run the clock again: ``due_at`` later by the working time spent waiting. Empty if the
    clock was not paused."""
    if report.paused_at is None:
        return {}
    changes: dict = {"paused_at": None}
    hours = clock.working_hours_between(report.paused_at, at)
    if report.due_at is not None and hours > 0:
        changes["due_at"] = clock.add_working_hours(report.due_at, hours)
    return changes


# --- the actions ----------------------------------------------------------------------------


def route(*, unit: Any, at: Any, hours: Any, clock: Clock) -> dict:
    """Sent to a unit at ``at``: a fresh deadline of ``hours`` working hours
    (``deadlines.deadline_hours``)."""
    return {"unit": unit, "assigned_at": at, "due_at": clock.add_working_hours(at, hours)}


def give_back() -> dict:
    """Returned to the IOC by the unit: no unit, no deadline, no question waiting."""
    return {"unit": None, "assigned_at": None, "due_at": None, "awaiting_citizen": False, "paused_at": None}


def merge(*, into: Any) -> dict:
    return {"merged_into": into}


def reject(*, reason: str, note: str) -> dict:
    return {"reject_reason": reason, "status_note": note}


def set_priority(*, priority: int) -> dict:
    return {"priority": priority}


def ask_info(report: Any, *, at: Any) -> dict:
    return {"awaiting_citizen": True, **pause(report, at=at)}


def answer_info(report: Any, *, at: Any, clock: Clock) -> dict:
    return {"awaiting_citizen": False, **resume(report, at=at, clock=clock)}


def extend(report: Any, *, hours: Any, at: Any, clock: Clock) -> dict:
    """An approved extension: ``hours`` more working hours after the deadline (after ``at`` if
    the report has none)."""
    start = report.due_at if report.due_at is not None else at
    return {"due_at": clock.add_working_hours(start, hours)}


def submit_result(*, text: str) -> dict:
    """A result waiting for the unit head's approval."""
    return {"result_text": text, "result_pending": True}


def reject_result() -> dict:
    return {"result_pending": False}


def resolve(report: Any, *, at: Any, clock: Clock, text: str | None = None) -> dict:
    """The result is published: resolved at ``at``, the clock stopped where it stood (a pause
    ends), and the processing time — working hours from the (last) assignment to the result,
    the KPI's measure — kept. ``text``: the result, unless it was submitted for approval."""
    changes: dict = {
        "result_pending": False,
        "resolved_at": at,
        "awaiting_citizen": False,
        "work_hours": (clock.working_hours_between(report.assigned_at, at)
                       if report.assigned_at is not None else None),
        **resume(report, at=at, clock=clock),
    }
    if text is not None:
        changes["result_text"] = text
    return changes


def rate(*, rating: int, comment: str, at: Any) -> dict:
    return {"rating": rating, "rating_comment": comment, "closed_at": at}


def close(*, at: Any) -> dict:
    """The rating window ended without a rating."""
    return {"closed_at": at}


def dispute() -> dict:
    return {"dispute_pending": True}


def reopen(*, at: Any, hours: Any, clock: Clock) -> dict:
    """The IOC agrees with the reporter: back to the unit with a fresh deadline from ``at``;
    the rating and the result's moment are undone (the assignment stays: processing time counts
    from it)."""
    return {"dispute_pending": False, "rating": None, "rating_comment": "", "resolved_at": None,
            "closed_at": None, "due_at": clock.add_working_hours(at, hours)}


def deny_dispute() -> dict:
    return {"dispute_pending": False}
