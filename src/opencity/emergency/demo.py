"""Demo data: rescue teams and the rescue requests of last year's October–November floods.

Three teams (one member login each, password ``hue-demo-2025``; the Phú Vang team's member is
0901000009) and fifteen past requests in low-lying wards, each with its whole history
(filed → acknowledged → assigned → dispatched → on scene → rescued, a few cancelled), played
through the services at their moments last year (``lib.pastclock``): the demo's requests are the
product's own. Deterministic; running it again does nothing.

Hook: ``from opencity.emergency.demo import demo_load_rescue; demo_load_rescue()`` after the
demo pack's people are loaded.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from opencity.accounts.models import Role, User
from opencity.geo.models import Area
from opencity.lib.pastclock import played_at

from .models import RescueRequest, RescueTeam, TeamStatus

_VN = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "hue-demo-2025"
TEAMS = [
    ("Đội cứu hộ Phú Vang", "0901000009", "Trần Văn Cứu", (16.4972, 107.6997)),
    ("Đội cứu hộ Quảng Điền", "0901000019", "Nguyễn Hữu Hộ", (16.5797, 107.5038)),
    ("Đội xuồng cứu nạn Hương Trà", "0901000029", "Lê Văn Xuồng", (16.5053, 107.5245)),
]
WARDS = ["Xã Phú Vang", "Xã Quảng Điền", "Phường Hương Trà", "Phường Thuận An", "Xã Phú Vinh", "Phường Dương Nỗ",
         "Phường Kim Long"]
NOTES = ["Nước ngập tới mái nhà, có người già và trẻ nhỏ.", "Cần xuồng đưa bà cụ đi viện.",
         "Cả xóm bị cô lập, hết nước uống.", "Nhà sập một phần, một người bị kẹt.", "", "Cần áo phao cho 4 người."]
NEED_SETS = [["evacuation"], ["trapped", "evacuation"], ["medical"], ["food_water"], ["evacuation", "medical"],
             ["trapped"], ["food_water", "other"]]

def _member(phone: str, name: str) -> User:
    user = User.objects.filter(phone__endswith=phone[1:]).first()
    return user or User.objects.create_user(phone, PASSWORD, full_name=name, role=Role.CITIZEN)


def _point(area: Area, r: random.Random) -> tuple[float, float]:
    geom = shape(area.boundary)
    minx, miny, maxx, maxy = geom.bounds
    from shapely.geometry import Point

    for _ in range(200):
        lon, lat = r.uniform(minx, maxx), r.uniform(miny, maxy)
        if geom.contains(Point(lon, lat)):
            return round(lat, 6), round(lon, 6)
    p = geom.representative_point()
    return round(p.y, 6), round(p.x, 6)


@transaction.atomic
def demo_load_rescue(count: int = 15) -> dict:
    teams = []
    for name, phone, member, (lat, lon) in TEAMS:
        team, _created = RescueTeam.objects.get_or_create(name=name, defaults={
            "status": TeamStatus.AVAILABLE, "last_lat": lat, "last_lon": lon, "position_updated_at": timezone.now()})
        team.members.add(_member(phone, member))
        teams.append(team)
    if RescueRequest.objects.filter(client_token__startswith="demo-flood-").exists():
        return {"teams": len(teams), "requests": 0}
    r = random.Random(2025)
    year = timezone.localtime().year - 1
    areas = [a for a in Area.objects.filter(name__in=WARDS).exclude(boundary=None).order_by("name")]
    citizens = list(User.objects.filter(role=Role.CITIZEN).exclude(rescue_teams__isnull=False).order_by("pk")[:40])
    operator = User.objects.filter(role=Role.OPERATOR).order_by("pk").first()
    if not areas or operator is None:
        return {"teams": len(teams), "requests": 0}
    # Each request's plan, drawn first; then every step of every request is played in time order
    # through the services (lib.pastclock: at its moment last year), so a team is assigned only
    # when it is free, as on the real board.
    queue: list[tuple[dt.datetime, int, int, str]] = []
    plans = []
    for i in range(count):
        area = areas[i % len(areas)]
        lat, lon = _point(area, r)
        day = dt.date(year, 10, 28) + dt.timedelta(days=r.randrange(0, 12))
        created = dt.datetime(year, day.month, day.day, r.randrange(0, 24), r.randrange(60), tzinfo=_VN)
        plans.append({"lat": lat, "lon": lon, "needs": NEED_SETS[i % len(NEED_SETS)],
                      "people": r.choice([1, 2, 3, 4, 5, 6, 8, 12]), "note": NOTES[i % len(NOTES)],
                      "requester": citizens[i % len(citizens)] if citizens and i % 4 != 3 else None,
                      "cancelled": i % 7 == 6, "team": teams[i % len(teams)], "req": None})
        heapq.heappush(queue, (created, i, 0, "file"))
    seq = 1
    with played_at(min(t for t, *_rest in queue)) as clock:
        while queue:
            at, i, _seq, step = heapq.heappop(queue)
            clock.set(max(clock.moment, at))
            plan = plans[i]
            following = _play(step, plan, i, year, operator, teams)
            if following is not None:
                minutes = r.randrange(2, 8) if step == "file" else r.randrange(8, 70)
                heapq.heappush(queue, (clock.moment + dt.timedelta(minutes=minutes), i, seq, following))
                seq += 1
    return {"teams": len(teams), "requests": len(plans)}


NEXT = {"file": "acknowledge", "acknowledge": "assign", "assign": "dispatch", "dispatch": "arrive",
        "arrive": "rescue", "rescue": None, "cancel": None}


def _play(step: str, plan: dict, i: int, year: int, operator: User, teams: list[RescueTeam]) -> str | None:
    """Take one step of request ``i`` now (the clock's moment); returns the next step, or the
    same step again when it must wait (no team free yet)."""
    from . import services

    if step == "file":
        requester = plan["requester"]
        plan["req"], _created = services.rescue_request_create(
            actor=requester or operator, lat=plan["lat"], lon=plan["lon"], people=plan["people"],
            needs=plan["needs"], note=plan["note"], client_token=f"demo-flood-{year}-{i:03d}",
            for_caller=requester is None, caller_name="" if requester else "Người gọi tổng đài",
            caller_phone="" if requester else f"+84905000{i:03d}")
        return "acknowledge"
    req = plan["req"]
    if step == "acknowledge":
        services.rescue_acknowledge(actor=operator, request_id=req.pk)
        return "cancel" if plan["cancelled"] else "assign"
    if step == "cancel":
        services.rescue_cancel(actor=operator, request_id=req.pk, reason="Người dân đã tự sơ tán an toàn")
        return None
    if step == "assign":
        free = [t for t in [plan["team"], *teams] if RescueTeam.objects.get(pk=t.pk).status == TeamStatus.AVAILABLE]
        if not free:
            return "assign"  # every team is out: the request waits for the first one back
        plan["team"] = free[0]
        services.rescue_assign(actor=operator, request_id=req.pk, team_id=free[0].pk)
        return "dispatch"
    services.rescue_team_step(actor=plan["team"].members.first(), request_id=req.pk, action=step)
    return NEXT[step]
