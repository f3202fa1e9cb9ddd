"""The inbox: a person's own notifications and the broadcasts whose audience they are in, read
the same way by the page, the unread badge and the API (one selector)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from opencity.accounts.services import api_token_issue
from opencity.geo.models import Area
from opencity.notifications import services
from opencity.notifications.models import Notification, NotificationReceipt
from opencity.notifications.selectors import (
    broadcast_audience,
    inbox,
    inbox_unread_count,
    notification_list,
)

pytestmark = pytest.mark.django_db

TEXTS = {"vi": ("Cảnh báo: lũ trên sông Hương", "Nước lên nhanh."), "en": ("Warning: flood", "The river rises.")}


@pytest.fixture
def thuan_an(db) -> Area:
    return Area.objects.get(name="Phường Thuận An")


@pytest.fixture
def kim_long(db) -> Area:
    return Area.objects.get(name="Phường Kim Long")


def _broadcast(*area_ids, **extra) -> Notification:
    return services.notify_broadcast(verb="warning", texts=TEXTS, area_ids=area_ids, url="/warnings/1/", **extra)


def test_a_broadcast_is_in_the_inbox_of_its_wards_people_only(citizen, citizen2, thuan_an, kim_long):
    citizen.home_area = thuan_an
    citizen.save()
    citizen2.home_area = kim_long
    citizen2.save()
    note = _broadcast(thuan_an.pk)
    assert [n.pk for n in notification_list(user=citizen)] == [note.pk]
    assert notification_list(user=citizen2) == []
    assert (inbox_unread_count(user=citizen), inbox_unread_count(user=citizen2)) == (1, 0)
    assert list(broadcast_audience(note)) == [citizen]


def test_the_unplaced_are_reached_only_when_asked(citizen, thuan_an):
    assert citizen.home_area_id is None
    _broadcast(thuan_an.pk)
    assert inbox_unread_count(user=citizen) == 0
    everyone = _broadcast(thuan_an.pk, unplaced=True)
    assert [n.pk for n in notification_list(user=citizen)] == [everyone.pk]


def test_a_recent_location_counts_from_its_moment(citizen, thuan_an):
    note = _broadcast(thuan_an.pk, located_after=timezone.now() - dt.timedelta(hours=2))
    citizen.last_location_area = thuan_an
    citizen.last_location_at = timezone.now() - dt.timedelta(hours=3)
    citizen.save()
    assert not inbox(user=citizen).filter(pk=note.pk).exists()
    citizen.last_location_at = timezone.now()
    citizen.save()
    assert inbox(user=citizen).filter(pk=note.pk).exists()
    assert citizen in broadcast_audience(note)


def test_the_inbox_mixes_own_rows_and_broadcasts_newest_first(citizen, thuan_an):
    citizen.home_area = thuan_an
    citizen.save()
    older = _broadcast(thuan_an.pk, created_at=timezone.now() - dt.timedelta(hours=1))
    [own] = services.notify([citizen], verb="report.routed", title="Phản ánh đã được chuyển", via=())
    assert [n.pk for n in notification_list(user=citizen)] == [own.pk, older.pk]


def test_the_page_and_the_badge_show_a_broadcast_and_reading_it_marks_only_me(client, citizen, citizen2, thuan_an):
    for person in (citizen, citizen2):
        person.home_area = thuan_an
        person.save()
    note = _broadcast(thuan_an.pk)
    client.force_login(citizen)
    page = client.get(reverse("notifications:inbox"))
    assert page.status_code == 200
    assert f'data-notification="{note.pk}"' in page.content.decode() and page.context["unread_count"] == 1
    response = client.post(reverse("notifications:mark_read"), {"id": note.pk})
    assert response.status_code == 302
    assert client.get(reverse("notifications:inbox")).context["unread_count"] == 0
    assert inbox_unread_count(user=citizen2) == 1
    assert list(NotificationReceipt.objects.values_list("user_id", flat=True)) == [citizen.pk]


def test_the_api_lists_broadcasts_in_my_language_and_marks_them_read(client, citizen, thuan_an):
    citizen.home_area = thuan_an
    citizen.preferred_language = "en"
    citizen.save()
    note = _broadcast(thuan_an.pk)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=citizen)}"}
    body = client.get("/api/v1/notifications", **headers).json()
    assert [(n["id"], n["title"], n["read_at"]) for n in body["items"]] == [(note.pk, "Warning: flood", None)]
    assert body["unread"] == 1
    marked = client.post("/api/v1/notifications/read", json.dumps({"id": note.pk}),
                         content_type="application/json", **headers)
    assert marked.status_code == 200 and marked.json() == {"marked": 1}
    body = client.get("/api/v1/notifications", **headers).json()
    assert body["unread"] == 0 and body["items"][0]["read_at"] is not None


def test_marking_another_persons_row_or_an_unseen_broadcast_does_nothing(citizen, citizen2, kim_long):
    [theirs] = services.notify([citizen2], verb="x", title="Của người khác", via=())
    elsewhere = _broadcast(kim_long.pk)
    assert services.notification_mark_read(user=citizen, notification_id=theirs.pk) == 0
    assert services.notification_mark_read(user=citizen, notification_id=elsewhere.pk) == 0
    assert not NotificationReceipt.objects.exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
