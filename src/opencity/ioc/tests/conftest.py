"""The statistics page is tested on the KPI tests' hand-counted history."""

from opencity.reports.tests.helpers import clock, history  # noqa: F401 — fixtures
