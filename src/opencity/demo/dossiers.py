"""Demo data: the one-stop dossiers of the last six months, through the dossiers' own import
service (``dossiers.services.dossiers_import``), as the provincial one-stop system would send
them — 20 of the procedures people file most in Huế, at the city's departments and the wards'
People's Committees.

Most dossiers are processed on time (about 97 %), a few late, a few refused or withdrawn, and a
few dozen still open past their due date (the console's "overdue now"). The import runs twice,
as the scheduled pull does: three days ago (what the one-stop system said then) and now, so the
dossiers that moved since have a history. The demo citizen (0901000001) has three dossiers,
``H57.DEMO-0001`` to ``-0003`` (last four digits ``0001``), for the lookup.

Deterministic (seeded); running it again changes nothing. About 3,000 dossiers, a second or two.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from opencity.dossiers.models import Dossier
from opencity.dossiers.services import agency_alias_set, dossiers_import, dossiers_mark_overdue
from opencity.geo.models import Area
from opencity.lib.pastclock import played_at
from opencity.lib.worktime import TZ
from opencity.orgs.models import Unit

WARD = "ward"  # the procedure is handled by the ward's People's Committee


@dataclass(frozen=True)
class Procedure:
    code: str  # MaTTHC (the shape of the national catalogue's codes)
    name: str
    agency: str  # a unit code, or WARD
    days: int  # calendar days from receipt to the due date
    weight: int


PROCEDURES = (
    Procedure("1.001193", "Đăng ký khai sinh", WARD, 1, 60),
    Procedure("1.000894", "Đăng ký kết hôn", WARD, 3, 18),
    Procedure("1.000656", "Đăng ký khai tử", WARD, 1, 10),
    Procedure("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", WARD, 1, 90),
    Procedure("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", WARD, 1, 30),
    Procedure("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", WARD, 3, 20),
    Procedure("2.000720", "Đăng ký thành lập hộ kinh doanh", WARD, 3, 25),
    Procedure("1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", WARD, 15, 22),
    Procedure("1.001776", "Thực hiện trợ cấp xã hội hằng tháng", WARD, 10, 8),
    Procedure("1.003180", "Đăng ký thường trú", "cong-an", 7, 20),
    Procedure("1.002755", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "so-xay-dung", 5, 25),
    Procedure("1.009972", "Cấp giấy phép xây dựng công trình", "so-xay-dung", 20, 6),
    Procedure("1.004227", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
              "so-nn-mt", 10, 24),
    Procedure("1.004269", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "so-nn-mt", 20, 12),
    Procedure("1.012269", "Cấp mới giấy phép hành nghề khám bệnh, chữa bệnh", "so-y-te", 30, 5),
    Procedure("2.000355", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "chi-cuc-attp", 20, 7),
    Procedure("1.004494", "Cho phép trường mầm non tư thục hoạt động giáo dục", "so-gd-dt", 20, 2),
    Procedure("1.004551", "Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa", "so-du-lich", 10, 3),
    Procedure("1.010721", "Tiếp nhận thông báo tổ chức biểu diễn nghệ thuật", "so-vh-tt", 5, 4),
    Procedure("2.001256", "Cấp bản sao trích lục hộ tịch", "hcc", 1, 15),
)
# How the one-stop system names some agencies (DonViXuLy) — mapped to the city's units.
ALIASES = (
    ("Sở Xây dựng", "so-xay-dung"),
    ("Sở Nông nghiệp và Môi trường", "so-nn-mt"),
    ("000.00.21.H57", "hcc"),
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Tôn Nữ")
MIDDLE = ("Văn", "Thị", "Đức", "Ngọc", "Minh", "Thanh", "Quang", "Thị Thu", "Hữu")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Hà", "Hải", "Hương", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc", "Quỳnh",
         "Tâm", "Thảo", "Trung", "Vy")
DEMO_PHONE = "0901000001"
DEMO_OWNER = "Nguyễn Thị Hoa"


@dataclass
class DemoDossiers:
    loaded: bool
    dossiers: int = 0
    overdue_now: int = 0
    changed: int = 0


def _fmt(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment, TZ).strftime("%Y%m%d%H%M%S") if moment else ""


def _office_time(r: random.Random, day: dt.date) -> dt.datetime:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    minutes = r.randint(7 * 60 + 30, 16 * 60 + 30)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), TZ)


def _row(code, p: Procedure, agency: str, ward: str, owner: str, phone: str, received, due, finished,
         status: str) -> dict:
    return {"MaHoSo": code, "MaTTHC": p.code, "TenTTHC": p.name, "ChuHoSo": owner, "SoDienThoai": phone,
            "NgayTiepNhan": _fmt(received), "NgayHenTra": _fmt(due), "NgayKetThucXuLy": _fmt(finished),
            "TrangThaiHoSo": status, "DonViXuLy": agency, "PhuongXa": ward}


def _story(r: random.Random, received: dt.datetime, due: dt.datetime, now: dt.datetime):
    """(status, finished) now for a dossier received at ``received`` and due at ``due``."""
    span = due - received
    u = r.random()
    if u < 0.006:
        return r.choice(("3", "7", "8")), None
    if due <= now:
        u = r.random()
        if u < 0.965:  # on time
            finished = received + span * r.uniform(0.25, 0.98)
        elif u < 0.986:  # late
            finished = due + dt.timedelta(hours=r.randint(4, 24 * 6))
            if finished > now:
                finished = now - dt.timedelta(hours=1)
            if finished <= due:
                return r.choice(("4", "5")), None
        else:
            return r.choice(("4", "4", "5", "6")), None  # still open: overdue now
        return ("10" if finished < now - dt.timedelta(days=2) else "9"), finished
    elapsed = (now - received) / span if span else 1
    if r.random() < elapsed * 0.8:
        finished = received + (now - received) * r.uniform(0.3, 0.95)
        return "9", finished
    return r.choice(("2", "4", "4", "4", "5")), None


def _generate(now: dt.datetime, count: int, seed: int, wards: list[Area], units: dict[str, Unit]):
    r = random.Random(seed)
    ward_units = {u.area_id: u for u in units.values() if u.level == "ward"}
    handled = [w for w in wards if w.pk in ward_units]
    weights = [p.weight for p in PROCEDURES]
    alias_of = {code: alias for alias, code in ALIASES}
    rows_now, rows_then = [], []
    then = now - dt.timedelta(days=3)
    seq: dict[str, int] = {}
    for _i in range(count):
        p = r.choices(PROCEDURES, weights)[0]
        age = min(int(r.expovariate(1 / 55)), 180)
        received = _office_time(r, (now - dt.timedelta(days=age)).date())
        if received >= now:
            received = now - dt.timedelta(hours=2)
        if p.agency == WARD:
            ward = r.choice(handled)
            agency = ward_units[ward.pk].code
        else:
            ward = r.choice(wards)
            agency = alias_of.get(p.agency, p.agency) if r.random() < 0.3 else p.agency
        due = received + dt.timedelta(days=p.days)
        if p.days <= 1:
            due = received.replace(hour=17, minute=0) + dt.timedelta(days=1 if received.hour >= 15 else 0)
        status, finished = _story(r, received, due, now)
        key = f"{received:%y%m%d}"
        seq[key] = seq.get(key, 0) + 1
        code = f"H57.{PROCEDURES.index(p) + 1:02d}-{key}-{seq[key]:04d}"
        owner = f"{r.choice(SURNAMES)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"
        phone = f"09{r.choice('0134')}{r.randint(0, 9999999):07d}"
        rows_now.append(_row(code, p, agency, ward.name, owner, phone, received, due, finished, status))
        if received < then:  # what the one-stop system said three days ago
            if finished is not None and finished > then:
                rows_then.append(_row(code, p, agency, ward.name, owner, phone, received, due, None, "4"))
            elif finished is None and received < then and status in ("4", "5", "6") and r.random() < 0.3:
                rows_then.append(_row(code, p, agency, ward.name, owner, phone, received, due, None, "2"))
            else:
                rows_then.append(rows_now[-1])
    return rows_then, rows_now


def _citizen_rows(now: dt.datetime, wards: list[Area]):
    """The demo citizen's three dossiers: a birth registered, a house permit being processed, a
    household business registered — each seen at three moments."""
    phu_xuan = next((w for w in wards if w.name == "Phường Phú Xuân"), wards[0])
    p_birth, p_permit, p_business = PROCEDURES[0], PROCEDURES[7], PROCEDURES[6]
    r1 = _office_time(random.Random(1), (now - dt.timedelta(days=9)).date())
    r2 = _office_time(random.Random(2), (now - dt.timedelta(days=6)).date())
    r3 = _office_time(random.Random(3), (now - dt.timedelta(days=5)).date())

    def row(code, p, received, due, finished, status):
        return _row(code, p, "ubnd-phu-xuan", phu_xuan.name, DEMO_OWNER, DEMO_PHONE, received, due, finished, status)

    d1 = r1.replace(hour=17, minute=0)
    d2, d3 = r2 + dt.timedelta(days=p_permit.days), r3 + dt.timedelta(days=p_business.days)
    done1 = r1 + dt.timedelta(hours=3)
    return [
        (r1 + dt.timedelta(minutes=30), [row("H57.DEMO-0001", p_birth, r1, d1, None, "2")]),
        (r3 + dt.timedelta(hours=1), [row("H57.DEMO-0001", p_birth, r1, d1, done1, "9"),
                                      row("H57.DEMO-0002", p_permit, r2, d2, None, "4"),
                                      row("H57.DEMO-0003", p_business, r3, d3, None, "2")]),
        (now - dt.timedelta(hours=2), [row("H57.DEMO-0001", p_birth, r1, d1, done1, "10"),
                                       row("H57.DEMO-0002", p_permit, r2, d2, None, "5"),
                                       row("H57.DEMO-0003", p_business, r3, d3, r3 + dt.timedelta(days=2), "9")]),
    ]


def demo_load_dossiers(*, count: int = 3000, seed: int = 2025) -> DemoDossiers:
    if Dossier.objects.exists():
        return DemoDossiers(loaded=False)
    now = timezone.now().replace(second=0, microsecond=0)
    units = {u.code: u for u in Unit.objects.all()}
    wards = list(Area.objects.filter(kind="ward").order_by("code"))
    if not wards or not all(code in units for code in {p.agency for p in PROCEDURES} - {WARD}):
        return DemoDossiers(loaded=False)
    summary = DemoDossiers(loaded=True)
    with transaction.atomic():
        for alias, code in ALIASES:
            agency_alias_set(alias=alias, unit=units[code])
        rows_then, rows_now = _generate(now, count, seed, wards, units)
        with played_at(now - dt.timedelta(days=3)):
            dossiers_import(rows=list(enumerate(rows_then, start=1)))
        result = dossiers_import(rows=list(enumerate(rows_now, start=1)))
        summary.changed = result.changed
        for moment, rows in _citizen_rows(now, wards):
            with played_at(moment):
                dossiers_import(rows=list(enumerate(rows, start=1)))
        summary.overdue_now = dossiers_mark_overdue(limit=10_000)
    summary.dossiers = Dossier.objects.count()
    return summary
