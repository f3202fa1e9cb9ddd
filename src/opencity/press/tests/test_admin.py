"""Press monitoring in the admin: sources and topics are edited there, a source is fetched now
through the worker, items are read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from opencity.press.models import PressItem, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_an_admin_writes_a_topic(admin_client, lighting):
    response = admin_client.post("/admin/press/topic/add/", {
        "code": "chieu-sang", "name": "Chiếu sáng", "keywords": "đèn đường\nchiếu sáng", "category": lighting.pk,
        "weight": 15, "is_active": "on"})
    assert response.status_code == 302
    assert Topic.objects.get().keyword_list() == ["đèn đường", "chiếu sáng"]


def test_fetch_now_runs_the_fetch_in_the_worker(admin_client, press_server, feed_source, rss, topics):
    source = feed_source(press_server.serve("/rss.xml", rss))
    response = admin_client.post("/admin/press/presssource/", {"action": "fetch_now", "_selected_action": [source.pk]})
    assert response.status_code == 302
    assert PressItem.objects.count() == 6  # huey runs immediately under test


def test_items_are_read_only_in_the_admin(admin_client, stored_item):
    assert admin_client.get(f"/admin/press/pressitem/{stored_item.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/press/pressitem/{stored_item.pk}/change/", {"title": "x"}).status_code == 403
    assert admin_client.get("/admin/press/pressitem/add/").status_code == 403
