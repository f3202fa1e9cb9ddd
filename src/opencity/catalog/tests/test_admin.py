"""The catalogue and the news in the admin: usage counts shown and sortable; news written there
is pushed once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from opencity.catalog.models import NewsItem, ServiceOpen
from opencity.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_service_list_shows_usage_and_sorts_by_it(admin_client, electricity, water):
    ServiceOpen.objects.create(service=water, day=timezone.localdate(), count=7)
    ServiceOpen.objects.create(service=electricity, day=timezone.localdate(), count=3)
    response = admin_client.get("/admin/catalog/service/", {"o": "-7"})  # the 7th column: opened, last 30 days
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [s.code for s in rows] == ["cap-nuoc-hue", "dien-luc-hue"] and rows[0].n_recent == 7


@pytest.mark.parametrize("path", [
    "/admin/catalog/service/add/", "/admin/catalog/servicegroup/", "/admin/catalog/serviceopen/",
    "/admin/catalog/newsitem/", "/admin/catalog/newsitem/add/", "/admin/catalog/newscategory/",
])
def test_the_admin_pages_load(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_an_http_address_is_refused_in_the_admin(admin_client, group):
    response = admin_client.post("/admin/catalog/service/add/", {
        "code": "x", "name": "X", "group": group.pk, "icon": "zap", "order": 1, "active": "on",
        "audience": "everyone", "kind": "external", "url": "http://x.example/"})
    assert response.status_code == 200 and "url" in response.context["adminform"].form.errors


def test_an_important_item_published_in_the_admin_is_pushed_once(
        admin_client, admin_user, citizen, news_category, django_capture_on_commit_callbacks):
    data = {"title": "Cảnh báo mưa lớn", "slug": "", "category": news_category.pk, "summary": "",
            "body": "Nội dung", "important": "on", "status": "published", "image_alt": "",
            "published_at_0": "", "published_at_1": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/catalog/newsitem/add/", data)
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert item.author == admin_user and item.published_at is not None and item.pushed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/catalog/newsitem/{item.pk}/change/", {**data, "summary": "Sửa"})
    assert Notification.objects.filter(verb="news", user=citizen).count() == 1
