"""Periodic schedules in Huế time.

huey evaluates a periodic task's schedule on a naive timestamp in UTC (its default
``utc=True``, which settings.HUEY keeps) or in the process's local time, so a plain
``crontab(hour="2")`` fires at 02:00 UTC — 09:00 in Huế, in the middle of the working day.
:func:`local_crontab` converts the timestamp to Asia/Ho_Chi_Minh first, whichever huey uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from huey import crontab

from opencity.lib.worktime import TZ


def huey_moment(timestamp: dt.datetime, *, utc: bool | None = None) -> dt.datetime:
    """The moment huey hands to a schedule, in Huế time."""
    if timestamp.tzinfo is None:
        if utc is None:
            from huey.contrib.djhuey import HUEY

            utc = HUEY.utc
        timestamp = timestamp.replace(tzinfo=dt.UTC) if utc else timestamp.astimezone()  # the process's zone
    return timestamp.astimezone(TZ)


def local_crontab(**fields: str) -> Callable[..., bool]:
    """``huey.crontab`` (minute, hour, day, month, day_of_week) read in Huế time."""
    test = crontab(**fields)

    def validate(timestamp: dt.datetime, *, utc: bool | None = None) -> bool:
        return test(huey_moment(timestamp, utc=utc).replace(tzinfo=None))

    return validate
