"""Demo data: last year's October–November flood as an incident, told through the services.

The demo's flood warnings (``alerts.demo``), rescue requests (``emergency.demo``) and hotline
calls (``hotline.demo``) become one response: the incident opened from the flood warning, the
season's other warnings, its rescue requests and the calls behind them linked; the command
(the city leader commanding, the IOC operator as deputy, the Phú Xuân and Kim Long officials
commanding their wards); three operational periods with objectives; the rescue teams and the
police, army and Red Cross mobilised; tasks on the board; boats, a truck and pumps; the stock
book; six shelters with the households they took in; four situation reports, signed, whose
city totals are their wards' sums; then recovery and the end.

Every step goes through ``opencity.incidents.services`` at its moment in the past
(``lib.pastclock.played_at``), so the demo cannot disagree with the product. Deterministic;
running it again does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from opencity.accounts.models import User
from opencity.alerts.models import Alert
from opencity.emergency.models import RescueRequest, RescueTeam, TeamKind
from opencity.geo.models import Area
from opencity.hotline.models import Call
from opencity.incidents import services
from opencity.incidents.models import Incident, Shelter, ShelterKind
from opencity.lib.pastclock import played_at

_VN = ZoneInfo("Asia/Ho_Chi_Minh")
NAME = "Lũ lớn cuối tháng 10 trên địa bàn thành phố Huế"
WARDS = ["Phường Thuận An", "Xã Quảng Điền", "Xã Phú Vang", "Phường Hương Trà", "Xã Phú Vinh", "Xã Phú Hồ",
         "Phường Dương Nỗ", "Phường Phong Quảng", "Phường Kim Long", "Phường Phú Xuân"]
# Forces beside the SOS app's rescue teams (name, kind, phone).
FORCES = [("Công an thành phố Huế — Cảnh sát PCCC và CNCH", TeamKind.POLICE, "+842343822114"),
          ("Bộ Chỉ huy Quân sự thành phố — Đại đội công binh", TeamKind.ARMY, "+842343822333"),
          ("Hội Chữ thập đỏ thành phố Huế", TeamKind.RED_CROSS, "+842343823323")]
# The standing list of shelters opened (name, kind, ward, address, lat, lon, day, night).
SHELTERS = [
    ("Trường THCS Thuận An", ShelterKind.SCHOOL, "Phường Thuận An", "Đường Nguyễn Văn Tuyết", 16.5591, 107.6390, 400, 250),
    ("Nhà văn hóa thôn Phú Lương", ShelterKind.CULTURAL_HOUSE, "Xã Phú Vang", "Thôn Phú Lương", 16.4978, 107.7003, 150, 90),
    ("Trường Tiểu học Quảng Thành", ShelterKind.SCHOOL, "Xã Quảng Điền", "Thôn Phước Yên", 16.5642, 107.5208, 300, 180),
    ("Nhà ba tầng ông Nguyễn Văn Thọ", ShelterKind.HIGH_HOUSE, "Phường Hương Trà", "Kiệt 12 Lý Nhân Tông", 16.5108, 107.5219, 40, 30),
    ("Trụ sở UBND phường Kim Long", ShelterKind.OFFICE, "Phường Kim Long", "Số 1 Kim Long", 16.4604, 107.5604, 120, 80),
    ("Nhà văn hóa tổ dân phố 5 Dương Nỗ", ShelterKind.CULTURAL_HOUSE, "Phường Dương Nỗ", "Tổ dân phố 5", 16.4989, 107.6267, 100, 60),
]
HOUSEHOLD_NAMES = ["Nguyễn Văn", "Trần Thị", "Lê Văn", "Phạm Thị", "Hoàng Văn", "Võ Thị", "Phan Văn", "Đặng Thị"]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Hoa", "Lành", "Mai", "Nam", "Phúc", "Sương", "Tâm", "Vinh"]
PERIODS = [
    ((10, 27, 6), 12, "Sơ tán toàn bộ hộ dân vùng trũng ven sông Hương, sông Bồ trước 12 giờ\n"
                      "Cứu hộ người bị mắc kẹt, ưu tiên người già, trẻ em, người bệnh\n"
                      "Mở 6 điểm sơ tán, bảo đảm lương thực, nước uống"),
    ((10, 27, 18), 12, "Duy trì lực lượng trực cứu hộ 24/24 tại các điểm ngập sâu\n"
                       "Cấp phát nước uống, áo phao cho các điểm sơ tán\n"
                       "Báo cáo nhanh thiệt hại trước 6 giờ sáng"),
    ((10, 28, 6), 24, "Hỗ trợ dân trở về khi nước rút, vệ sinh môi trường\n"
                      "Khắc phục sạt lở, thông tuyến giao thông\n"
                      "Tổng hợp thiệt hại, đề xuất hỗ trợ"),
]
TASKS = [  # (period index, ward, title, place, priority, team index, last step)
    (0, "Phường Thuận An", "Sơ tán 35 hộ vùng trũng ra Trường THCS Thuận An", "Thôn An Dương", 3, 0, "done"),
    (0, "Xã Phú Vang", "Đưa người già, trẻ em thôn Phú Lương đến nhà văn hóa", "Thôn Phú Lương", 3, 0, "done"),
    (0, "Xã Quảng Điền", "Cứu hộ 2 hộ bị cô lập", "Thôn Phước Yên", 3, 1, "done"),
    (0, "Phường Hương Trà", "Di dời dân khu vực ven sông Bồ", "Tổ dân phố 7", 2, 2, "done"),
    (1, "Phường Kim Long", "Cắm biển cảnh báo, chốt chặn đường ngập sâu", "Đường Kim Long", 2, 3, "done"),
    (1, "Phường Dương Nỗ", "Tiếp tế nước uống cho điểm sơ tán", "Tổ dân phố 5", 2, 5, "done"),
    (1, "Xã Phú Vinh", "Kiểm tra đê bao, gia cố điểm xung yếu", "Đê Phú Vinh", 2, 4, "done"),
    (2, "Phường Phú Xuân", "Dọn bùn đất, vệ sinh trường học sau lũ", "Trường Tiểu học Phú Xuân", 1, 5, "done"),
    (2, "Xã Phú Hồ", "Khắc phục sạt lở đường liên thôn", "Đường liên thôn Phú Hồ", 2, 4, "cancel"),
]
ASSETS = [("boat", "Xuồng máy cứu hộ", "HUE-X01"), ("boat", "Ca nô composite", "HUE-X02"),
          ("truck", "Xe tải chở hàng cứu trợ", "75C-123.45"), ("pump", "Máy bơm chữa cháy", "MB-07")]
# Each report's figures for the wards that report (cumulative, as a báo cáo nhanh is).
SITREP_MOMENTS = [(10, 27, 17), (10, 28, 6), (10, 28, 17), (10, 29, 17)]


@dataclass
class DemoIncident:
    loaded: bool
    incident: Incident | None = None
    links: int = 0
    tasks: int = 0
    stays: int = 0
    reports: int = 0


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=_VN)


def _person(phone: str) -> User | None:
    return User.objects.filter(phone=f"+84{phone[1:]}").first()


def _standing_shelters(areas: dict[str, Area], managers: list[User]) -> list[Shelter]:
    """The city's standing list of shelters (reference data, as an administrator enters it)."""
    shelters = []
    for name, kind, ward, address, lat, lon, day, night in SHELTERS:
        shelter, _created = Shelter.objects.get_or_create(name=name, defaults={
            "kind": kind, "area": areas[ward], "address": address, "lat": lat, "lon": lon,
            "capacity_day": day, "capacity_night": night})
        shelter.managers.add(*managers)
        shelters.append(shelter)
    return shelters


