"""The monitoring part of the Huế demo (``demo.monitoring``): its flood hydrograph agrees with the
demo's warnings as the product's own rules judge it, the season's events are closed by the
operator and the recent ones left open, and citizens see only the public stations."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from opencity.alerts.models import Alert
from opencity.demo.monitoring import ALARMS, FLOOD_RULES, demo_load_monitoring
from opencity.monitoring.models import (
    Datastream,
    EventStatus,
    Item,
    MonitoringEvent,
    MonitoringEventStep,
    Observation,
    Rule,
    Station,
)
from opencity.policy.monitoring import station_scope_q

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _local(when: dt.datetime) -> dt.datetime:
    return when.astimezone(VN)


def _flood_alerts() -> list[Alert]:
    """The demo's two flood warnings (late October, mid-November), oldest first."""
    return list(Alert.objects.filter(latest__event="flood").order_by("created_at"))


def _escalations(event: MonitoringEvent) -> dict[str, dt.datetime]:
    """Each level an event reached → when the rule said so (its step's moment)."""
    out = {event.steps.get(action="raise").data["code"]: event.steps.get(action="raise").created_at}
    for step in event.steps.filter(action="escalate"):
        out[step.data["code"]] = step.created_at
    return out


def _level_at(code: str, when: dt.datetime) -> float:
    return Observation.objects.get(datastream__code=code, phenomenon_time=when).value


@pytest.mark.django_db
def test_kim_long_crosses_bd2_and_bd3_on_the_dates_of_the_flood_warnings(demo):
    """The product's threshold rule, fed the demo's readings at their moments, escalates to BĐ2 on
    the day of the first flood warning (before the incident's activation at 05:30 the next
    morning says "vượt báo động 2") and to BĐ3 the day after, before the update that reports
    5.1 m; the readings at the updates' moments are the figures they quote."""
    first, second = _flood_alerts()
    messages = list(first.messages.order_by("sent"))
    published, peak_update, falling_update = (m.sent for m in messages)
    assert "5,1 m" in messages[1].headline_vi and "3,2 m" in messages[2].description_vi
    rule = Rule.objects.get(name=FLOOD_RULES["kim-long"])
    assert [lv.value for lv in rule.levels.order_by("value")] == list(ALARMS["kim-long"])

    october = rule.events.get(level=3)
    reached = _escalations(october)
    assert _local(reached["BD2"]).date() == _local(published).date()
    assert _local(reached["BD3"]).date() == _local(published).date() + dt.timedelta(days=1)
    activated = _local(published).replace(hour=5, minute=30) + dt.timedelta(days=1)
    assert reached["BD2"] < activated < reached["BD3"] <= peak_update
    assert abs(_level_at("kim-long-h", peak_update) - 5.1) <= 0.1
    assert abs(_level_at("kim-long-h", falling_update) - 3.2) <= 0.1
    assert october.peak_value > 5.1 and october.cleared_at < falling_update + dt.timedelta(days=3)

    november = rule.events.get(first_seen__gte=second.created_at - dt.timedelta(days=1))
    assert november.level == 2 and november.level_code == "BD2"  # "trên báo động 2 trong đêm 15/11"
    assert _local(_escalations(november)["BD2"]).date() == _local(second.created_at).date()
    cancelled = second.messages.order_by("sent").last()
    assert cancelled.msg_type == "Cancel" and november.cleared_at < cancelled.sent  # "dưới báo động 1"


@pytest.mark.django_db
def test_the_flood_raised_the_other_rules_too(demo):
    """Phú Ốc past BĐ3, the Kim Long rise after the release, rain over 200 mm in 24 hours, the
    reservoirs above their flood-season curve: each an event of the October flood."""
    first, _second = _flood_alerts()
    october = MonitoringEvent.objects.filter(first_seen__year=_local(first.created_at).year,
                                             first_seen__month=10, first_seen__day__gte=20)
    by_rule = {}
    for event in october.select_related("rule", "station"):
        by_rule.setdefault(event.rule.kind, set()).add((event.station.code, event.level_code))
    assert ("phu-oc", "BD3") in by_rule["threshold"]
    assert ("kim-long", "") in by_rule["rate_of_rise"]
    assert ("kim-long", "R200") in by_rule["rolling_sum"]
    assert {code for code, _level in by_rule["curve"]} == {"binh-dien", "huong-dien", "ta-trach"}


