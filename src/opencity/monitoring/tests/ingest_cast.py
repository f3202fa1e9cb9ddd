"""The stations the pull adapters and their sample files name (``monitoring/samples/``): the
three reservoirs of the Thủy lợi source with their level, inflow and discharge datastreams,
five police cameras, three fishing vessels. Import with ``from .ingest_cast import *``."""

from __future__ import annotations

import pytest

from opencity.lib.credentials import credential_issue
from opencity.monitoring.models import (
    Datastream,
    ObservedProperty,
    Source,
    SourceKey,
    Station,
    StationKind,
)

RESERVOIRS = [("binh-dien", "Hồ Bình Điền", 16.3672, 107.4885), ("huong-dien", "Hồ Hương Điền", 16.4972, 107.4417),
              ("ta-trach", "Hồ Tả Trạch", 16.2675, 107.6381)]
CAMERAS = ["cam-le-loi", "cam-hung-vuong", "cam-tran-hung-dao", "cam-dien-bien-phu", "cam-nguyen-hue"]
VESSELS = ["vessel-th-90123-ts", "vessel-th-90456-ts", "vessel-th-91234-ts"]

__all__ = ["CAMERAS", "RESERVOIRS", "VESSELS", "cameras", "fisheries_source", "reservoir_source", "reservoirs",
           "source_key", "vessels"]


@pytest.fixture
def reservoir_source(db) -> Source:
    return Source.objects.create(code="thuy-loi", name="Công ty Thủy lợi Thừa Thiên Huế")


@pytest.fixture
def fisheries_source(db) -> Source:
    return Source.objects.create(code="thuy-san", name="Chi cục Thủy sản")


@pytest.fixture
def reservoirs(reservoir_source) -> list[Station]:
    props = {p.code: p for p in ObservedProperty.objects.filter(code__in=["reservoir_level", "inflow", "discharge"])}
    stations = []
    for code, name, lat, lon in RESERVOIRS:
        station = Station.objects.create(code=code, name=name, kind=StationKind.DAM, source=reservoir_source,
                                         lat=lat, lon=lon)
        for suffix, prop in (("h", "reservoir_level"), ("q-in", "inflow"), ("q-out", "discharge")):
            Datastream.objects.create(code=f"{code}-{suffix}", station=station, observed_property=props[prop])
        stations.append(station)
    return stations


@pytest.fixture
def cameras(camera_source) -> list[Station]:
    return [Station.objects.create(code=code, name=f"Camera {code[4:]}", kind=StationKind.CAMERA,
                                   source=camera_source, is_public=False) for code in CAMERAS]


@pytest.fixture
def vessels(fisheries_source) -> list[Station]:
    return [Station.objects.create(code=code, name=code[7:].upper(), kind=StationKind.VESSEL, source=fisheries_source,
                                   is_public=False) for code in VESSELS]


@pytest.fixture
def source_key():
    """``source_key(source)``: a new raw key of ``source``."""

    def issue(source: Source) -> str:
        return credential_issue(SourceKey, actor=None, source=source, name="test")[1]

    return issue
