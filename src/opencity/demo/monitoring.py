"""Demo data: what the city's sensors said — the Hương and Bồ rivers, the three reservoirs, the
rain, the air, the traffic cameras and the fishing vessels — told through the monitoring services.

- Six sources, the stations with their real names and places (their ward from the boundaries),
  and the rules as an administrator would enter them: the flood alarm levels of Kim Long and
  Phú Ốc (BĐ1/BĐ2/BĐ3), rate of rise, 24-hour rainfall, the reservoirs' operating curves, the
  VN_AQI bands, a silent-sensor rule, repeated camera violations, vessels leaving the coastal
  zone.
- Last year's October–November flood season at hourly steps, fed to ``observations_ingest`` at
  its moments (``lib.pastclock.played_at``): the hydrograph crosses BĐ2 and BĐ3 when the demo's
  warnings (``alerts.demo``) and the incident (``demo.incident``) say it did, the reservoirs
  fill with the inflow and release what the dam-release warning says. The rules raise their
  events as the readings arrive; the duty operator acknowledges them and resolves each once the
  water is back down (``event_acknowledge``, ``event_resolve``).
- The recent past: a week of air quality (one day "Kém"), a month of camera violations (three
  plates repeat), the last day of every station at 10-minute steps so the pages are current,
  and the vessels' positions (one leaves the zone). These events stay open for the console.

Deterministic (seeded); running it again does nothing. About 15,000 readings, a few seconds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from opencity.accounts.models import Role, User
from opencity.geo.selectors import area_for_point
from opencity.lib.pastclock import PastClock, played_at
from opencity.lib.phone import normalize_phone
from opencity.monitoring.models import (
    Datastream,
    EventStatus,
    ItemKind,
    MonitoringEvent,
    Observation,
    ObservedProperty,
    Rule,
    RuleKind,
    RuleLevel,
    Severity,
    Source,
    Station,
    StationKind,
)
from opencity.monitoring.services import (
    event_acknowledge,
    event_resolve,
    items_ingest,
    observations_ingest,
)

from .pack import DEMO_LOGINS

_VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOUR = dt.timedelta(hours=1)
STEP = dt.timedelta(minutes=10)  # the live interval of the last day

SOURCES = [
    ("kttv", "Đài Khí tượng Thủy văn khu vực Trung Trung Bộ"),
    ("thuy-loi", "Công ty TNHH NN MTV Quản lý khai thác công trình thủy lợi"),
    ("quan-trac", "Trung tâm Quan trắc tài nguyên và môi trường"),
    ("camera", "Công an thành phố Huế — camera giao thông"),
    ("thuy-san", "Chi cục Thủy sản"),
    ("attt", "Trung tâm Giám sát an toàn thông tin"),
]


@dataclass(frozen=True)
class StationRow:
    code: str
    name: str
    kind: str
    source: str
    lat: float
    lon: float
    streams: tuple[tuple[str, str], ...] = ()  # (suffix, property): datastream "<code>-<suffix>"
    river: str = ""
    description: str = ""

    @property
    def is_public(self) -> bool:
        return self.kind not in (StationKind.CAMERA, StationKind.VESSEL, StationKind.NETWORK)


HYDRO = (("h", "water_level"), ("rain", "rainfall"))
DAM = (("h", "reservoir_level"), ("q-in", "inflow"), ("q-out", "discharge"))
AIR = (("pm25", "pm25"), ("aqi", "aqi"))
STATIONS: tuple[StationRow, ...] = (
    StationRow("kim-long", "Trạm thủy văn Kim Long", StationKind.HYDRO, "kttv", 16.4647, 107.5630, HYDRO,
               "Hương", "Trạm thủy văn cấp I trên sông Hương, đo mực nước và lượng mưa."),
    StationRow("phu-oc", "Trạm thủy văn Phú Ốc", StationKind.HYDRO, "kttv", 16.5330, 107.4680, HYDRO,
               "Bồ", "Trạm thủy văn trên sông Bồ tại Tứ Hạ, đo mực nước và lượng mưa."),
    StationRow("binh-dien", "Hồ Bình Điền", StationKind.DAM, "thuy-loi", 16.3180, 107.4960, DAM, "Hương",
               "Hồ chứa trên sông Hữu Trạch (thượng nguồn sông Hương); mực nước dâng bình thường 85 m."),
    StationRow("huong-dien", "Hồ Hương Điền", StationKind.DAM, "thuy-loi", 16.4620, 107.3950, DAM, "Bồ",
               "Hồ chứa trên sông Bồ; mực nước dâng bình thường 58 m."),
    StationRow("ta-trach", "Hồ Tả Trạch", StationKind.DAM, "thuy-loi", 16.3140, 107.6570, DAM, "Hương",
               "Hồ chứa trên sông Tả Trạch, cắt lũ cho hạ du sông Hương; mực nước dâng bình thường 45 m."),
    StationRow("kk-to-huu", "Trạm quan trắc không khí Tố Hữu", StationKind.AIR, "quan-trac", 16.4570, 107.6067,
               AIR, description="Trạm quan trắc không khí tự động, liên tục."),
    StationRow("kk-le-loi", "Trạm quan trắc không khí Lê Lợi", StationKind.AIR, "quan-trac", 16.4638, 107.5904,
               AIR, description="Trạm quan trắc không khí tự động, liên tục."),
    StationRow("kk-kim-long", "Trạm quan trắc không khí Kim Long", StationKind.AIR, "quan-trac", 16.4615,
               107.5600, AIR, description="Trạm quan trắc không khí tự động, liên tục."),
    StationRow("cam-le-loi", "Camera nút giao Lê Lợi – Hà Nội", StationKind.CAMERA, "camera", 16.4622, 107.5858),
    StationRow("cam-hung-vuong", "Camera nút giao Hùng Vương – Bà Triệu", StationKind.CAMERA, "camera", 16.4590,
               107.6013),
    StationRow("cam-tran-hung-dao", "Camera đường Trần Hưng Đạo – chợ Đông Ba", StationKind.CAMERA, "camera",
               16.4727, 107.5878),
    StationRow("cam-dien-bien-phu", "Camera nút giao Điện Biên Phủ – Lê Lợi", StationKind.CAMERA, "camera",
               16.4560, 107.5795),
    StationRow("cam-nguyen-hue", "Camera nút giao Nguyễn Huệ – Lê Lợi", StationKind.CAMERA, "camera", 16.4608,
               107.5822),
    # Fishing vessels: their home port, Cảng cá Thuận An (positions come as items).
    StationRow("vessel-th-90123-ts", "Tàu cá TH-90123-TS", StationKind.VESSEL, "thuy-san", 16.5606, 107.6322),
    StationRow("vessel-th-90456-ts", "Tàu cá TH-90456-TS", StationKind.VESSEL, "thuy-san", 16.5606, 107.6322),
    StationRow("vessel-th-91234-ts", "Tàu cá TH-91234-TS", StationKind.VESSEL, "thuy-san", 16.5606, 107.6322),
    StationRow("attt-soc", "Trung tâm Giám sát an toàn thông tin (SOC)", StationKind.NETWORK, "attt", 16.4620,
               107.5860, description="Cảnh báo an toàn thông tin của các hệ thống thông tin thành phố."),
)

# The flood alarm levels (m) of the hydrological stations: BĐ1, BĐ2, BĐ3.
ALARMS = {"kim-long": (1.0, 2.0, 3.5), "phu-oc": (1.5, 3.0, 4.5)}
RIVER_RULES = {"kim-long": "sông Hương", "phu-oc": "sông Bồ"}
# Reservoirs: normal water level (m) and the flood season's lower ceiling (1 September–30 November).
CURVES = {"binh-dien": (85.0, 80.0), "huong-dien": (58.0, 56.0), "ta-trach": (45.0, 38.0)}
# VN_AQI bands (Quyết định 1459/QĐ-TCMT) that call for people to take care.
AQI_BANDS = [("AQI3", "Kém", 101, Severity.WARNING), ("AQI4", "Xấu", 151, Severity.WARNING),
             ("AQI5", "Rất xấu", 201, Severity.URGENT), ("AQI6", "Nguy hại", 301, Severity.URGENT)]
# The coastal fishing zone off Thuận An (lon, lat): from the shore out to about 25 km.
COASTAL_ZONE = {"type": "Polygon", "coordinates": [[
    [107.5200, 16.6500], [107.6300, 16.5800], [107.7600, 16.5150], [107.9200, 16.4350], [108.0300, 16.5700],
    [107.8600, 16.7000], [107.6800, 16.8000], [107.5600, 16.8300], [107.5200, 16.6500]]]}

FLOOD_RULES = {"kim-long": "Báo động lũ sông Hương (Kim Long)", "phu-oc": "Báo động lũ sông Bồ (Phú Ốc)"}
RISE_RULES = {"kim-long": "Nước sông Hương lên nhanh (Kim Long)", "phu-oc": "Nước sông Bồ lên nhanh (Phú Ốc)"}
CURVE_RULES = {"binh-dien": "Vượt đường quy trình vận hành (Bình Điền)",
               "huong-dien": "Vượt đường quy trình vận hành (Hương Điền)",
               "ta-trach": "Vượt đường quy trình vận hành (Tả Trạch)"}
RAIN_RULE = "Mưa lớn trong 24 giờ"
SILENCE_RULE = "Trạm thủy văn không gửi số liệu"
AQI_RULE = "Chất lượng không khí (VN_AQI)"
REPEAT_RULE = "Vi phạm giao thông lặp lại (cùng biển số)"
ZONE_RULE = "Tàu cá ra ngoài vùng khai thác ven bờ"


@dataclass
class DemoMonitoring:
    loaded: bool
    stations: int = 0
    readings: int = 0
    items: int = 0
    events: int = 0
    open_events: int = 0


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=_VN)


# --- reference data ------------------------------------------------------------------------------


def _reference() -> dict[str, Station]:
    """Sources, stations, datastreams and rules, created unless there (an administrator's are
    kept). Returns the stations by code."""
    sources = {}
    for code, name in SOURCES:
        sources[code], _created = Source.objects.get_or_create(code=code, defaults={"name": name})
    properties = {p.code: p for p in ObservedProperty.objects.all()}
    stations = {}
    for row in STATIONS:
        station = Station.objects.filter(code=row.code).first()
        if station is None:
            area = area_for_point(row.lat, row.lon)
            station = Station(code=row.code, name=row.name, kind=row.kind, source=sources[row.source],
                              description=row.description, river=row.river, lat=row.lat, lon=row.lon,
                              area=area, is_public=row.is_public)
            station.full_clean()
            station.save()
        for suffix, prop in row.streams:
            Datastream.objects.get_or_create(code=f"{row.code}-{suffix}", defaults={
                "station": station, "observed_property": properties[prop]})
        stations[row.code] = station
    _rules(properties)
    return stations


def _rule(name: str, kind: str, levels: Sequence[tuple[str, str, float, str]] = (), **fields) -> Rule:
    rule = Rule.objects.filter(name=name).first()
    if rule is not None:
        return rule
    rule = Rule(name=name, kind=kind, **fields)
    rule.full_clean()
    rule.save()
    for code, level_name, value, severity in levels:
        level = RuleLevel(rule=rule, code=code, name=level_name, value=value, severity=severity)
        level.full_clean()
        level.save()
    return rule


def _rules(properties: dict[str, ObservedProperty]) -> None:
    streams = {d.code: d for d in Datastream.objects.filter(station__code__in=[r.code for r in STATIONS])}
    for code, (bd1, bd2, bd3) in ALARMS.items():
        level = streams[f"{code}-h"]
        _rule(FLOOD_RULES[code], RuleKind.THRESHOLD, datastream=level, hysteresis=0.1, warning_event="flood",
              levels=[("BD1", "Báo động I", bd1, Severity.INFO), ("BD2", "Báo động II", bd2, Severity.WARNING),
                      ("BD3", "Báo động III", bd3, Severity.URGENT)])
        _rule(RISE_RULES[code], RuleKind.RATE_OF_RISE, datastream=level, window_minutes=60, limit=0.5,
              severity=Severity.WARNING, warning_event="flood")
    _rule(RAIN_RULE, RuleKind.ROLLING_SUM, observed_property=properties["rainfall"], window_minutes=24 * 60,
          hysteresis=10, warning_event="heavy_rain",
          levels=[("R100", "Mưa to", 100, Severity.WARNING), ("R200", "Mưa rất to", 200, Severity.URGENT)])
    for code, (normal, flood_season) in CURVES.items():
        _rule(CURVE_RULES[code], RuleKind.CURVE,
              datastream=streams[f"{code}-h"], limit=0.3, severity=Severity.WARNING, warning_event="dam_release",
              curve=[["01-01", normal], ["08-15", normal], ["09-01", flood_season], ["11-30", flood_season],
                     ["12-31", normal]])
    _rule(AQI_RULE, RuleKind.THRESHOLD, observed_property=properties["aqi"], station_kind=StationKind.AIR,
          hysteresis=5, warning_event="other", levels=AQI_BANDS)
    _rule(SILENCE_RULE, RuleKind.SILENCE, observed_property=properties["water_level"],
          station_kind=StationKind.HYDRO, window_minutes=60, severity=Severity.WARNING)
    _rule(REPEAT_RULE, RuleKind.REPEAT, item_kind=ItemKind.CAMERA_VIOLATION, window_minutes=30 * 24 * 60, limit=3,
          severity=Severity.INFO)
    _rule(ZONE_RULE, RuleKind.ZONE_EXIT, item_kind=ItemKind.VESSEL_POSITION, zone=COASTAL_ZONE,
          severity=Severity.WARNING)


# --- series --------------------------------------------------------------------------------------


def _pchip(points: Sequence[tuple[dt.datetime, float]]) -> Callable[[dt.datetime], float]:
    """A smooth curve through ``points`` that never overshoots them (monotone cubic, Fritsch and
    Carlson): a river rises and falls between the figures the bulletins give, without wiggles."""
    xs = [p[0].timestamp() / 3600 for p in points]
    ys = [p[1] for p in points]
    n = len(xs)
    slopes = [(ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) for i in range(n - 1)]
    d = [0.0] * n
    d[0], d[-1] = slopes[0], slopes[-1]
    for i in range(1, n - 1):
        a, b = slopes[i - 1], slopes[i]
        if a * b > 0:
            w1, w2 = 2 * (xs[i + 1] - xs[i]) + (xs[i] - xs[i - 1]), (xs[i + 1] - xs[i]) + 2 * (xs[i] - xs[i - 1])
            d[i] = (w1 + w2) / (w1 / a + w2 / b)
    if slopes[0] * d[0] <= 0:
        d[0] = 0.0
    if slopes[-1] * d[-1] <= 0:
        d[-1] = 0.0

    def at(when: dt.datetime) -> float:
        x = when.timestamp() / 3600
        if x <= xs[0]:
            return ys[0]
        if x >= xs[-1]:
            return ys[-1]
        i = max(0, min(n - 2, next(k for k in range(1, n) if xs[k] >= x) - 1))
        h = xs[i + 1] - xs[i]
        t = (x - xs[i]) / h
        h00, h10 = 2 * t**3 - 3 * t**2 + 1, t**3 - 2 * t**2 + t
        h01, h11 = -2 * t**3 + 3 * t**2, t**3 - t**2
        return h00 * ys[i] + h10 * h * d[i] + h01 * ys[i + 1] + h11 * h * d[i + 1]

    return at


def _hours(start: dt.datetime, end: dt.datetime, step: dt.timedelta = HOUR) -> Iterator[dt.datetime]:
    when = start
    while when < end:
        yield when
        when += step


# Water levels (m) at the moments the bulletins, warnings and the incident name (local time).
# Kim Long: over BĐ2 (2.0 m) in the evening of 26/10 — "vượt báo động 2, còn lên" at 05:30 on 27/10,
# over BĐ3 (3.5 m) at dawn on 27/10 as the reservoirs release, 5.1 m at 09:00 (the update), 3.2 m at
# 08:00 on 29/10, under BĐ1 before 09:00 on 31/10; the second flood over BĐ2 in the night of 15/11
# and under BĐ1 again before 09:00 on 17/11.
LEVELS = {
    "kim-long": [
        ((10, 1, 0), 0.45), ((10, 12, 0), 0.5), ((10, 14, 6), 1.05), ((10, 14, 20), 1.28), ((10, 15, 12), 0.95),
        ((10, 17, 0), 0.6), ((10, 24, 0), 0.5), ((10, 25, 12), 0.72), ((10, 26, 4), 1.15), ((10, 26, 16), 1.82),
        ((10, 26, 22), 2.4), ((10, 27, 5), 3.15), ((10, 27, 7), 3.95), ((10, 27, 9), 5.1), ((10, 27, 14), 5.45),
        ((10, 28, 6), 4.6), ((10, 28, 18), 3.9), ((10, 29, 8), 3.2), ((10, 30, 6), 2.0), ((10, 30, 20), 1.2),
        ((10, 31, 6), 0.82), ((11, 2, 0), 0.6), ((11, 4, 12), 0.78), ((11, 6, 0), 0.6), ((11, 14, 0), 0.55),
        ((11, 15, 12), 1.1), ((11, 15, 17), 1.6), ((11, 15, 23), 2.3), ((11, 16, 6), 2.65), ((11, 16, 18), 1.8),
        ((11, 17, 6), 0.85), ((11, 18, 12), 0.6), ((11, 30, 23), 0.5),
    ],
    "phu-oc": [
        ((10, 1, 0), 0.8), ((10, 12, 0), 0.85), ((10, 14, 4), 1.6), ((10, 14, 16), 1.95), ((10, 15, 10), 1.35),
        ((10, 17, 0), 0.95), ((10, 24, 0), 0.85), ((10, 25, 12), 1.15), ((10, 26, 4), 1.8), ((10, 26, 16), 3.2),
        ((10, 27, 3), 4.4), ((10, 27, 6), 4.95), ((10, 27, 11), 5.6), ((10, 28, 6), 4.6), ((10, 29, 8), 3.3),
        ((10, 30, 6), 2.2), ((10, 30, 20), 1.6), ((10, 31, 6), 1.3), ((11, 2, 0), 1.0), ((11, 4, 12), 1.2),
        ((11, 6, 0), 0.95), ((11, 14, 0), 0.9), ((11, 15, 12), 1.9), ((11, 15, 23), 3.3), ((11, 16, 4), 3.6),
        ((11, 16, 18), 2.4), ((11, 17, 6), 1.35), ((11, 18, 12), 1.0), ((11, 30, 23), 0.85),
    ],
}
# Daily rainfall (mm) of the season's rainy days; other days have a shower now and then.
RAIN_DAYS = {(10, 12): 35, (10, 13): 75, (10, 14): 55, (10, 24): 15, (10, 25): 140, (10, 26): 420,
             (10, 27): 230, (10, 28): 60, (10, 29): 12, (11, 3): 45, (11, 4): 70, (11, 14): 40, (11, 15): 190,
             (11, 16): 85, (11, 17): 10}
# Reservoirs: the inflow, and what the operator releases. In a flood the release follows the
# operators' orders: from 06:00 on 27/10 Bình Điền and Hương Điền release 2,500 m³/s together (the
# dam-release warning), under 800 m³/s from 14:00 on 28/10 (its cancellation) — the reservoirs store
# the rest and rise above the flood season's ceiling. Otherwise the turbines pass the inflow and
# draw the lake back down to below the ceiling. Reported hourly in a flood, four times a day
# otherwise.
RESERVOIRS = {
    # start level (m), surface (km²), inflow (m³/s), the release ordered in each flood
    "binh-dien": (78.6, 15.0,
                  [((10, 1, 0), 60), ((10, 13, 12), 60), ((10, 14, 12), 320), ((10, 16, 0), 110), ((10, 24, 0), 70),
                   ((10, 25, 12), 280), ((10, 26, 6), 720), ((10, 26, 18), 1520), ((10, 27, 3), 1900),
                   ((10, 27, 18), 900), ((10, 28, 12), 420), ((10, 29, 12), 230), ((10, 31, 0), 150),
                   ((11, 5, 0), 100), ((11, 15, 0), 120), ((11, 15, 20), 700), ((11, 16, 12), 400),
                   ((11, 18, 0), 120), ((11, 30, 23), 80)],
                  [[((10, 25, 12), 300), ((10, 26, 6), 350), ((10, 26, 14), 600), ((10, 27, 4), 900),
                    ((10, 27, 6), 1500), ((10, 28, 0), 1450), ((10, 28, 13), 500), ((10, 29, 0), 420)],
                   [((11, 15, 12), 250), ((11, 16, 0), 600), ((11, 17, 0), 350), ((11, 17, 12), 300)]]),
    "huong-dien": (55.1, 20.0,
                   [((10, 1, 0), 45), ((10, 13, 12), 45), ((10, 14, 12), 240), ((10, 16, 0), 80), ((10, 24, 0), 50),
                    ((10, 25, 12), 200), ((10, 26, 6), 560), ((10, 26, 18), 1200), ((10, 27, 2), 1450),
                    ((10, 27, 18), 650), ((10, 28, 12), 290), ((10, 29, 12), 160), ((10, 31, 0), 100),
                    ((11, 5, 0), 70), ((11, 15, 0), 85), ((11, 15, 20), 520), ((11, 16, 12), 300),
                    ((11, 18, 0), 85), ((11, 30, 23), 55)],
                   [[((10, 25, 12), 220), ((10, 26, 6), 260), ((10, 26, 14), 550), ((10, 27, 4), 800),
                     ((10, 27, 6), 1000), ((10, 28, 0), 950), ((10, 28, 13), 250), ((10, 29, 0), 280)],
                    [((11, 15, 12), 200), ((11, 16, 0), 420), ((11, 17, 0), 250), ((11, 17, 12), 200)]]),
    "ta-trach": (36.9, 24.0,
                 [((10, 1, 0), 50), ((10, 13, 12), 50), ((10, 14, 12), 300), ((10, 16, 0), 90), ((10, 24, 0), 60),
                  ((10, 25, 12), 260), ((10, 26, 6), 900), ((10, 26, 18), 2000), ((10, 27, 3), 2450),
                  ((10, 27, 18), 1100), ((10, 28, 12), 420), ((10, 29, 12), 200), ((10, 31, 0), 120),
                  ((11, 5, 0), 80), ((11, 15, 0), 95), ((11, 15, 20), 620), ((11, 16, 12), 330),
                  ((11, 18, 0), 95), ((11, 30, 23), 65)],
                 [[((10, 25, 12), 260), ((10, 26, 6), 300), ((10, 26, 14), 400), ((10, 27, 4), 650),
                   ((10, 27, 12), 900), ((10, 28, 6), 850), ((10, 28, 13), 600), ((10, 29, 0), 500)],
                  [((11, 15, 12), 250), ((11, 16, 0), 450), ((11, 17, 0), 300), ((11, 17, 12), 250)]]),
}
DRAW_DOWN = (300.0, 350.0)  # m³/s more released per metre above the target, at most
TIDE_HOURS = 12.42  # Kim Long feels the tide when the river is low


def _curve(year: int, points) -> Callable[[dt.datetime], float]:
    return _pchip([(_at(year, m, d, h), v) for (m, d, h), v in points])


def _rain_hours(day_total: float, r: random.Random) -> list[float]:
    """A day's rain spread over its hours, heavier in bursts."""
    weights = [r.gammavariate(0.7, 1.0) for _ in range(24)]
    total = sum(weights)
    return [round(day_total * w / total, 1) for w in weights]


