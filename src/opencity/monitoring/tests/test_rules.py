import datetime as dt

import pytest

from opencity.monitoring.models import EventStatus, MonitoringEvent, Rule, RuleKind, RuleState
from opencity.monitoring.rules import judge_silence
from opencity.monitoring.services import observations_ingest


def _feed(stream, source, t0, values, step=10):
    rows = [{"datastream": stream.code, "time": (t0 + dt.timedelta(minutes=step * i)).isoformat(), "value": v}
            for i, v in enumerate(values)]
    return observations_ingest(rows=rows, source=source)


@pytest.mark.django_db
def test_a_value_wobbling_around_bd2_raises_one_event(flood_rule, level_stream, hydro_source, t0, published):
    _feed(level_stream, hydro_source, t0, [0.5, 0.9, 1.95, 2.01, 1.97, 2.03, 1.96, 2.02, 1.99, 2.05])
    events = list(MonitoringEvent.objects.all())
    assert len(events) == 1
    event = events[0]
    assert event.level_code == "BD2" and event.status == EventStatus.OPEN
    assert event.count == 8  # every reading at BĐ1 or above, in one episode
    assert event.peak_value == pytest.approx(2.05)
    assert [s.action for s in event.steps.all()] == ["raise", "escalate"]
    assert [h.kind for h in published if h.subject == "monitoring"] == ["monitoring.raise", "monitoring.escalate"]


@pytest.mark.django_db
def test_an_episode_ends_below_the_hysteresis_and_the_next_rise_is_a_new_event(
        flood_rule, level_stream, hydro_source, t0):
    _feed(level_stream, hydro_source, t0, [1.2, 1.5, 0.95, 0.92])  # 0.95 and 0.92 are inside the hysteresis
    event = MonitoringEvent.objects.get()
    assert event.cleared_at is None
    _feed(level_stream, hydro_source, t0 + dt.timedelta(hours=1), [0.85, 0.8])
    event.refresh_from_db()
    assert event.cleared_at is not None and event.status == EventStatus.OPEN  # a person resolves it
    _feed(level_stream, hydro_source, t0 + dt.timedelta(hours=2), [1.1])
    assert MonitoringEvent.objects.count() == 2


@pytest.mark.django_db
def test_an_acknowledged_event_reopens_when_the_level_rises(flood_rule, level_stream, hydro_source, t0, operator):
    from opencity.monitoring.services import event_acknowledge

    _feed(level_stream, hydro_source, t0, [2.2])
    event = MonitoringEvent.objects.get()
    event_acknowledge(actor=operator, event_id=event.pk)
    _feed(level_stream, hydro_source, t0 + dt.timedelta(minutes=30), [3.6])
    event.refresh_from_db()
    assert event.status == EventStatus.OPEN and event.level_code == "BD3" and event.severity == "urgent"


@pytest.mark.django_db
def test_a_resent_batch_counts_nothing_twice(flood_rule, level_stream, hydro_source, t0):
    _feed(level_stream, hydro_source, t0, [2.1, 2.2, 2.3])
    _feed(level_stream, hydro_source, t0, [2.1, 2.2, 2.3])
    event = MonitoringEvent.objects.get()
    assert event.count == 3


@pytest.mark.django_db
def test_rate_of_rise(level_stream, hydro_source, t0):
    Rule.objects.create(name="Nước lên nhanh", kind=RuleKind.RATE_OF_RISE, datastream=level_stream,
                        window_minutes=60, limit=0.5)
    _feed(level_stream, hydro_source, t0, [0.5, 0.6, 0.7, 0.8, 0.9])  # +0.4 in 40 min
    assert not MonitoringEvent.objects.exists()
    _feed(level_stream, hydro_source, t0 + dt.timedelta(minutes=50), [1.1])  # +0.6 in 50 min
    assert MonitoringEvent.objects.get().value == pytest.approx(1.1)


@pytest.mark.django_db
def test_rolling_rainfall(rain_stream, hydro_source, t0):
    rule = Rule.objects.create(name="Mưa lớn 3 giờ", kind=RuleKind.ROLLING_SUM, datastream=rain_stream,
                               window_minutes=180)
    rule.levels.create(code="R50", name="Mưa to", value=50, severity="warning")
    _feed(rain_stream, hydro_source, t0, [10, 10, 10, 10], step=60)  # at most 30 mm in any 3 hours
    assert not MonitoringEvent.objects.exists()
    _feed(rain_stream, hydro_source, t0 + dt.timedelta(hours=4), [25, 20], step=30)  # 10+10+25+20 = 65 in the 3 hours to the last
    event = MonitoringEvent.objects.get()
    assert event.value == pytest.approx(65)


@pytest.mark.django_db
def test_a_silent_sensor_raises_once_and_clears_when_data_returns(level_stream, hydro_source, t0):
    Rule.objects.create(name="Trạm im lặng", kind=RuleKind.SILENCE, datastream=level_stream, window_minutes=30)
    _feed(level_stream, hydro_source, t0, [0.5])
    judge_silence()
    judge_silence()
    event = MonitoringEvent.objects.get()
    assert event.count == 2
    _feed(level_stream, hydro_source, t0 + dt.timedelta(hours=5, minutes=50), [0.6])
    event.refresh_from_db()
    assert event.cleared_at is not None
    assert RuleState.objects.get().level == 0


@pytest.mark.django_db
def test_rule_validation_refuses_incomplete_rules(level_stream):
    from django.core.exceptions import ValidationError

    rule = Rule(name="x", kind=RuleKind.RATE_OF_RISE, datastream=level_stream)
    with pytest.raises(ValidationError) as info:
        rule.full_clean()
    assert {"window_minutes", "limit"} <= set(info.value.message_dict)
    bad_curve = Rule(name="x", kind=RuleKind.CURVE, datastream=level_stream, curve=[["02-30", 1], ["03-01", 2]])
    with pytest.raises(ValidationError):
        bad_curve.full_clean()