def demo_load_incident(*, year: int, seed: int = 2025) -> DemoIncident:
    """Load the flood of ``year`` (last year in the demo) as an incident. Needs the warnings,
    rescue requests and calls of that flood (``demo_load_warnings``, ``demo_load_rescue``,
    ``demo_load_calls``)."""
    if Incident.objects.filter(name=NAME).exists():
        return DemoIncident(loaded=False)
    flood = (Alert.objects.filter(latest__event="flood", created_at__year=year, created_at__month=10)
             .order_by("created_at").first())
    leader, operator = _person("0901000007"), _person("0901000002")
    px, kl = _person("0901000005"), _person("0901000146")
    if flood is None or leader is None or operator is None:
        return DemoIncident(loaded=False)
    r = random.Random(seed)
    areas = {a.name: a for a in Area.objects.filter(name__in=WARDS)}
    summary = DemoIncident(loaded=True)
    with transaction.atomic(), played_at(_at(year, 10, 26, 18)) as clock:
        incident = services.incident_from_alert(actor=operator, alert_id=flood.pk)
        services.incident_update(actor=operator, incident_id=incident.pk, name=NAME, level=3,
                                 description=flood.latest.description_vi, area_ids=[a.pk for a in areas.values()])
        for other in Alert.objects.filter(created_at__year=year, created_at__month=10).exclude(pk=flood.pk):
            services.incident_link(actor=operator, incident_id=incident.pk, kind="alert", target_id=other.pk)
        services.roster_add(actor=operator, incident_id=incident.pk, user_id=leader.pk, position="commander")
        services.roster_add(actor=operator, incident_id=incident.pk, user_id=operator.pk, position="deputy")
        for official, ward in ((px, "Phường Phú Xuân"), (kl, "Phường Kim Long")):
            if official is not None:
                services.roster_add(actor=operator, incident_id=incident.pk, user_id=official.pk,
                                    position="commander", area_id=areas[ward].pk)

        clock.set(_at(year, 10, 27, 5, 30))
        services.incident_transition(actor=leader, incident_id=incident.pk, action="activate",
                                     note="Mực nước sông Hương tại Kim Long vượt báo động 2, còn lên.")
        periods = []
        deployments: list = []
        for index, ((month, day, hour), hours, objectives) in enumerate(PERIODS):
            start = _at(year, month, day, hour)
            if index:  # the night's report comes before the next period (06:00 and 18:00 briefings)
                _sitrep(incident, leader, operator, areas, clock, r, summary, index - 1)
            clock.set(max(clock.moment, start - dt.timedelta(minutes=30)))
            periods.append(services.period_add(actor=leader, incident_id=incident.pk, starts_at=start,
                                               ends_at=start + dt.timedelta(hours=hours), objectives=objectives))
            if index == 0:
                clock.set(start)
                deployments = _mobilise(incident, operator, areas, clock)
                shelters = _open_shelters(incident, operator, clock, r, summary, _standing_shelters(
                    areas, [u for u in (px, operator) if u is not None]))
                _resources(incident, operator, clock, shelters, deployments)
                _link_arrivals(incident, operator, year, summary)
            _board(incident, operator, areas, periods[-1], index, deployments, clock, summary)
        for n in range(len(PERIODS) - 1, len(SITREP_MOMENTS)):
            _sitrep(incident, leader, operator, areas, clock, r, summary, n)

        clock.set(_at(year, 10, 31, 9))
        for shelter in incident.shelters.filter(is_open=True):
            services.shelter_close(actor=operator, shelter_id=shelter.pk, check_out_all=True)
        for deployment in incident.deployments.exclude(status="demobilized"):
            services.deployment_transition(actor=operator, deployment_id=deployment.pk, action="demobilize")
        services.incident_transition(actor=leader, incident_id=incident.pk, action="recover",
                                     note="Nước đã rút dưới báo động 1; chuyển sang khắc phục hậu quả.")
        clock.set(_at(year, 11, 8, 16))
        services.incident_transition(actor=leader, incident_id=incident.pk, action="close",
                                     note="Hoàn thành khắc phục; kết thúc ứng phó.")
    summary.incident = incident
    return summary