def season_series(year: int, r: random.Random) -> dict[str, list[tuple[dt.datetime, float]]]:
    """Hourly readings of the hydrological stations and reservoirs, 1 October–30 November."""
    start, end = _at(year, 10, 1), _at(year, 12, 1)
    out: dict[str, list[tuple[dt.datetime, float]]] = defaultdict(list)
    for code, points in LEVELS.items():
        level = _curve(year, points)
        for when in _hours(start, end):
            value = level(when)
            if code == "kim-long" and value < 1.0:  # the tide, felt when the river is low
                tide = 0.07 * (1.0 - value) / 0.6
                value += tide * math.sin(2 * math.pi * (when - start).total_seconds() / 3600 / TIDE_HOURS)
            out[f"{code}-h"].append((when, round(value + r.gauss(0, 0.006), 2)))
    for code in LEVELS:
        scale = 1.0 if code == "kim-long" else 0.9
        day = start
        while day < end:
            local = day.astimezone(_VN)
            total = RAIN_DAYS.get((local.month, local.day))
            if total is not None:
                hours = _rain_hours(total * scale * r.uniform(0.92, 1.08), r)
            elif r.random() < 0.3:
                hours = [0.0] * 24
                first = r.randrange(0, 20)
                for h in range(first, first + r.randrange(2, 5)):
                    hours[h] = round(r.uniform(0.2, 5.0), 1)
            else:
                hours = [0.0] * 24
            out[f"{code}-rain"] += [(day + dt.timedelta(hours=h), v) for h, v in enumerate(hours)]
            day += dt.timedelta(days=1)
    reports_hourly = [(_at(year, 10, 24), _at(year, 11, 7)), (_at(year, 11, 14), _at(year, 11, 19))]
    for code, (level, surface, inflow_points, orders) in RESERVOIRS.items():
        inflow = _curve(year, inflow_points)
        plans = [(_at(year, *points[0][0]), _at(year, *points[-1][0]), _curve(year, points)) for points in orders]
        target = CURVES[code][1] - 0.6  # kept a little under the flood season's ceiling
        per_metre, most = DRAW_DOWN
        for when in _hours(start, end):
            q_in = max(0.0, inflow(when) * r.uniform(0.97, 1.03))
            ordered = next((plan(when) for first, last, plan in plans if first <= when <= last), None)
            if ordered is not None:
                q_out = ordered
            else:
                q_out = q_in + max(-0.4 * q_in, min(most, per_metre * (level - target)))
            level += (q_in - q_out) * 3600 / (surface * 1e6)
            if not any(first <= when < last for first, last in reports_hourly) and \
                    when.astimezone(_VN).hour not in (1, 7, 13, 19):
                continue  # four reports a day outside floods
            out[f"{code}-h"].append((when, round(level, 2)))
            out[f"{code}-q-in"].append((when, round(q_in)))
            out[f"{code}-q-out"].append((when, round(q_out)))
    return out


