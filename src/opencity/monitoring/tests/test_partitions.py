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


def test_the_first_month_kept_counts_this_one():
    now = dt.datetime(2026, 12, 6, 4, tzinfo=dt.UTC)
    assert partitions.keep_since(now, 1) == dt.date(2026, 12, 1)
    assert partitions.keep_since(now, 12) == dt.date(2026, 1, 1)
    assert partitions.keep_since(now, 36) == dt.date(2024, 1, 1)
    assert partitions.month_of_partition("monitoring_observation_p202401") == dt.date(2024, 1, 1)
    assert partitions.month_of_partition("monitoring_observation_default") is None


def _store(stream, *times):
    from opencity.monitoring.services import observations_ingest

    result = observations_ingest(rows=[{"datastream": stream.code, "time": t.isoformat(), "value": 1.5 + i / 10}
                                       for i, t in enumerate(times)], source=None,
                                 now=dt.datetime(2026, 12, 6, 4, tzinfo=dt.UTC))
    assert result.count("created") == len(times), result


@pytest.mark.django_db
def test_old_months_are_written_to_a_file_and_dropped_and_recent_ones_stay(level_stream, tmp_path, settings):
    import csv
    import gzip

    from opencity.monitoring.models import Observation, ObservationHour
    from opencity.monitoring.tasks import archive_old_partitions

    if connection.vendor != "postgresql":
        assert partitions.archive_before(dt.date(2026, 1, 1), directory=tmp_path) == []  # one plain table
        return
    old = [dt.datetime(2023, 5, 2, 1, tzinfo=dt.UTC), dt.datetime(2023, 5, 2, 2, tzinfo=dt.UTC)]
    recent = [dt.datetime(2026, 11, 30, 3, tzinfo=dt.UTC)]
    _store(level_stream, *old, *recent)
    hours_before = ObservationHour.objects.count()
    settings.OPENCITY_ARCHIVE_DIR = tmp_path
    settings.OPENCITY_MONITORING_KEEP_MONTHS = 36
    files = archive_old_partitions.call_local()
    assert len(files) == 1 and files[0].startswith(str(tmp_path / "monitoring" / "monitoring_observation_p202305-"))
    with gzip.open(files[0], "rt", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["datastream_id"], r["value"]) for r in rows] == [(str(level_stream.pk), "1.5"),
                                                                 (str(level_stream.pk), "1.6")]
    assert "monitoring_observation_p202305" not in partitions.existing()
    assert partitions.partition_name(dt.date(2026, 11, 1)) in partitions.existing()
    assert list(Observation.objects.values_list("phenomenon_time", flat=True)) == recent
    assert ObservationHour.objects.count() == hours_before  # the month's chart keeps its hours
    assert archive_old_partitions.call_local() == []  # nothing left to archive
    _store(level_stream, dt.datetime(2023, 5, 3, tzinfo=dt.UTC))  # a late reading makes the month again
    assert len(archive_old_partitions.call_local()) == 1
    assert len(list((tmp_path / "monitoring").glob("monitoring_observation_p202305-*.csv.gz"))) >= 1


@pytest.mark.django_db
def test_a_file_that_cannot_be_written_leaves_the_partition_attached(level_stream, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    from opencity.monitoring.models import Observation

    _store(level_stream, dt.datetime(2023, 5, 2, 1, tzinfo=dt.UTC))
    now = dt.datetime(2026, 12, 6, 4, tzinfo=dt.UTC)
    # a directory where the file is to be written: detached, then the write fails
    (tmp_path / "monitoring_observation_p202305-20261206T040000Z.csv.gz.partial").mkdir()
    with pytest.raises(OSError):
        partitions.archive_before(dt.date(2024, 1, 1), directory=tmp_path, now=now)
    assert "monitoring_observation_p202305" in partitions.existing()  # attached again
    assert Observation.objects.count() == 1
    assert not list(tmp_path.glob("*.csv.gz"))


@pytest.mark.django_db
def test_the_archive_job_does_nothing_when_switched_off(settings):
    from opencity.monitoring.tasks import archive_old_partitions

    settings.OPENCITY_MONITORING_KEEP_MONTHS = 0
    assert archive_old_partitions.call_local() == []


@pytest.mark.django_db
def test_a_partition_left_detached_by_a_stopped_run_is_archived_by_the_next(level_stream, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    _store(level_stream, dt.datetime(2023, 5, 2, 1, tzinfo=dt.UTC))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE monitoring_observation DETACH PARTITION monitoring_observation_p202305")
    done = partitions.archive_before(dt.date(2020, 1, 1), directory=tmp_path)  # no month is that old
    assert [(a.partition, a.rows) for a in done] == [("monitoring_observation_p202305", 1)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('monitoring_observation_p202305')")
        assert cursor.fetchone()[0] is None