def _teams() -> list[RescueTeam]:
    teams = list(RescueTeam.objects.filter(kind=TeamKind.RESCUE).order_by("name"))
    for name, kind, phone in FORCES:
        team, _created = RescueTeam.objects.get_or_create(name=name, defaults={"kind": kind, "phone": phone})
        teams.append(team)
    return teams


def _mobilise(incident, operator, areas, clock) -> list:
    wards = ["Xã Phú Vang", "Xã Quảng Điền", "Phường Hương Trà", "Phường Kim Long", "Xã Phú Vinh", None]
    deployments = []
    for team, ward in zip(_teams(), wards, strict=False):
        clock.advance(minutes=3)
        deployment = services.deployment_request(actor=operator, incident_id=incident.pk, team_id=team.pk,
                                                 area_id=areas[ward].pk if ward else None, people=12)
        for action in ("assign", "mobilize", "act"):
            clock.advance(minutes=3)
            services.deployment_transition(actor=operator, deployment_id=deployment.pk, action=action)
        deployments.append(deployment)
    return deployments


def _open_shelters(incident, operator, clock, r, summary, shelters: list[Shelter]) -> list[Shelter]:
    for shelter in shelters:
        clock.advance(minutes=2)
        services.shelter_open(actor=operator, incident_id=incident.pk, shelter_id=shelter.pk)
    for n in range(48):
        shelter = shelters[n % len(shelters)]
        at = clock.advance(minutes=r.randrange(1, 4))
        services.shelter_check_in(actor=operator, shelter_id=shelter.pk, at=at, people=r.choice([2, 3, 3, 4, 4, 5, 6]),
                                  head_name=f"{r.choice(HOUSEHOLD_NAMES)} {r.choice(GIVEN)}",
                                  phone=f"+849{r.randrange(10**7, 10**8)}", from_area_id=shelter.area_id,
                                  needs=r.choice(["", "", "Có người già", "Có trẻ nhỏ", "Cần thuốc huyết áp"]),
                                  client_token=f"demo-flood-stay-{n:04d}")
        summary.stays += 1
    return shelters


