"""The Huế demo pack: units, categories, routing rules, demo logins and a year of reports.

``manage.py load_demo`` loads it; ``make run`` calls that on every start (a loaded pack is
detected with one query). The data tables live in :mod:`opencity.demo.pack`, the history
generator in :mod:`opencity.demo.history`.

Import the loader from :mod:`opencity.demo.services`; this package itself only re-exports the
table helpers, so printing the login table never loads Django models.
"""

from .pack import DEMO_PASSWORD, demo_logins

__all__ = ["DEMO_PASSWORD", "demo_logins"]