@pytest.mark.django_db
def test_the_operator_closed_the_season_and_the_recent_events_stay_open(demo):
    from opencity.accounts.models import User

    operator = User.objects.get(phone="+84901000002")
    first, _second = _flood_alerts()
    season_year = _local(first.created_at).year
    season = MonitoringEvent.objects.filter(first_seen__year=season_year, first_seen__month__in=(10, 11))
    assert season.count() >= 10
    assert not season.exclude(status=EventStatus.RESOLVED).exists()
    resolved = MonitoringEventStep.objects.filter(event__in=season, action="resolve")
    assert set(resolved.values_list("actor", flat=True)) == {operator.pk}
    for step in resolved.select_related("event"):
        assert step.event.cleared_at is not None and step.created_at >= step.event.cleared_at
        assert _local(step.created_at).year == season_year  # resolved then, not today
    assert MonitoringEventStep.objects.filter(event__in=season, action="acknowledge").exists()

    recent = MonitoringEvent.objects.filter(first_seen__gte=timezone.now() - dt.timedelta(days=31))
    open_kinds = set(recent.filter(status=EventStatus.OPEN).values_list("rule__kind", flat=True))
    assert open_kinds == {"threshold", "repeat", "zone_exit"}  # air quality "Kém", plates, a vessel
    air = recent.get(rule__kind="threshold", station__code="kk-le-loi")
    assert air.level_name == "Kém" and 101 <= air.peak_value < 151
    repeated = set(recent.filter(rule__kind="repeat").values_list("subject", flat=True))
    assert repeated == {"75A12648", "75B134572"}  # three and four times; the plate seen twice is not
    assert list(recent.filter(rule__kind="zone_exit").values_list("station__code", flat=True)) == [
        "vessel-th-91234-ts"]


@pytest.mark.django_db
def test_citizens_see_rivers_rain_reservoirs_and_air_but_no_cameras_vessels_or_network(demo):
    public = set(Station.objects.filter(station_scope_q(AnonymousUser())).values_list("code", flat=True))
    assert {"kim-long", "phu-oc", "binh-dien", "huong-dien", "ta-trach", "kk-to-huu"} <= public
    hidden = set(Station.objects.filter(kind__in=("camera", "vessel", "network")).values_list("code", flat=True))
    assert len(hidden) == 9 and not hidden & public
    assert not Station.objects.filter(kind__in=("camera", "vessel", "network"), is_public=True).exists()
    assert Station.objects.get(code="kim-long").area.name == "Phường Kim Long"
    assert not Station.objects.filter(area=None).exclude(kind="vessel").exists()  # each in its ward


@pytest.mark.django_db
def test_every_station_has_its_last_day_at_ten_minute_steps(demo):
    newest = max(Datastream.objects.values_list("last_time", flat=True))
    for stream in Datastream.objects.all():
        assert stream.last_time > newest - dt.timedelta(minutes=10), stream.code
        last_day = Observation.objects.filter(datastream=stream, phenomenon_time__gt=newest - dt.timedelta(hours=24))
        assert last_day.count() == 144, stream.code
    assert 10_000 < Observation.objects.count() < 40_000  # modest: the demo loads in seconds
    assert 50 <= Item.objects.filter(kind="camera_violation").count() <= 70


@pytest.mark.django_db
def test_loading_the_monitoring_demo_again_creates_nothing(demo):
    first, _second = _flood_alerts()
    before = (Observation.objects.count(), Item.objects.count(), MonitoringEvent.objects.count(),
              Rule.objects.count(), Station.objects.count())
    assert demo_load_monitoring(year=_local(first.created_at).year).loaded is False
    assert before == (Observation.objects.count(), Item.objects.count(), MonitoringEvent.objects.count(),
                      Rule.objects.count(), Station.objects.count())
