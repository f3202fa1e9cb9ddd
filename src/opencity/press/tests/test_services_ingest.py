"""Items coming in: a fetch of a feed from the local server, deduplication, matching, scoring, the
console feed, a failing source's back-off, and imports with bad rows."""

import datetime as dt

import pytest
from django.utils import timezone

from opencity.errors import PermissionDeniedError, ValidationError
from opencity.press import services
from opencity.press.models import ItemStatus, PressItem, PressItemStep, PressSource

from .conftest import FIXTURES, SAMPLES


@pytest.fixture
def huế_feed(press_server, feed_source, rss, topics):
    url = press_server.serve("/rss/thoi-su.rss", rss, etag='"abc"')
    return feed_source(url)


def test_a_feed_is_fetched_into_items_with_topics_ward_category_and_score(huế_feed, flooding):
    result = services.source_fetch(source_id=huế_feed.pk)
    assert result.created == 6
    flood = PressItem.objects.get(title__startswith="Đường Trần Phú")
    assert flood.status == ItemStatus.NEW
    assert flood.area.name == "Phường An Cựu"
    assert [t.code for t in flood.topics.all()] == ["ngap"]
    assert flood.category == flooding
    assert flood.negative >= 3  # ngập, bức xúc, phản ánh, rác thải…
    assert flood.score > PressItem.objects.get(title__startswith="Festival").score
    step = PressItemStep.objects.get(item=flood)
    assert (step.action, step.to_status, step.actor) == ("collect", "new", None)
    huế_feed.refresh_from_db()
    assert huế_feed.etag == '"abc"' and huế_feed.failures == 0 and huế_feed.next_fetch_at > timezone.now()


def test_the_next_fetch_is_conditional_and_stores_nothing_twice(huế_feed, press_server):
    services.source_fetch(source_id=huế_feed.pk)
    again = services.source_fetch(source_id=huế_feed.pk)
    assert again.created == 0
    assert press_server.hits("/rss/thoi-su.rss")[1]["If-None-Match"] == '"abc"'
    assert PressItem.objects.count() == 6


def test_the_same_article_under_tracking_parameters_is_a_duplicate(huế_feed, import_source):
    from opencity.press.parse import Entry

    services.source_fetch(source_id=huế_feed.pk)
    again = services.entries_store(source=import_source, entries=[Entry(
        url="http://www.thoisuhue.example.vn/xa-hoi/duong-tran-phu-ngap-sau-sau-mua-lon.html/?utm_campaign=z",
        text="Bài đăng lại")])
    assert again.counts[services.DUPLICATE] == 1


def test_a_near_identical_text_elsewhere_is_a_copy_counted_on_the_first(huế_feed, import_source):
    from opencity.press.parse import Entry

    services.source_fetch(source_id=huế_feed.pk)
    original = PressItem.objects.get(title__startswith="Hàng loạt đèn đường")
    result = services.entries_store(source=import_source, entries=[Entry(
        url="https://social.example.vn/p/9", author="someone", reach=1000, title=original.title,
        summary=original.summary.upper())])
    assert result.counts[services.COPY] == 1
    original.refresh_from_db()
    assert original.copies == 1 and original.reach == 1000
    copy = PressItem.objects.get(url="https://social.example.vn/p/9")
    assert copy.duplicate_of == original


def test_a_high_score_item_appears_on_the_console_feed_without_personal_data(huế_feed, published, settings):
    settings.OPENCITY_PRESS_FEED_SCORE = 40
    services.source_fetch(source_id=huế_feed.pk)
    press = [h for h in published if h.subject == "press"]
    assert press and all(h.kind == "press.new" for h in press)
    assert set(press[0].payload) == {"title", "source", "author", "score", "topics", "url"}
    assert all(h.payload["score"] >= 40 for h in press)


def test_a_summary_only_feed_reads_the_article_page(press_server, feed_source, topics):
    body = (FIXTURES / "summary-only.rss").read_text().replace("LINK", press_server.base)
    source = feed_source(press_server.serve("/short.rss", body), fetch_pages=True)
    press_server.serve("/bai/trieu-cuong-chi-lang", (FIXTURES / "article.html").read_bytes(),
                       headers={"Content-Type": "text/html; charset=utf-8"})
    services.source_fetch(source_id=source.pk)
    item = PressItem.objects.get()
    assert "cống thoát nước ở khu vực thường xuyên bị tắc nghẽn" in item.text
    assert item.area.name == "Phường Phú Xuân"


