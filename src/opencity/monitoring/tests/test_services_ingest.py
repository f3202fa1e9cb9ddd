import datetime as dt

import pytest
from django.utils import timezone

from opencity.monitoring.models import Datastream, Observation, ObservationHour
from opencity.monitoring.services import observations_ingest


def _row(stream, when, value, **extra):
    return {"datastream": stream.code, "time": when.isoformat(), "value": value, **extra}


@pytest.mark.django_db
def test_a_batch_is_stored_once_and_a_resent_batch_creates_nothing(level_stream, hydro_source, t0):
    rows = [_row(level_stream, t0 + dt.timedelta(minutes=10 * i), 0.5 + i / 100) for i in range(12)]
    first = observations_ingest(rows=rows, source=hydro_source)
    assert first.summary() == {"created": 12, "duplicate": 0, "rejected": 0}
    again = observations_ingest(rows=rows, source=hydro_source)
    assert again.summary() == {"created": 0, "duplicate": 12, "rejected": 0}
    assert Observation.objects.filter(datastream=level_stream).count() == 12
    level_stream.refresh_from_db()
    assert level_stream.observation_count == 12
    assert level_stream.last_value == pytest.approx(0.61)
    hours = ObservationHour.objects.filter(datastream=level_stream)
    assert sum(h.count for h in hours) == 12
    assert min(h.minimum for h in hours) == pytest.approx(0.5)


@pytest.mark.django_db
def test_a_partial_batch_answers_each_bad_row_and_stores_the_rest(level_stream, hydro_source, t0):
    now = timezone.now()
    rows = [
        _row(level_stream, t0, 1.2),
        {"datastream": "no-such-stream", "time": t0.isoformat(), "value": 1},
        _row(level_stream, t0 + dt.timedelta(minutes=5), 400),
        _row(level_stream, t0 + dt.timedelta(minutes=10), 1.3, unit="mm"),
        _row(level_stream, now + dt.timedelta(hours=2), 1.3),
        {"datastream": level_stream.code, "time": "1970-01-01T00:00:00Z", "value": 1.3},
        "{not json",
        {"datastream": level_stream.code, "time": "yesterday", "value": 1.3},
        {"datastream": level_stream.code, "time": t0.isoformat(), "value": "abc"},
        _row(level_stream, t0, 1.25),  # the same time twice in the batch
        _row(level_stream, t0 + dt.timedelta(minutes=15), "1,35", unit="m"),
    ]
    result = observations_ingest(rows=rows, source=hydro_source, now=now)
    codes = [(r.index, r.status, r.code) for r in result.rows]
    assert codes == [
        (0, "created", ""), (1, "rejected", "unknown_datastream"), (2, "rejected", "out_of_range"),
        (3, "rejected", "wrong_unit"), (4, "rejected", "future_time"), (5, "rejected", "too_old"),
        (6, "rejected", "malformed"), (7, "rejected", "invalid_time"), (8, "rejected", "invalid_value"),
        (9, "rejected", "duplicate_in_batch"), (10, "created", ""),
    ]
    assert all(r.message for r in result.rows if r.status == "rejected")
    assert sorted(Observation.objects.filter(datastream=level_stream).values_list("value", flat=True)) == [1.2, 1.35]


@pytest.mark.django_db
def test_a_source_cannot_write_another_sources_datastream(level_stream, camera_source, t0):
    result = observations_ingest(rows=[_row(level_stream, t0, 1.0)], source=camera_source)
    assert result.rows[0].code == "unknown_datastream"
    assert not Observation.objects.exists()


@pytest.mark.django_db
def test_a_late_reading_is_stored_but_does_not_become_the_last(level_stream, hydro_source, t0):
    observations_ingest(rows=[_row(level_stream, t0 + dt.timedelta(hours=1), 1.5)], source=hydro_source)
    observations_ingest(rows=[_row(level_stream, t0, 0.9)], source=hydro_source)
    stream = Datastream.objects.get(pk=level_stream.pk)
    assert stream.last_value == 1.5 and stream.observation_count == 2


@pytest.mark.django_db
def test_a_time_without_offset_is_vietnam_time(level_stream, hydro_source):
    local = timezone.localtime() - dt.timedelta(hours=1)
    observations_ingest(rows=[{"datastream": level_stream.code, "time": local.strftime("%Y-%m-%dT%H:%M:%S"),
                               "value": 1}], source=hydro_source)
    stored = Observation.objects.get().phenomenon_time
    assert abs(stored - local.replace(microsecond=0)) < dt.timedelta(seconds=1)