def vn_aqi(pm25: float) -> int:
    """The hourly VN_AQI of a PM2.5 reading (breakpoints of Quyết định 1459/QĐ-TCMT)."""
    bands = [(0, 0), (25, 50), (50, 100), (80, 150), (150, 200), (250, 300), (350, 400), (500, 500)]
    for (c0, i0), (c1, i1) in zip(bands, bands[1:], strict=False):
        if pm25 <= c1:
            return round(i0 + (i1 - i0) * (pm25 - c0) / (c1 - c0))
    return 500


AIR_BASE = {"kk-to-huu": 22.0, "kk-le-loi": 26.0, "kk-kim-long": 16.0}
SMOKY_DAY = 3  # days ago: a still, smoky evening (straw burning, an inversion): AQI "Kém" in the city


def _pm25(code: str, when: dt.datetime, now: dt.datetime, day_factor: float, r: random.Random) -> float:
    local = when.astimezone(_VN)
    h = local.hour + local.minute / 60
    cycle = (1 + 0.35 * math.exp(-((h - 8) ** 2) / 4) + 0.5 * math.exp(-((h - 19.5) ** 2) / 5)
             - 0.25 * math.exp(-((h - 14) ** 2) / 8))
    smoky = (now.astimezone(_VN).date() - local.date()).days == SMOKY_DAY and code != "kk-kim-long"
    boost = 1.0 + (0.75 * math.exp(-((h - 19.5) ** 2) / 6) if smoky else 0.0)
    value = AIR_BASE[code] * cycle * (1.0 if smoky else day_factor) * boost * r.uniform(0.94, 1.06)
    return round(value if smoky else min(value, 47.0), 1)


