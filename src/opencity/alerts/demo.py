"""Demo data: the warnings of a flood season (October–November of last year) in Huế.

Five warnings with their updates and cancellations, issued through the real services and
in the inboxes of the demo citizens of the targeted wards (one broadcast each, dated when sent);
a deterministic share of people opened them, and the pages were viewed a few times more often
than that, visitors included. Nothing is pushed (the season is over).

Hook: ``from opencity.alerts.demo import demo_load_warnings; demo_load_warnings()`` after the
demo pack's people are loaded. Running it again does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from opencity.geo.models import Area
from opencity.geo.selectors import city
from opencity.notifications.models import NotificationReceipt
from opencity.orgs.models import Unit

from . import delivery, services
from .models import Alert, Message

_VN = ZoneInfo("Asia/Ho_Chi_Minh")
HYDROMET_CODE = "dai-kttv"
LOW_LYING = ["Phường Thuận An", "Xã Quảng Điền", "Xã Phú Vang", "Phường Hương Trà", "Xã Phú Vinh",
             "Xã Phú Hồ", "Phường Dương Nỗ", "Phường Phong Quảng"]
RIVERSIDE = ["Phường Hương Trà", "Phường Kim Long", "Phường Hương An", "Xã Bình Điền", "Phường Phú Xuân"]
MOUNTAINS = ["Xã A Lưới 1", "Xã A Lưới 2", "Xã A Lưới 3", "Xã A Lưới 4", "Xã A Lưới 5", "Xã Nam Đông",
             "Xã Khe Tre", "Xã Long Quảng"]
FIRST_HEADLINE = "Cảnh báo mưa lớn diện rộng trên địa bàn thành phố Huế"


@dataclass
class DemoWarnings:
    loaded: bool
    alerts: int = 0
    messages: int = 0
    deliveries: int = 0
    ids: list[int] = field(default_factory=list)


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=_VN)


def _common(event: str, severity: str, urgency: str, certainty: str, response: str) -> dict:
    return {"event": event, "severity": severity, "urgency": urgency, "certainty": certainty,
            "response_type": response}


def _chains(y: int, areas: dict[str, Area]) -> list[list[dict]]:
    """Each chain: its messages in order (kind, sent, fields)."""
    low = [areas[n].pk for n in LOW_LYING]
    river = [areas[n].pk for n in RIVERSIDE]
    hills = [areas[n].pk for n in MOUNTAINS]
    return [
        [  # heavy rain over the whole city, raised to Extreme
            {"kind": "publish", "sent": _at(y, 10, 25, 7), "unit": HYDROMET_CODE, **_common("heavy_rain", "Severe", "Expected", "Likely", "Prepare"),
             "headline_vi": FIRST_HEADLINE,
             "description_vi": "Từ ngày 25 đến 28/10, thành phố Huế có mưa to đến rất to, lượng mưa phổ biến 300–500 mm, có nơi trên 700 mm.",
             "instruction_vi": "Theo dõi bản tin, chằng chống nhà cửa, chuẩn bị lương thực, nước uống, đèn pin cho 3–5 ngày.",
             "headline_en": "Widespread heavy rain over Huế city",
             "description_en": "From 25 to 28 October, heavy to very heavy rain: 300–500 mm widely, locally over 700 mm.",
             "instruction_en": "Follow the bulletins, secure your house, keep food, water and torches for 3–5 days.",
             "effective": _at(y, 10, 25, 7), "onset": _at(y, 10, 25, 19), "expires": _at(y, 10, 28, 19), "whole_city": True},
            {"kind": "update", "sent": _at(y, 10, 26, 10, 30), **_common("heavy_rain", "Extreme", "Immediate", "Observed", "Shelter"),
             "headline_vi": "Mưa đặc biệt lớn: trên 1.000 mm tại nhiều nơi, nguy cơ lũ quét, sạt lở",
             "description_vi": "Lượng mưa 24 giờ qua tại Bạch Mã 1.085 mm, A Lưới 740 mm. Mưa đặc biệt lớn còn kéo dài đến hết ngày 28/10.",
             "instruction_vi": "Hạn chế ra đường; không qua ngầm, tràn; sẵn sàng di dời khi có lệnh.",
             "headline_en": "Extremely heavy rain: over 1,000 mm in places, risk of flash floods and landslides",
             "description_en": "24-hour rainfall reached 1,085 mm at Bạch Mã and 740 mm at A Lưới, continuing until 28 October.",
             "instruction_en": "Stay off the roads; do not cross flooded fords; be ready to evacuate when told.",
             "effective": _at(y, 10, 26, 10, 30), "expires": _at(y, 10, 28, 19), "whole_city": True,
             "note": "Nâng mức cảnh báo lên Cực kỳ nguy hiểm."},
        ],
        [  # flood in the low-lying wards and communes, two updates
            {"kind": "publish", "sent": _at(y, 10, 26, 16), **_common("flood", "Severe", "Expected", "Likely", "Evacuate"),
             "headline_vi": "Cảnh báo lũ trên sông Hương, sông Bồ: ngập sâu vùng trũng thấp",
             "description_vi": "Mực nước sông Hương tại Kim Long dự báo lên 4,5 m (trên báo động 3) vào chiều 27/10. Các khu dân cư ven sông, vùng trũng thấp ngập 0,5–1,5 m.",
             "instruction_vi": "Di dời người già, trẻ em đến điểm tránh trú; kê cao tài sản; ngắt điện khi nước vào nhà.",
             "effective": _at(y, 10, 26, 16), "onset": _at(y, 10, 27, 6), "expires": _at(y, 10, 31, 18), "area_ids": low[:5]},
            {"kind": "update", "sent": _at(y, 10, 27, 9), **_common("flood", "Extreme", "Immediate", "Observed", "Evacuate"),
             "headline_vi": "Lũ đặc biệt lớn: sông Hương tại Kim Long đạt 5,1 m, vượt lũ lịch sử 1999",
             "description_vi": "Lũ đang lên nhanh. Ngập sâu 1–2 m tại nhiều khu dân cư vùng trũng thấp, chia cắt nhiều tuyến đường.",
             "instruction_vi": "Di dời ngay đến điểm tránh trú. Gọi 1900 1075 hoặc dùng nút SOS trong ứng dụng khi cần cứu hộ.",
             "effective": _at(y, 10, 27, 9), "expires": _at(y, 10, 31, 18), "area_ids": low,
             "note": "Mở rộng vùng cảnh báo, nâng mức Cực kỳ nguy hiểm."},
            {"kind": "update", "sent": _at(y, 10, 29, 8), **_common("flood", "Moderate", "Expected", "Observed", "Monitor"),
             "headline_vi": "Lũ đang xuống chậm, vùng trũng thấp còn ngập 0,3–0,8 m",
             "description_vi": "Mực nước sông Hương tại Kim Long còn 3,2 m. Nước rút chậm tại các vùng trũng thấp ven phá Tam Giang.",
             "instruction_vi": "Chưa quay về nhà khi chưa có thông báo; chú ý an toàn điện và vệ sinh môi trường sau lũ.",
             "effective": _at(y, 10, 29, 8), "expires": _at(y, 10, 31, 18), "area_ids": low,
             "note": "Hạ mức cảnh báo."},
        ],
        [  # dam release, then cancelled
            {"kind": "publish", "sent": _at(y, 10, 27, 5), **_common("dam_release", "Severe", "Immediate", "Observed", "Avoid"),
             "headline_vi": "Hồ thủy điện Bình Điền, Hương Điền tăng lưu lượng xả",
             "description_vi": "Từ 6 giờ ngày 27/10 các hồ tăng lưu lượng xả lên 2.500 m³/s. Mực nước hạ du sông Hương, sông Bồ lên nhanh.",
             "instruction_vi": "Không ở lại các bãi bồi, cồn, ven sông; di chuyển thuyền, lồng bè vào nơi an toàn.",
             "effective": _at(y, 10, 27, 6), "expires": _at(y, 10, 29, 18), "area_ids": river},
            {"kind": "cancel", "sent": _at(y, 10, 28, 14), "note": "Các hồ đã giảm lưu lượng xả về dưới 800 m³/s."},
        ],
        [  # landslides in the mountains
            {"kind": "publish", "sent": _at(y, 11, 3, 8), "unit": HYDROMET_CODE, **_common("landslide", "Moderate", "Expected", "Possible", "Prepare"),
             "headline_vi": "Nguy cơ sạt lở đất, lũ quét tại các xã miền núi",
             "description_vi": "Đất đã bão hòa sau đợt mưa lớn; mưa tiếp 50–100 mm có thể gây sạt lở tại A Lưới, Nam Đông.",
             "instruction_vi": "Không ở gần taluy, sườn đồi; theo dõi vết nứt, tiếng động lạ và báo ngay cho chính quyền xã.",
             "headline_en": "Risk of landslides and flash floods in the mountain communes",
             "description_en": "The soil is saturated; a further 50–100 mm of rain may trigger landslides around A Lưới and Nam Đông.",
             "effective": _at(y, 11, 3, 8), "expires": _at(y, 11, 6, 18), "area_ids": hills},
        ],
        [  # the second flood, cancelled when the water went down
            {"kind": "publish", "sent": _at(y, 11, 15, 17), **_common("flood", "Severe", "Expected", "Likely", "Prepare"),
             "headline_vi": "Cảnh báo lũ đợt 2 tại vùng trũng thấp ven phá Tam Giang",
             "description_vi": "Mưa lớn trở lại; mực nước sông Hương, sông Bồ dự báo lên trên báo động 2 trong đêm 15/11.",
             "instruction_vi": "Chuẩn bị kê cao đồ đạc, sẵn sàng di dời khi có thông báo của chính quyền.",
             "effective": _at(y, 11, 15, 17), "expires": _at(y, 11, 18, 17), "area_ids": [areas[n].pk for n in ("Phường Thuận An", "Xã Phú Vang", "Xã Quảng Điền", "Xã Phú Vinh")]},
            {"kind": "cancel", "sent": _at(y, 11, 17, 9), "note": "Nước đã rút dưới báo động 1; kết thúc cảnh báo."},
        ],
    ]


def _hydromet(city_area: Area) -> Unit:
    unit, _created = Unit.objects.get_or_create(
        code=HYDROMET_CODE,
        defaults={"name": "Đài Khí tượng Thủy văn thành phố Huế", "short_name": "Đài KTTV Huế",
                  "area": city_area, "can_issue_warnings": True},
    )
    return unit


def _opened_and_viewed(alert: Alert, r: random.Random) -> int:
    """A deterministic share of the people each message reached (its target when it was sent)
    read it — a receipt on its broadcast; the page was viewed more often. Returns the messages'
    people reached, summed."""
    reached, people = 0, set()
    for message in alert.messages.filter(notice__isnull=False).select_related("notice").order_by("seq"):
        ids = list(delivery.target_users(message, now=message.sent).order_by("pk").values_list("pk", flat=True))
        Message.objects.filter(pk=message.pk).update(delivered_count=len(ids))
        reached += len(ids)
        people.update(ids)
        NotificationReceipt.objects.bulk_create(
            [NotificationReceipt(notification_id=message.notice_id, user_id=pk,
                                 read_at=message.sent + dt.timedelta(minutes=r.randint(2, 180)))
             for pk in ids if r.random() < 0.64], ignore_conflicts=True)
    views = int(len(people) * r.uniform(2.5, 4.0)) + r.randint(800, 2500)  # visitors read them too
    Alert.objects.filter(pk=alert.pk).update(view_count=views)
    return reached


def demo_load_warnings(*, year: int | None = None, seed: int = 2025) -> DemoWarnings:
    """Load the flood season of ``year`` (default: last year). Does nothing if it is there."""
    y = year or (timezone.localdate().year - 1)
    if Message.objects.filter(headline_vi=FIRST_HEADLINE, sent=_at(y, 10, 25, 7)).exists():
        return DemoWarnings(loaded=False)
    r = random.Random(seed)
    summary = DemoWarnings(loaded=True)
    with transaction.atomic():
        names = set(LOW_LYING + RIVERSIDE + MOUNTAINS)
        areas = {a.name: a for a in Area.objects.filter(name__in=names)}
        missing = names - set(areas)
        if missing:
            raise ValueError(f"demo wards not found: {sorted(missing)}")
        units = {HYDROMET_CODE: _hydromet(city())}
        for chain in _chains(y, areas):
            alert_id = None
            for step in chain:
                step = dict(step)
                kind, sent = step.pop("kind"), step.pop("sent")
                if "unit" in step:
                    step["unit"] = units[step["unit"]]
                if kind == "publish":
                    message = services.alert_publish(actor=None, sent=sent, **step)
                    alert_id = message.alert_id
                elif kind == "update":
                    message = services.alert_update(actor=None, alert_id=alert_id, sent=sent, **step)
                else:
                    message = services.alert_cancel(actor=None, alert_id=alert_id, sent=sent, **step)
                # In the inboxes since it was sent (its broadcast); nothing is pushed now.
                delivery.message_fan_out(message_id=message.pk)
                Message.objects.filter(pk=message.pk).update(push_done_at=sent)
                summary.messages += 1
            summary.alerts += 1
            summary.ids.append(alert_id)
            summary.deliveries += _opened_and_viewed(Alert.objects.get(pk=alert_id), r)
    return summary