@pytest.mark.parametrize("fixture", ["billion-laughs.rss", "malformed.rss"])
def test_a_bad_feed_marks_the_source_stores_nothing_and_backs_off(press_server, feed_source, fixture):
    source = feed_source(press_server.serve("/bad.rss", (FIXTURES / fixture).read_bytes()), every_minutes=30)
    now = timezone.now()
    assert services.source_fetch(source_id=source.pk, now=now) is None
    source.refresh_from_db()
    assert source.failures == 1 and source.last_error
    assert source.next_fetch_at == now + dt.timedelta(minutes=60)
    assert PressItem.objects.count() == 0
    assert source.pk not in services.sources_due(now + dt.timedelta(minutes=59))
    assert source.pk in services.sources_due(now + dt.timedelta(minutes=61))
    services.source_fetch(source_id=source.pk, now=now + dt.timedelta(minutes=61))
    source.refresh_from_db()
    assert source.failures == 2 and source.next_fetch_at == now + dt.timedelta(minutes=61 + 120)


def test_the_back_off_stops_at_its_ceiling(press_server, feed_source, settings):
    settings.OPENCITY_PRESS_MAX_BACKOFF_HOURS = 6
    source = feed_source(press_server.url("/gone.rss"), every_minutes=60)
    PressSource.objects.filter(pk=source.pk).update(failures=10)
    now = timezone.now()
    services.source_fetch(source_id=source.pk, now=now)
    source.refresh_from_db()
    assert source.next_fetch_at == now + dt.timedelta(hours=6)
    assert "404" in source.last_error


def test_a_source_that_recovers_is_cleared(huế_feed):
    PressSource.objects.filter(pk=huế_feed.pk).update(failures=3, last_error="x")
    services.source_fetch(source_id=huế_feed.pk)
    huế_feed.refresh_from_db()
    assert huế_feed.failures == 0 and huế_feed.last_error == ""


def test_the_worker_task_fetches_the_sources_that_are_due(huế_feed):
    from opencity.press.tasks import fetch_due_sources

    assert fetch_due_sources.call_local() == 1
    assert PressItem.objects.count() == 6
    assert fetch_due_sources.call_local() == 0  # not due again before its schedule


def test_an_export_imports_good_rows_and_lists_the_bad(operator, import_source, topics):
    content = ((SAMPLES / "social-export.csv").read_text()
               + 'x,"Ngập ở phường Kim Long",https://social.example.vn/x/1,31/02/2026 10:00,5\n').encode()
    result = services.export_import(actor=operator, source_id=import_source.pk, content=content, fmt="csv")
    assert result.created == 3
    assert [(e.row, "31/02/2026" in e.message) for e in result.errors] == [(4, True)]
    assert PressItem.objects.filter(source=import_source).count() == 3
    again = services.export_import(actor=operator, source_id=import_source.pk, content=content, fmt="csv")
    assert again.created == 0 and again.counts[services.DUPLICATE] == 3


def test_an_export_with_a_wrong_header_stores_nothing(operator, import_source):
    with pytest.raises(ValidationError) as refused:
        services.export_import(actor=operator, source_id=import_source.pk, fmt="csv",
                               content=b"user,post\nan,Ngap\n")
    assert "author" in refused.value.message
    assert PressItem.objects.count() == 0


def test_a_json_export_is_imported(operator, import_source, topics):
    result = services.export_import(actor=operator, source_id=import_source.pk, fmt="json",
                                    content=(SAMPLES / "social-export.json").read_bytes())
    assert result.created + result.counts[services.COPY] == 6
    post = PressItem.objects.get(author="vyda.neighbors")
    assert post.area.name == "Phường Vỹ Dạ" and post.reach == 6100


def test_only_operators_import(leader, import_source):
    with pytest.raises(PermissionDeniedError):
        services.export_import(actor=leader, source_id=import_source.pk, fmt="json", content=b"[]")