def recent_series(now: dt.datetime, r: random.Random) -> dict[str, list[tuple[dt.datetime, float]]]:
    """The last week of air quality (hourly, then every 10 minutes for the last day) and the last
    day of the rivers, rain gauges and reservoirs every 10 minutes."""
    out: dict[str, list[tuple[dt.datetime, float]]] = defaultdict(list)
    last = now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0)
    day_start = last - dt.timedelta(hours=24) + STEP
    week_start = (last - dt.timedelta(days=7)).replace(minute=0)
    factors = {d: r.uniform(0.85, 1.12) for d in range(9)}
    for code in AIR_BASE:
        times = list(_hours(week_start, day_start)) + list(_hours(day_start, last + STEP, STEP))
        for when in times:
            days_ago = (now.astimezone(_VN).date() - when.astimezone(_VN).date()).days
            pm25 = _pm25(code, when, now, factors[days_ago], r)
            out[f"{code}-pm25"].append((when, pm25))
            out[f"{code}-aqi"].append((when, vn_aqi(pm25)))
    start = (day_start - _at(2000, 1, 1)).total_seconds() / 3600
    for when in _hours(day_start, last + STEP, STEP):
        hours = (when - _at(2000, 1, 1)).total_seconds() / 3600
        out["kim-long-h"].append((when, round(0.62 + 0.05 * math.sin(2 * math.pi * hours / TIDE_HOURS)
                                              + r.gauss(0, 0.004), 2)))
        out["phu-oc-h"].append((when, round(0.92 - 0.03 * (hours - start) / 24 + r.gauss(0, 0.004), 2)))
        shower = 3 <= (when - day_start).total_seconds() / 3600 <= 5
        for code in ("kim-long", "phu-oc"):
            out[f"{code}-rain"].append((when, round(r.uniform(0.2, 1.4), 1) if shower else 0.0))
    for code, (level, flow) in {"binh-dien": (80.12, 95), "huong-dien": (56.05, 70),
                                "ta-trach": (38.1, 85)}.items():
        for when in _hours(day_start, last + STEP, STEP):
            hours = (when - _at(2000, 1, 1)).total_seconds() / 3600  # a slow daily swing, not noise
            q_in = round(flow * (1 + 0.04 * math.sin(2 * math.pi * hours / 24) + r.gauss(0, 0.003)))
            out[f"{code}-h"].append((when, round(level, 2)))
            out[f"{code}-q-in"].append((when, q_in))
            out[f"{code}-q-out"].append((when, flow))
            level += (q_in - flow) * 600 / 15e6
    return out


