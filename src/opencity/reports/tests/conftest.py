"""Fixtures for the deadline and KPI tests (defined in helpers.py)."""

from .helpers import clock, fresh_calendar, history  # noqa: F401 — fixtures
