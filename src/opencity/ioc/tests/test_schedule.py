"""Periodic jobs run at Huế times, whether huey reads its clock in UTC or local time."""

import datetime as dt

from opencity.lib.schedule import local_crontab
from opencity.reports import tasks as report_tasks


def test_a_nightly_job_runs_at_night_in_hue():
    nightly = local_crontab(hour="2", minute="17")
    assert nightly(dt.datetime(2026, 3, 1, 19, 17), utc=True)  # 02:17 on 2/3 in Huế
    assert not nightly(dt.datetime(2026, 3, 2, 2, 17), utc=True)  # 09:17 in Huế
    # local time: Django sets the process's zone to TIME_ZONE (Asia/Ho_Chi_Minh)
    assert nightly(dt.datetime(2026, 3, 2, 2, 17), utc=False)


def test_the_rollup_safety_net_is_scheduled_in_hue_time():
    validate = report_tasks.refresh_recent_rollups.task_class().validate_datetime
    assert validate(dt.datetime(2026, 3, 1, 19, 17))  # huey's default: UTC timestamps
    assert not validate(dt.datetime(2026, 3, 2, 2, 17))