# --- items ---------------------------------------------------------------------------------------

VIOLATIONS = [("red_light", "Vượt đèn đỏ"), ("wrong_lane", "Đi không đúng làn đường"),
              ("speeding", "Chạy quá tốc độ quy định"), ("no_helmet", "Không đội mũ bảo hiểm"),
              ("stop_line", "Dừng xe quá vạch dừng")]
CAMERAS = ["cam-le-loi", "cam-hung-vuong", "cam-tran-hung-dao", "cam-dien-bien-phu", "cam-nguyen-hue"]
# Plates seen more than once in the month: three, three and four times (two repeat-rule events
# — one for the plate seen four times, which counts on — and one plate only twice).
REPEATERS = [("75A-126.48", 3), ("75B1-345.72", 4), ("75C-048.91", 2)]


def _plate(r: random.Random) -> str:
    if r.random() < 0.55:
        return f"75{r.choice('ABCDEFGH')}{r.randint(1, 9)}-{r.randint(100, 999)}.{r.randint(10, 99)}"
    return f"75{r.choice('AC')}-{r.randint(100, 999)}.{r.randint(10, 99)}"


def camera_violations(now: dt.datetime, r: random.Random) -> list[dict]:
    """About 60 violations found by the cameras over the last 30 days."""
    plates = [_plate(r) for _ in range(51)]
    for plate, times in REPEATERS:
        plates += [plate] * times
    rows = []
    for n, plate in enumerate(plates):
        when = (now - dt.timedelta(days=r.uniform(0.2, 29.5))).replace(second=0, microsecond=0)
        local = when.astimezone(_VN)
        if not 6 <= local.hour <= 22:  # traffic by day
            when -= dt.timedelta(hours=8)
        camera = r.choice(CAMERAS)
        motorbike = len(plate.split("-")[0]) == 4  # "75B1": a motorbike's series
        code, name = r.choice([v for v in VIOLATIONS if v[0] != ("speeding" if motorbike else "no_helmet")])
        row = {"kind": ItemKind.CAMERA_VIOLATION, "id": f"VP-{now.year}-{n + 1:05d}", "station": camera,
               "time": when, "subject": plate,
               "payload": {"violation": code, "violation_name": name, "plate": plate,
                           "vehicle": "xe máy" if motorbike else "ô tô"}}
        if code == "speeding":
            row["payload"].update(speed_kmh=r.randint(58, 82), limit_kmh=50)
        station = next(s for s in STATIONS if s.code == camera)
        row["lat"], row["lon"] = station.lat, station.lon
        rows.append(row)
    return sorted(rows, key=lambda row: row["time"])


