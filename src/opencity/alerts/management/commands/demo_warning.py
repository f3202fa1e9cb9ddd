"""``manage.py demo_warning``: a flood warning in force now, for the demo's low-lying wards.

The demo pack's warnings are last year's floods (all expired); this one shows what a citizen sees
while a warning is in force (the documentation's screenshots). Issued through the product's own
``alert_publish``, so it is delivered like any other; run again, it issues nothing while the
previous one is still in force.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from opencity.alerts.models import EventType, MessageStatus
from opencity.alerts.selectors import alert_list_in_force
from opencity.alerts.services import alert_publish
from opencity.geo.models import Area

WARDS = ["Phường Phú Xuân", "Phường Thuận Hóa", "Phường Vỹ Dạ", "Xã Phú Vang"]


class Command(BaseCommand):
    help = "Issue a demo flood warning in force for the next 36 hours (for screenshots)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=36)

    def handle(self, *args, hours: int, **options):
        if any(a.latest.event == EventType.FLOOD for a in alert_list_in_force(user=None)):
            self.stdout.write("A flood warning is already in force.")
            return
        areas = list(Area.objects.filter(name__in=WARDS).values_list("pk", flat=True))
        message = alert_publish(
            actor=None, event=EventType.FLOOD, severity="Severe", urgency="Immediate", certainty="Likely",
            response_type="Prepare", status=MessageStatus.ACTUAL,
            headline_vi="Lũ trên sông Hương: mực nước tại Kim Long vượt báo động 2",
            description_vi="Mực nước sông Hương tại trạm Kim Long lúc 7 giờ là 2,4 m, trên báo động 2, "
                           "và còn lên trong 12 giờ tới.",
            instruction_vi="Không đi qua các tuyến đường ngập sâu; kê cao tài sản; gọi 112 hoặc dùng nút SOS "
                           "khi cần cứu hộ.",
            headline_en="Flood on the Perfume River: level at Kim Long above alarm 2",
            description_en="The Perfume River at Kim Long stood at 2.4 m at 7 am, above alarm level 2, "
                           "and is still rising.",
            instruction_en="Keep off deeply flooded streets; raise your belongings; call 112 or use SOS "
                           "if you need rescue.",
            expires=timezone.now() + dt.timedelta(hours=hours), area_ids=areas)
        self.stdout.write(f"Warning {message.alert.ref} issued, in force for {hours} h.")