def _resources(incident, operator, clock, shelters, deployments) -> None:
    for n, (kind, name, code) in enumerate(ASSETS):
        clock.advance(minutes=2)
        asset = services.asset_add(actor=operator, incident_id=incident.pk, kind=kind, name=name, code=code)
        services.asset_transition(actor=operator, incident_id=incident.pk, asset_id=asset.pk, action="assign",
                                  deployment_id=deployments[n % len(deployments)].pk)
    for item, quantity in (("food", 3000), ("water", 5000), ("life_jackets", 400), ("medicine", 120)):
        clock.advance(minutes=2)
        services.stock_add(actor=operator, incident_id=incident.pk, item=item, move="receipt", quantity=quantity,
                           note="Kho dự trữ PCTT thành phố")
    for shelter in shelters:
        clock.advance(minutes=2)
        for item, quantity in (("food", 200), ("water", 400), ("life_jackets", 30)):
            services.stock_add(actor=operator, incident_id=incident.pk, item=item, move="issue", quantity=quantity,
                               shelter_id=shelter.pk, note=shelter.name)


def _link_arrivals(incident, operator, year, summary) -> None:
    """The flood's rescue requests and the calls behind them: linked by the centre."""
    rescues = RescueRequest.objects.filter(client_token__startswith=f"demo-flood-{year}-").order_by("created_at")
    for rescue in rescues:
        services.incident_link(actor=operator, incident_id=incident.pk, kind="rescue", target_id=rescue.pk)
        summary.links += 1
    for call in Call.objects.filter(rescue_requests__in=rescues).distinct().order_by("started_at"):
        services.incident_link(actor=operator, incident_id=incident.pk, kind="call", target_id=call.pk)
        summary.links += 1


def _board(incident, operator, areas, period, index, deployments, clock, summary) -> None:
    """The period's tasks: created together at its start, then assigned, started and done."""
    rows = [row for row in TASKS if row[0] == index]
    clock.set(max(clock.moment, period.starts_at + dt.timedelta(minutes=15)))
    tasks = []
    for _index, ward, title, place, priority, team_index, last in rows:
        clock.advance(minutes=2)
        tasks.append((services.task_create(actor=operator, incident_id=incident.pk, title=title, place=place,
                                           area_id=areas[ward].pk, priority=priority, period_id=period.pk,
                                           due_at=period.ends_at), team_index, last))
        summary.tasks += 1
    for action, minutes in (("assign", 10), ("start", 20), ("done", 150)):
        clock.advance(minutes=minutes)
        for task, team_index, last in tasks:
            if last == "cancel" and action != "assign":
                continue
            step = "cancel" if last == "cancel" else action
            services.task_transition(actor=operator, task_id=task.pk, action=step,
                                     deployment_id=deployments[team_index % len(deployments)].pk
                                     if step == "assign" else None)


def _sitrep(incident, leader, operator, areas, clock, r, summary, n: int) -> None:
    """Report ``n + 1``: each ward's figures grow from the last report (a báo cáo nhanh counts
    from the start of the incident); the shelters and forces from the system; the commander
    signs."""
    month, day, hour = SITREP_MOMENTS[n]
    clock.set(max(clock.moment, _at(clock.moment.year, month, day, hour)))
    report = services.sitrep_start(actor=operator, incident_id=incident.pk, after=n or None, as_of=clock.moment)
    figures = {(c.area_id, c.counter): c.value for c in report.counts.all()}
    for ward in WARDS:
        area = areas[ward]

        def grow(counter: str, lo: int, hi: int, _area=area) -> None:
            value = figures.get((_area.pk, counter), 0) + r.randrange(lo, hi)
            services.sitrep_set_count(actor=operator, report_id=report.pk, area_id=_area.pk, counter=counter,
                                      value=value)

        grow("evacuated_households", 5, 40)
        grow("evacuated_people", 15, 140)
        grow("houses_flooded", 10, 160)
        grow("houses_damaged", 0, 6)
        grow("injured", 0, 2)
        if n == 1 and ward == "Xã Quảng Điền":
            services.sitrep_set_count(actor=operator, report_id=report.pk, area_id=area.pk, counter="missing",
                                      value=1)
    services.sitrep_fill_from_system(actor=operator, report_id=report.pk)
    moment = report.as_of
    services.sitrep_update(actor=operator, report_id=report.pk, as_of=moment, summary=(
        f"Tính đến {moment:%H} giờ ngày {moment:%d/%m}: mưa lớn kéo dài, nước trên các sông dâng cao; Ban Chỉ huy "
        "đã huy động lực lượng, phương tiện sơ tán dân vùng trũng, mở các điểm sơ tán và bảo đảm lương thực, "
        "nước uống."))
    clock.set(max(clock.moment, moment + dt.timedelta(minutes=20)))
    services.sitrep_sign(actor=leader, report_id=report.pk)
    summary.reports += 1