# Fishing grounds (lat, lon) of the three vessels; the last one goes out beyond the zone.
GROUNDS = {"vessel-th-90123-ts": (16.6300, 107.7000), "vessel-th-90456-ts": (16.5800, 107.8200),
           "vessel-th-91234-ts": (16.6800, 107.7600)}
OUTBOUND = "vessel-th-91234-ts"


def vessel_positions(now: dt.datetime, r: random.Random) -> list[dict]:
    """Every 30 minutes over the last day; ``OUTBOUND`` heads out to sea for its last 6 hours."""
    rows = []
    last = now.replace(minute=now.minute - now.minute % 30, second=0, microsecond=0)
    for code, (lat, lon) in GROUNDS.items():
        registration = code.removeprefix("vessel-").upper()
        for k in range(48, -1, -1):
            when = last - dt.timedelta(minutes=30 * k)
            lat_k = lat + 0.02 * math.sin(k / 5) + r.uniform(-0.003, 0.003)
            lon_k = lon + 0.02 * math.cos(k / 7) + r.uniform(-0.003, 0.003)
            if code == OUTBOUND and k < 12:
                out = (12 - k) / 12
                lat_k, lon_k = lat_k + 0.22 * out, lon_k + 0.16 * out
            rows.append({"kind": ItemKind.VESSEL_POSITION, "id": f"{registration}-{when:%Y%m%d%H%M}",
                         "station": code, "time": when, "subject": registration, "lat": round(lat_k, 4),
                         "lon": round(lon_k, 4),
                         "payload": {"speed_knots": round(r.uniform(1.5, 4.0) if code != OUTBOUND or k >= 12
                                                          else r.uniform(6.5, 8.0), 1),
                                     "heading": r.randrange(0, 360) if code != OUTBOUND or k >= 12 else 35}})
    return rows


