"""Demo data: rescue teams and the rescue requests of last year's October–November floods.

Three teams (one member login each, password ``hue-demo-2025``; the Phú Vang team's member is
0901000009) and fifteen past requests in low-lying wards, each with its whole history
(filed → acknowledged → assigned → dispatched → on scene → rescued, a few cancelled), written
in bulk with timestamps in the past. Deterministic; running it again does nothing.

Hook: ``from opencity.emergency.demo import demo_load_rescue; demo_load_rescue()`` after the
demo pack's people are loaded.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from opencity.accounts.models import Role, User
from opencity.geo.models import Area

from .models import Origin, RescueEvent, RescueRequest, RescueTeam, Status, TeamStatus, base_urgency

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
STEPS = [("acknowledge", Status.NEW, Status.ACKNOWLEDGED, "acknowledged_at"),
         ("assign", Status.ACKNOWLEDGED, Status.ASSIGNED, "assigned_at"),
         ("dispatch", Status.ASSIGNED, Status.DISPATCHED, "dispatched_at"),
         ("arrive", Status.DISPATCHED, Status.ON_SCENE, "on_scene_at"),
         ("rescue", Status.ON_SCENE, Status.RESCUED, "finished_at")]


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
    requests, events = [], []
    for i in range(count if areas else 0):
        area = areas[i % len(areas)]
        lat, lon = _point(area, r)
        needs = NEED_SETS[i % len(NEED_SETS)]
        people = r.choice([1, 2, 3, 4, 5, 6, 8, 12])
        day = dt.date(year, 10, 28) + dt.timedelta(days=r.randrange(0, 12))
        created = dt.datetime(year, day.month, day.day, r.randrange(0, 24), r.randrange(60), tzinfo=_VN)
        requester = citizens[i % len(citizens)] if citizens and i % 4 != 3 else None
        req = RescueRequest(
            requester=requester, filed_by=None if requester else operator,
            caller_name="" if requester else "Người gọi tổng đài", caller_phone="" if requester else f"+84905000{i:03d}",
            lat=lat, lon=lon, area=area, people=people, needs=needs, note=NOTES[i % len(NOTES)],
            client_token=f"demo-flood-{year}-{i:03d}", urgency=base_urgency(needs, people),
            created_at=created, updated_at=created, origin=Origin.ACCOUNT if requester else Origin.CALLER,
        )
        history = [("file", "", Status.NEW, created, requester or operator, "")]
        at = created
        cancelled = i % 7 == 6
        team = teams[i % len(teams)]
        for n, (action, src, dst, stamp) in enumerate(STEPS):
            if cancelled and n == 2:
                at += dt.timedelta(minutes=r.randrange(5, 30))
                history.append(("cancel", src, Status.CANCELLED, at, operator, "Người dân đã tự sơ tán an toàn"))
                req.cancel_reason = "Người dân đã tự sơ tán an toàn"
                req.finished_at = at
                break
            at += dt.timedelta(minutes=r.randrange(2, 8) if n == 0 else r.randrange(8, 70))
            setattr(req, stamp, at)
            if action == "assign":
                req.assigned_team = team
            history.append((action, src, dst, at, operator if n < 2 else team.members.first(), team.name if action == "assign" else ""))
        req.status = history[-1][2]
        req.version = len(history)
        req.updated_at = at
        requests.append((req, history))
    RescueRequest.objects.bulk_create([req for req, _h in requests])
    for req, history in requests:
        for action, src, dst, at, actor, note in history:
            events.append(RescueEvent(request=req, action=action, from_status=src, to_status=dst, created_at=at,
                                      actor=actor, actor_role=getattr(actor, "role", "") or "", note=note,
                                      data={"team": note} if action == "assign" else {}))
    RescueEvent.objects.bulk_create(events)
    return {"teams": len(teams), "requests": len(requests)}
