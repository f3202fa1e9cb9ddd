"""The city's working calendar (issue 15): the days and hours it configures in the admin, read
as a ``lib.worktime.WorkCalendar``. The arithmetic is ``lib/worktime.py`` (no tables, so the
ground floor knows no app); the tables and the cached loader are here, under every app that
counts deadlines (``reports``, its KPI, the load generator)."""
