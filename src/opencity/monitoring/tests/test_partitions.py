import datetime as dt

import pytest
from django.db import connection

from opencity.monitoring import partitions
from opencity.monitoring.tasks import ensure_partitions_ahead


@pytest.mark.django_db
def test_the_hourly_job_creates_this_month_and_the_next_two_once():
    made = ensure_partitions_ahead.call_local()
    if connection.vendor != "postgresql":
        assert made == [] and partitions.existing() == []  # SQLite keeps one plain table
        return
    month = partitions.month_of(dt.datetime.now(dt.UTC))
    expected = [month, partitions.next_month(month), partitions.next_month(partitions.next_month(month))]
    names = [partitions.partition_name(m) for m in expected]
    assert set(names) <= set(partitions.existing())
    assert ensure_partitions_ahead.call_local() == []  # made already: nothing new


def test_months_turn_over_the_year():
    assert partitions.next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)
    assert partitions.month_of(dt.datetime(2026, 12, 31, 20, tzinfo=dt.timezone(dt.timedelta(hours=7)))) == \
        dt.date(2026, 12, 1)
    assert partitions.partition_name(dt.date(2027, 1, 1)) == "monitoring_observation_p202701"
