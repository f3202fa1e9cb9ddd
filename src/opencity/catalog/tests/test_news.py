"""News: drafts and items dated in the future are nobody's page; the text is escaped; an
important item is pushed to citizens exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opencity.catalog import services
from opencity.catalog.models import NewsItem, NewsStatus
from opencity.notifications.models import Notification, PushSubscription

pytestmark = pytest.mark.django_db


def test_drafts_are_not_public(client, make_news):
    make_news("Tin đã đăng")
    draft = make_news("Bản nháp bí mật", status=NewsStatus.DRAFT)
    body = client.get("/news/").content.decode()
    assert "Tin đã đăng" in body and "Bản nháp bí mật" not in body
    assert client.get(f"/news/{draft.pk}-{draft.slug}/").status_code == 404


def test_an_item_dated_in_the_future_is_not_public_yet(client, make_news):
    later = make_news("Tin hẹn giờ", days_ago=-1)
    assert "Tin hẹn giờ" not in client.get("/news/").content.decode()
    assert client.get(f"/news/{later.pk}-{later.slug}/").status_code == 404


def test_the_page_shows_the_text_escaped_in_paragraphs(client, make_news):
    item = make_news("Thông báo cắt điện", body="Đoạn một.\n\n<script>alert(1)</script>\n\n- Mục A\n- Mục B")
    assert item.slug == "thong-bao-cat-dien"
    body = client.get(f"/news/{item.pk}-{item.slug}/").content.decode()
    assert "<p>Đoạn một.</p>" in body and "<li>Mục A</li>" in body
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_wrong_slug_redirects_to_the_item(client, make_news):
    item = make_news("Lịch thu gom rác")
    response = client.get(f"/news/{item.pk}-cu/")
    assert response.status_code == 301 and response.url == f"/news/{item.pk}-lich-thu-gom-rac/"


def test_the_list_filters_by_category_and_pages(client, make_news, db):
    from opencity.catalog.models import NewsCategory

    other = NewsCategory.objects.create(code="du-lich", name="Du lịch")
    for i in range(13):
        make_news(f"Tin số {i}", days_ago=i + 1)
    NewsItem.objects.create(
        title="Tin du lịch", body=".", category=other, status=NewsStatus.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(hours=1))
    first = client.get("/news/").content.decode()
    assert first.count('data-testid="news-item"') == 12 and "Tin du lịch" in first
    second = client.get("/news/", {"page": 2}).content.decode()
    assert second.count('data-testid="news-item"') == 2
    only = client.get("/news/", {"category": "du-lich"}).content.decode()
    assert only.count('data-testid="news-item"') == 1 and "Tin du lịch" in only


def test_the_news_pages_refuse_post(client, make_news):
    item = make_news("Tin")
    assert client.post("/news/").status_code == 405
    assert client.post(f"/news/{item.pk}-{item.slug}/").status_code == 405


def _subscribe(user) -> PushSubscription:
    return PushSubscription.objects.create(user=user, endpoint=f"https://push.example/{user.pk}", p256dh="k", auth="a")


def test_publishing_an_important_item_tells_every_citizen_once(
        make_news, citizen, citizen2, operator, admin_user, django_capture_on_commit_callbacks, memory_push):
    _subscribe(citizen)
    _subscribe(operator)
    item = make_news("Mưa lớn, nguy cơ ngập", status=NewsStatus.DRAFT, important=True, summary="Chuẩn bị sơ tán.")
    with django_capture_on_commit_callbacks(execute=True):
        services.news_publish(item=item, actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.news_publish(item=item, actor=admin_user)  # again
    item.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        item.status = NewsStatus.DRAFT
        services.news_save(item=item, actor=admin_user)
        item.status = NewsStatus.PUBLISHED
        services.news_save(item=item, actor=admin_user)  # unpublished and published again
    rows = Notification.objects.filter(verb="news")
    assert sorted(rows.values_list("user_id", flat=True)) == sorted([citizen.pk, citizen2.pk])  # citizens only
    note = rows.get(user=citizen)
    assert note.title == "Tin tức: Mưa lớn, nguy cơ ngập" and note.url == item.get_absolute_url()
    assert [p["endpoint"] for p in memory_push.outbox] == [f"https://push.example/{citizen.pk}"]
    assert memory_push.outbox[0]["payload"]["tag"] == f"news-{item.pk}"


def test_an_ordinary_or_draft_item_is_not_pushed(make_news, citizen, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ordinary = make_news("Tin thường", status=NewsStatus.DRAFT)
        services.news_publish(item=ordinary, actor=admin_user)
        draft = make_news("Nháp quan trọng", status=NewsStatus.DRAFT, important=True)
        services.news_save(item=draft, actor=admin_user)
    assert not Notification.objects.filter(verb="news").exists()
    draft.refresh_from_db()
    assert draft.pushed_at is None


def test_the_worker_running_twice_writes_no_second_notice(make_news, citizen, admin_user):
    item = make_news("Quan trọng", status=NewsStatus.DRAFT, important=True)
    services.news_publish(item=item, actor=admin_user)
    assert services.news_push(news_id=item.pk) == 1
    assert services.news_push(news_id=item.pk) == 0
    assert Notification.objects.filter(verb="news", user=citizen).count() == 1


def test_an_announcement_cut_short_resumes_after_its_cursor(make_news, admin_user, db):
    from opencity.accounts.models import User
    from opencity.conftest import PASSWORD

    people = [User.objects.create_user(f"090500030{i}", PASSWORD, full_name=f"Dân {i}") for i in range(5)]
    item = make_news("Quan trọng", status=NewsStatus.DRAFT, important=True)
    services.news_publish(item=item, actor=admin_user)
    assert services.news_push(news_id=item.pk, batch_size=2, max_batches=1) == 2  # the worker dies here
    item.refresh_from_db()
    assert item.fanout_cursor == people[1].pk and item.fanout_done_at is None
    assert services.news_push(news_id=item.pk, batch_size=2) == 3  # the next run continues
    told = Notification.objects.filter(verb="news").values_list("user_id", flat=True)
    assert sorted(told) == sorted(p.pk for p in people)


def test_an_item_unpublished_before_the_worker_runs_is_not_announced(make_news, citizen, admin_user):
    item = make_news("Quan trọng", status=NewsStatus.DRAFT, important=True)
    services.news_publish(item=item, actor=admin_user)
    item.refresh_from_db()
    item.status = NewsStatus.DRAFT
    services.news_save(item=item, actor=admin_user)
    assert services.news_push(news_id=item.pk) == 0
    assert not Notification.objects.exists()
