"""The monitoring cast: the hydro-meteorological source, Kim Long station on the Hương river
with its water level and the flood alarm levels (BĐ1 1.0 m, BĐ2 2.0 m, BĐ3 3.5 m), a rain gauge,
a camera source."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opencity.lib.credentials import credential_issue
from opencity.monitoring.models import (
    Datastream,
    ObservedProperty,
    Rule,
    RuleKind,
    RuleLevel,
    Severity,
    Source,
    SourceKey,
    Station,
    StationKind,
)


@pytest.fixture
def hydro_source(db) -> Source:
    return Source.objects.create(code="kttv", name="Đài KTTV Trung Trung Bộ")


@pytest.fixture
def hydro_key(hydro_source) -> str:
    _key, raw = credential_issue(SourceKey, actor=None, source=hydro_source, name="gateway")
    return raw


@pytest.fixture
def kim_long(hydro_source, phu_xuan) -> Station:
    return Station.objects.create(code="kim-long", name="Kim Long", kind=StationKind.HYDRO, source=hydro_source,
                                  river="Hương", lat=16.4647, lon=107.5630, area=phu_xuan)


@pytest.fixture
def level_stream(kim_long) -> Datastream:
    return Datastream.objects.create(code="kim-long-h", station=kim_long,
                                     observed_property=ObservedProperty.objects.get(code="water_level"))


@pytest.fixture
def flood_rule(level_stream) -> Rule:
    rule = Rule.objects.create(name="Báo động lũ sông Hương tại Kim Long", kind=RuleKind.THRESHOLD,
                               datastream=level_stream, hysteresis=0.1, warning_event="flood")
    for code, name, value, severity in (("BD1", "Báo động I", 1.0, Severity.INFO),
                                        ("BD2", "Báo động II", 2.0, Severity.WARNING),
                                        ("BD3", "Báo động III", 3.5, Severity.URGENT)):
        RuleLevel.objects.create(rule=rule, code=code, name=name, value=value, severity=severity)
    return rule


@pytest.fixture
def rain_stream(kim_long) -> Datastream:
    return Datastream.objects.create(code="kim-long-rain", station=kim_long,
                                     observed_property=ObservedProperty.objects.get(code="rainfall"))


@pytest.fixture
def camera_source(db) -> Source:
    return Source.objects.create(code="camera", name="Công an tỉnh — camera giao thông")


@pytest.fixture
def camera(camera_source, phu_xuan) -> Station:
    return Station.objects.create(code="cam-le-loi", name="Camera Lê Lợi – Hùng Vương", kind=StationKind.CAMERA,
                                  source=camera_source, lat=16.4637, lon=107.5909, area=phu_xuan, is_public=False)


def at(minutes: int, base: dt.datetime | None = None) -> str:
    """An ISO time ``minutes`` after a fixed morning two hours ago."""
    base = base or (timezone.now() - dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    return (base + dt.timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def t0():
    return (timezone.now() - dt.timedelta(hours=6)).replace(second=0, microsecond=0)