ALERTS = [("web-dvc", "Dò quét lỗ hổng từ địa chỉ IP nước ngoài", "medium"),
          ("mail-gw", "Đăng nhập thất bại nhiều lần vào hộp thư công vụ", "low"),
          ("hue-s-api", "Lưu lượng truy cập bất thường tới cổng API", "medium"),
          ("web-dvc", "Chặn yêu cầu khai thác SQL injection", "high"),
          ("vpn-gw", "Đăng nhập VPN từ vị trí bất thường", "medium")]


def security_alerts(now: dt.datetime, r: random.Random) -> list[dict]:
    rows = []
    for n, (host, title, level) in enumerate(ALERTS):
        when = (now - dt.timedelta(days=6 - n * 1.3, hours=r.uniform(0, 6))).replace(second=0, microsecond=0)
        rows.append({"kind": ItemKind.SECURITY_ALERT, "id": f"SOC-{now.year}-{n + 1:04d}", "station": "attt-soc",
                     "time": when, "subject": host, "payload": {"title": title, "severity": level}})
    return rows


# --- playing it through the services -----------------------------------------------------------


@dataclass
class Batch:
    end: dt.datetime  # the clock when it arrives
    readings: list[dict] = field(default_factory=list)
    items: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))  # by source code


class Schedule:
    """When readings and items arrive: each goes with the first delivery of its group at or after
    its time. Each delivery is judged as a whole, stamped with its moment; so deliveries are
    frequent where the rules' moments matter (the rivers during a flood) and rare elsewhere,
    which keeps the demo fast (each delivery costs a few queries per datastream)."""

    def __init__(self) -> None:
        self.batches: dict[dt.datetime, Batch] = {}

    def _batch(self, deliveries: list[dt.datetime], when: dt.datetime) -> Batch:
        end = deliveries[bisect.bisect_left(deliveries, when)]
        return self.batches.setdefault(end, Batch(end))

    def readings(self, series: dict[str, list[tuple[dt.datetime, float]]], codes, deliveries) -> None:
        for code in codes:
            for when, value in series.get(code, ()):
                self._batch(deliveries, when).readings.append({"datastream": code, "time": when, "value": value})

    def items(self, source: str, rows: list[dict], deliveries) -> None:
        for row in rows:
            self._batch(deliveries, row["time"]).items[source].append(row)

    def ordered(self) -> list[Batch]:
        return [self.batches[end] for end in sorted(self.batches)]


def deliveries(start: dt.datetime, end: dt.datetime, every: dt.timedelta,
               busy: Sequence[tuple[dt.datetime, dt.datetime, dt.timedelta]] = ()) -> list[dt.datetime]:
    """Moments from ``start`` to ``end`` (both included): every ``every``, and more often in
    the busy spans (first, last, how often)."""
    moments = {end, *_hours(start, end, every)}
    for first, last, often in busy:
        moments |= {*_hours(first, last, often), last}
    return sorted(m for m in moments if start <= m <= end)


