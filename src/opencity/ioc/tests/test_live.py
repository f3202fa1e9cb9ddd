"""The console's live feed: what is recorded, who receives it, and both stream flavours
(WSGI generator, ASGI async generator) with Last-Event-ID catch-up."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.utils import timezone
from shapely.geometry import shape

from opencity import policy
from opencity.errors import DomainError
from opencity.ioc import live
from opencity.ioc.models import LiveEvent
from opencity.reports import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_streams(settings):
    settings.OPENCITY_LIVE_POLL_SECONDS = 0.05
    settings.OPENCITY_LIVE_STREAM_SECONDS = 0.3
    settings.OPENCITY_LIVE_REDIS_URL = ""


def test_each_transition_adds_one_row_with_its_ward_and_unit(make_report, operator, officer, urban_works,
                                                              lighting_rule):
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator, unit_id=urban_works.pk)
    services.report_accept(report_id=report.pk, actor=officer)
    rows = list(LiveEvent.objects.filter(report=report).order_by("id"))
    assert [r.kind for r in rows][-2:] == ["report.route", "report.accept"]
    assert rows[0].kind == "report.submit"
    assert rows[-1].area_id == report.area_id and rows[-1].unit_id == urban_works.pk
    assert rows[-1].payload["to"] == "in_progress"


def test_a_row_never_carries_the_reporter(make_report, citizen):
    report = make_report()
    event = LiveEvent.objects.get(report=report)
    text = str(event.payload) + live.render_event(event, language="vi")
    assert citizen.full_name not in text and citizen.phone not in text and citizen.phone[-9:] not in text
    assert report.ref in text


def test_a_rolled_back_change_leaves_no_row(make_report, officer):
    report = make_report()
    before = LiveEvent.objects.count()
    with pytest.raises(DomainError):  # an officer cannot route: nothing is written
        services.report_route(report_id=report.pk, actor=officer, unit_id=1)
    assert LiveEvent.objects.count() == before


def _chunks(body) -> str:
    return "".join(body)


def test_the_wsgi_stream_sends_rows_after_the_last_id(make_report, operator):
    first = make_report()
    mark = LiveEvent.objects.get(report=first).pk
    second = make_report()
    text = _chunks(live.stream(policy.kpi_bounds(operator), mark, language="vi"))
    assert text.startswith("retry: 1000")
    assert f"id: {LiveEvent.objects.get(report=second).pk}\nevent: live\n" in text
    assert second.ref in text and f">{first.ref}<" not in text


def test_a_ward_official_receives_only_the_ward(make_report, ward_official, thuan_hoa):
    mark = live.latest_id()
    inside = make_report()  # the seeds' place: Phú Xuân, the official's ward
    point = shape(thuan_hoa.boundary).representative_point()
    outside = make_report(lat=point.y, lon=point.x)
    assert inside.area_id == ward_official.home_area_id != outside.area_id
    text = _chunks(live.stream(policy.kpi_bounds(ward_official), mark, language="vi"))
    assert inside.ref in text and outside.ref not in text


def test_the_stream_view_resumes_from_last_event_id(client, make_report, operator):
    make_report()
    mark = live.latest_id()
    later = make_report()
    client.force_login(operator)
    response = client.get("/ioc/live/stream", HTTP_LAST_EVENT_ID=str(mark))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"].startswith("no-cache")
    text = b"".join(response.streaming_content).decode()
    assert later.ref in text and text.count("event: live") == 1


@pytest.mark.parametrize("mark", ["²²", "１２", "9" * 30])
def test_the_stream_view_starts_from_now_on_an_id_that_is_not_a_number(client, make_report, operator, mark):
    make_report()  # "²".isdigit() is true, but int("²") fails (it was a 500)
    client.force_login(operator)
    response = client.get("/ioc/live/stream", HTTP_LAST_EVENT_ID=mark)
    assert response.status_code == 200
    assert "event: live" not in b"".join(response.streaming_content).decode()


def test_the_asgi_stream_holds_no_thread_and_sends_the_same(make_report, operator):
    mark = live.latest_id()
    report = make_report()
    client = AsyncClient()
    async_to_sync(client.aforce_login)(operator)

    async def read() -> str:
        response = await client.get("/ioc/live/stream", {"after": mark})
        assert response.status_code == 200
        parts = []
        async for chunk in response.streaming_content:
            parts.append(chunk.decode())
        return "".join(parts)

    text = async_to_sync(read)()
    assert text.startswith("retry: 1000") and report.ref in text


def test_the_asgi_stream_refuses_a_citizen(citizen):
    client = AsyncClient()
    async_to_sync(client.aforce_login)(citizen)

    async def status() -> int:
        return (await client.get("/ioc/live/stream")).status_code

    assert async_to_sync(status)() == 403


def test_new_rows_are_published_on_redis(settings, make_report, django_capture_on_commit_callbacks):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/14"
    try:
        conn = redis.Redis.from_url(url, socket_timeout=1)
        conn.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.OPENCITY_LIVE_REDIS_URL = url
    pubsub = conn.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(live.CHANNEL)
    pubsub.get_message(timeout=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report()
    message = pubsub.get_message(timeout=2)
    assert message is not None and int(message["data"]) == LiveEvent.objects.get(report=report).pk
    # a stream that waits on Redis still sends the row
    text = _chunks(live.stream(policy.KpiBounds("city"), 0, language="vi"))
    assert report.ref in text
    pubsub.close()


def test_old_rows_are_pruned(make_report):
    old = make_report()
    LiveEvent.objects.filter(report=old).update(created_at=timezone.now() - dt.timedelta(days=8))
    fresh = make_report()
    assert live.prune(keep_days=7) == 1
    assert list(LiveEvent.objects.values_list("report_id", flat=True)) == [fresh.pk]


def test_wsgi_streams_over_the_limit_are_told_to_come_back_later(monkeypatch, operator):
    import threading

    monkeypatch.setattr(live, "_wsgi_slots", threading.BoundedSemaphore(1))
    bounds = policy.kpi_bounds(operator)
    first = live.stream(bounds, 0, language="vi")
    assert next(first).startswith("retry: 1000")  # holds the only slot
    second = "".join(live.stream(bounds, 0, language="vi"))
    assert second.startswith(f"retry: {live.BUSY_RETRY_MS}") and "event: busy" in second
    first.close()  # the browser went away: the slot is free again
    third = live.stream(bounds, 0, language="vi")
    assert next(third).startswith("retry: 1000")
    third.close()


def test_recounted_figures_reach_every_stream_but_not_the_feed(make_report, ward_official, operator):
    from opencity.reports import kpi

    make_report()
    mark = live.latest_id()
    kpi.rollup_refresh_days([timezone.localdate()])
    row = LiveEvent.objects.get(kind=live.FIGURES)
    assert row.pk > mark and row.payload == {"days": [timezone.localdate().isoformat()]}
    for viewer in (ward_official, operator):  # a ward's official as well as the city's operator
        text = _chunks(live.stream(policy.kpi_bounds(viewer), mark, language="vi"))
        assert f"id: {row.pk}\nevent: figures\ndata: {{}}\n\n" in text
        assert row not in live.recent(policy.kpi_bounds(viewer))


def test_calls_and_warnings_reach_the_feed_bounded_like_the_rest(client, operator, ward_official, phu_xuan):
    """Apps publish through lib.feed; the console records every happening. A call is city-level
    (ward officials and unit heads never see the hotline's calls); a warning is public, so
    every console sees it."""
    from opencity.lib import feed

    mark = live.latest_id()
    feed.publish(kind="call.ringing", subject="call", subject_id=41, ref="CG-41",
                 payload={"direction": "inbound", "topic": ""})
    feed.publish(kind="alert.alert", subject="alert", subject_id=5, ref="CB000005",
                 severity=feed.URGENT, payload={"event": "Lũ", "severity": "Severe", "status": "Actual", "areas": 3})
    rows = list(LiveEvent.objects.filter(id__gt=mark).order_by("id"))
    assert [(r.kind, r.subject, r.ref, r.severity) for r in rows] == [
        ("call.ringing", "call", "CG-41", "info"), ("alert.alert", "alert", "CB000005", "urgent")]
    city = _chunks(live.stream(policy.kpi_bounds(operator), mark, language="vi"))
    ward = _chunks(live.stream(policy.kpi_bounds(ward_official), mark, language="vi"))
    assert "CG-41" in city and "Cuộc gọi đang đổ chuông" in city and "CB000005" in city
    assert "CG-41" not in ward and "CB000005" in ward and "Phát hành cảnh báo" in ward
