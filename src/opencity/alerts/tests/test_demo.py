"""The demo flood season: deterministic, delivered to the demo wards' people, loaded once."""

from __future__ import annotations

import pytest

from opencity.accounts.models import User
from opencity.alerts import selectors
from opencity.alerts.demo import LOW_LYING, demo_load_warnings
from opencity.alerts.models import Alert, Message
from opencity.geo.models import Area
from opencity.notifications.models import Notification, NotificationReceipt
from opencity.notifications.selectors import notification_list

pytestmark = pytest.mark.django_db


def _people():
    for i, name in enumerate(LOW_LYING + ["Phường Phú Xuân", "Xã A Lưới 1"]):
        area = Area.objects.get(name=name)
        for j in range(3):
            User.objects.create_user(f"0907{i:03d}{j:03d}", f"Dân {i}-{j}", home_area=area)


def test_the_demo_loads_a_past_flood_season_once(citizen):
    _people()
    summary = demo_load_warnings(year=2025)
    assert summary.loaded and summary.alerts == 5 and summary.messages == 10
    assert [m.msg_type for m in Message.objects.filter(alert_id=summary.ids[1])] == ["Alert", "Update", "Update"]
    assert Message.objects.filter(msg_type="Cancel").count() == 2
    assert all(m.sent.year == 2025 and m.sent.month in (10, 11) for m in Message.objects.all())
    assert selectors.alert_list_in_force(user=None) == []
    assert selectors.alert_list_archive(user=None).count() == 5
    flood = Alert.objects.get(pk=summary.ids[1])
    stats = selectors.alert_stats(flood)
    assert stats["reached"] == 3 * len(LOW_LYING)
    assert 0 < stats["opened"] <= stats["reached"] < stats["views"]
    notes = Notification.objects.filter(verb="warning")
    assert notes.count() == 10 and all(n.created_at.year == 2025 and n.user_id is None for n in notes)
    assert NotificationReceipt.objects.exists()
    # the demo citizens (made after the season) keep in their inboxes the warnings they read
    readers = User.objects.filter(pk__in=NotificationReceipt.objects.values("user_id"))
    assert readers and all(notification_list(user=u) for u in readers)
    assert all(n.read_at for n in notification_list(user=readers[0]))
    assert not demo_load_warnings(year=2025).loaded
    assert Alert.objects.count() == 5


def test_the_demo_is_deterministic(citizen):
    _people()
    demo_load_warnings(year=2025)
    first = sorted(Alert.objects.values_list("view_count", flat=True))
    opened = NotificationReceipt.objects.filter(notification__in=Message.objects.values("notice")).count()
    Alert.objects.all().delete()
    demo_load_warnings(year=2025)
    assert sorted(Alert.objects.values_list("view_count", flat=True)) == first
    assert NotificationReceipt.objects.filter(notification__in=Message.objects.values("notice")).count() == opened