def _season(year: int, r: random.Random) -> list[Batch]:
    """The season's deliveries: the river levels every 3 hours while the floods the warnings
    name are on (their events carry those moments), the rain and the reservoir levels twice or
    once a day then; once a week otherwise (nothing happens then: every episode of the season
    begins and ends inside the busy spans)."""
    series = season_series(year, r)
    start, end = _at(year, 10, 1, 12), _at(year, 12, 1)
    quiet, three, six, twelve, day = (dt.timedelta(hours=h) for h in (7 * 24, 3, 6, 12, 24))
    minor, flood, second = ((_at(year, 10, 13, 12), _at(year, 10, 16)), (_at(year, 10, 25, 12), _at(year, 11, 1)),
                            (_at(year, 11, 15, 6), _at(year, 11, 18)))
    schedule = Schedule()
    schedule.readings(series, [f"{code}-h" for code in LEVELS],
                      deliveries(start, end, quiet, [(*minor, six), (*flood, three), (*second, three)]))
    schedule.readings(series, [f"{code}-rain" for code in LEVELS],
                      deliveries(start, end, quiet, [(*minor, twelve), (*flood, twelve), (*second, twelve)]))
    schedule.readings(series, [f"{code}-h" for code in RESERVOIRS],
                      deliveries(start, end, quiet, [(flood[0], _at(year, 11, 6), day), (*second, day)]))
    schedule.readings(series, [f"{code}-{suffix}" for code in RESERVOIRS for suffix in ("q-in", "q-out")],
                      deliveries(start, end, quiet))
    return schedule.ordered()


def _recent(now: dt.datetime, r: random.Random) -> list[Batch]:
    """The recent past: the week's air quality twice a day, a month of camera violations day by
    day, the vessels every 4 hours, then the last day of every station at once."""
    series = recent_series(now, r)
    schedule = Schedule()
    day = now - dt.timedelta(hours=24)
    air = [code for code in series if code.startswith("kk-")]
    schedule.readings(series, air, deliveries(now - dt.timedelta(days=7), day, dt.timedelta(hours=12)) + [now])
    schedule.readings(series, [code for code in series if code not in air], [now])
    schedule.items("camera", camera_violations(now, r), deliveries(now - dt.timedelta(days=30), now,
                                                                   dt.timedelta(days=1)))
    schedule.items("thuy-san", vessel_positions(now, r), deliveries(day, now, dt.timedelta(hours=4)))
    schedule.items("attt", security_alerts(now, r), [now])
    return schedule.ordered()


def _duty(operator: User, clock: PastClock, *, resolve_all: bool = False) -> None:
    """The duty operator's round: acknowledge what is new, resolve what the data show is over."""
    now = clock.moment
    for event in MonitoringEvent.objects.exclude(status=EventStatus.RESOLVED).order_by("pk"):
        if resolve_all or (event.cleared_at is not None and event.cleared_at <= now - HOUR):
            event_resolve(actor=operator, event_id=event.pk, note="Số liệu đã trở lại bình thường.")
        elif event.status == EventStatus.OPEN:
            event_acknowledge(actor=operator, event_id=event.pk)


def _play(batches: list[Batch], clock: PastClock, operator: User | None, sources: dict[str, Source],
          summary: DemoMonitoring, *, on_duty: bool) -> None:
    for batch in batches:
        clock.set(max(clock.moment, batch.end))
        if batch.readings:
            result = observations_ingest(rows=batch.readings, source=None)
            summary.readings += result.count("created")
        for source, rows in batch.items.items():
            result = items_ingest(rows=sorted(rows, key=lambda row: row["time"]), source=sources[source])
            summary.items += result.count("created")
        if on_duty and operator is not None:
            _duty(operator, clock)


def _operator() -> User | None:
    row = next(row for row in DEMO_LOGINS if row.role == Role.OPERATOR)
    return User.objects.filter(phone=normalize_phone(row.phone)).first()


def demo_load_monitoring(*, year: int, seed: int = 2025) -> DemoMonitoring:
    """Load the stations, rules and readings; ``year``: the flood season's (last year's in the
    demo). Does nothing if the season's readings are there."""
    if Observation.objects.filter(datastream__code="kim-long-h", phenomenon_time__gte=_at(year, 10, 1),
                                  phenomenon_time__lt=_at(year, 12, 1)).exists():
        return DemoMonitoring(loaded=False)
    r = random.Random(seed)
    real_now = timezone.now().replace(second=0, microsecond=0)
    operator = _operator()
    summary = DemoMonitoring(loaded=True)
    with transaction.atomic(), played_at(_at(year, 9, 30, 9)) as clock:
        stations = _reference()
        sources = {s.code: s for s in Source.objects.filter(code__in=[code for code, _name in SOURCES])}
        summary.stations = len(stations)
        _play(_season(year, r), clock, operator, sources, summary, on_duty=True)
        clock.set(max(clock.moment, _at(year, 12, 1, 8)))
        if operator is not None:
            _duty(operator, clock, resolve_all=True)  # the season is over
        _play(_recent(real_now, r), clock, operator, sources, summary, on_duty=False)
    summary.events = MonitoringEvent.objects.count()
    summary.open_events = MonitoringEvent.objects.exclude(status=EventStatus.RESOLVED).count()
    return summary
