"""The console's live feed: record what happens, stream it as server-sent events.

Recording. Apps publish what happened through ``lib.feed`` (a report's timeline step, a rescue
step, a call ringing or answered, a warning issued…), in the transaction of the change; the
console subscribes (:func:`record_happening`) and adds a :class:`LiveEvent` row in that same
transaction. So the feed shows only what was committed and misses nothing, and no app imports
the console. After the
commit, the new id is published on Redis (``OPENCITY_LIVE_REDIS_URL``) to wake the streams up;
without Redis the streams poll the table every ``OPENCITY_LIVE_POLL_SECONDS``.

Streaming. A stream sends the rows after the client's ``Last-Event-ID`` (or ``?after=``, the
newest id when the page was drawn), bounded by the viewer's :func:`policy.kpi_bounds`, then
waits for more. It ends after ``OPENCITY_LIVE_STREAM_SECONDS``; the browser's EventSource
reconnects by itself with ``Last-Event-ID``, so nothing is lost and no server thread is held for
long. Under ASGI (production routes ``/ioc/live/`` to an ASGI process, DESIGN.md §6) the stream
is an async generator and holds no thread at all; under WSGI (the embedded server, the tests) it
is a plain generator.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from opencity import policy
from opencity.lib import feed

from .models import LiveEvent

logger = logging.getLogger(__name__)
CHANNEL = "opencity:live"
# A row that says "the figures changed" (roll-ups recounted), sent to every stream as an SSE
# event of its own, ``figures``: the headline cards reload on it, not on the transition itself,
# which the worker has not counted yet.
FIGURES = "kpi.refreshed"
BATCH = 50
BUSY_RETRY_MS = 15_000


# --- recording -------------------------------------------------------------------------------


def _publish(event_id: int) -> None:
    url = settings.OPENCITY_LIVE_REDIS_URL
    if not url:
        return
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=1).publish(CHANNEL, str(event_id))
    except Exception:  # the row is committed; the streams' poll picks it up anyway
        logger.warning("Live event %s not published on Redis", event_id, exc_info=True)


def record(*, kind: str, report=None, area_id: int | None = None, unit_id: int | None = None,
           payload: dict | None = None, **fields) -> LiveEvent:
    """Add a row to the feed in the current transaction; wake the streams after the commit."""
    event = LiveEvent.objects.create(kind=kind, report=report, area_id=area_id, unit_id=unit_id,
                                     payload=payload or {}, **fields)
    transaction.on_commit(lambda: _publish(event.pk))
    return event


def record_happening(sender, happening: feed.Happening, **kwargs) -> None:
    """The console's subscription to ``lib.feed``: every happening becomes a row of the feed, in
    the publisher's transaction."""
    h = happening
    record(kind=h.kind, report_id=h.subject_id if h.subject == "report" else None, area_id=h.area_id,
           unit_id=h.unit_id, payload=h.payload, subject=h.subject, subject_id=h.subject_id, ref=h.ref[:40],
           severity=h.severity, lat=h.lat, lon=h.lon)


# --- reading ---------------------------------------------------------------------------------


def bounds_q(bounds: policy.KpiBounds) -> Q:
    if bounds.level == "city":
        return Q()
    if bounds.level == "ward":
        return Q(area_id=bounds.area_id) | Q(kind=FIGURES) | Q(subject="alert")
    # a unit head follows the unit's reports; rescue steps and calls are not a unit's business;
    # warnings are public and concern everyone
    return Q(unit_id__in=bounds.unit_ids) | Q(kind=FIGURES) | Q(subject="alert")


def latest_id() -> int:
    last = LiveEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def events_after(bounds: policy.KpiBounds, after: int, *, limit: int = BATCH) -> list[LiveEvent]:
    return list(LiveEvent.objects.filter(bounds_q(bounds), id__gt=after)
                .select_related("report__category", "area", "unit").order_by("id")[:limit])


def recent(bounds: policy.KpiBounds, *, limit: int = 20) -> list[LiveEvent]:
    """The newest rows, newest first (drawn with the page)."""
    return list(LiveEvent.objects.filter(bounds_q(bounds)).exclude(kind=FIGURES)
                .select_related("report__category", "area", "unit").order_by("-id")[:limit])


def render_event(event: LiveEvent, *, language: str) -> str:
    with translation.override(language):
        html = render_to_string("ioc/partials/live_item.html", {"event": event})
    return " ".join(html.split())


def sse_message(event: LiveEvent, *, language: str) -> str:
    """One server-sent event: ``id`` for Last-Event-ID, the HTML line as data (htmx swaps it);
    a figures row is an empty ``figures`` event."""
    if event.kind == FIGURES:
        return f"id: {event.pk}\nevent: figures\ndata: {{}}\n\n"
    data = render_event(event, language=language)
    return f"id: {event.pk}\nevent: live\ndata: {data}\n\n"


def _settings() -> tuple[float, float]:
    return float(settings.OPENCITY_LIVE_POLL_SECONDS), float(settings.OPENCITY_LIVE_STREAM_SECONDS)


def _hello(after: int) -> str:
    # retry: how long the browser waits before reconnecting after the stream ends
    return f"retry: 1000\nid: {after}\nevent: hello\ndata: {json.dumps({'after': after})}\n\n"


_wsgi_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    global _wsgi_slots
    with _slots_lock:
        if _wsgi_slots is None:
            _wsgi_slots = threading.BoundedSemaphore(max(int(settings.OPENCITY_LIVE_WSGI_STREAMS), 1))
        return _wsgi_slots


def stream(bounds: policy.KpiBounds, after: int, *, language: str) -> Iterator[str]:
    """The WSGI stream. Each one holds a server thread for at most OPENCITY_LIVE_STREAM_SECONDS,
    and at most OPENCITY_LIVE_WSGI_STREAMS run at once per process, so consoles can never take
    every thread from the pages; a stream over the limit tells the browser to come back later
    (the ASGI route has no such limit)."""
    slots = _slots()
    if not slots.acquire(blocking=False):
        yield f"retry: {BUSY_RETRY_MS}\nevent: busy\ndata: {{}}\n\n"
        return
    poll, duration = _settings()
    deadline = time.monotonic() + duration
    pubsub = None
    try:
        yield _hello(after)
        pubsub = _subscribe()
        while time.monotonic() < deadline:
            rows = events_after(bounds, after)
            for row in rows:
                after = row.pk
                yield sse_message(row, language=language)
            if len(rows) == BATCH:
                continue
            yield ": keep-alive\n\n"
            _wait(pubsub, min(poll, max(deadline - time.monotonic(), 0)))
    finally:
        slots.release()
        if pubsub is not None:
            pubsub.close()


async def astream(bounds: policy.KpiBounds, after: int, *, language: str) -> AsyncIterator[str]:
    """The ASGI stream: the same, holding no thread while it waits."""
    poll, duration = _settings()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + duration
    fetch = sync_to_async(events_after)
    render = sync_to_async(sse_message)
    yield _hello(after)
    pubsub = await _asubscribe()
    try:
        while loop.time() < deadline:
            rows = await fetch(bounds, after)
            for row in rows:
                after = row.pk
                yield await render(row, language=language)
            if len(rows) == BATCH:
                continue
            yield ": keep-alive\n\n"
            await _await(pubsub, min(poll, max(deadline - loop.time(), 0)))
    finally:
        if pubsub is not None:
            await pubsub.aclose()


def _subscribe():
    if not settings.OPENCITY_LIVE_REDIS_URL:
        return None
    try:
        import redis

        pubsub = redis.Redis.from_url(settings.OPENCITY_LIVE_REDIS_URL, socket_timeout=5).pubsub(
            ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)
        return pubsub
    except Exception:
        logger.warning("Live stream falls back to polling: Redis unavailable", exc_info=True)
        return None


def _wait(pubsub, seconds: float) -> None:
    if pubsub is None:
        time.sleep(seconds)
        return
    try:
        pubsub.get_message(timeout=seconds)
    except Exception:
        time.sleep(seconds)


async def _asubscribe():
    if not settings.OPENCITY_LIVE_REDIS_URL:
        return None
    try:
        import redis.asyncio as aredis

        pubsub = aredis.Redis.from_url(settings.OPENCITY_LIVE_REDIS_URL, socket_timeout=5).pubsub(
            ignore_subscribe_messages=True)
        await pubsub.subscribe(CHANNEL)
        return pubsub
    except Exception:
        logger.warning("Live stream falls back to polling: Redis unavailable", exc_info=True)
        return None


async def _await(pubsub, seconds: float) -> None:
    if pubsub is None:
        await asyncio.sleep(seconds)
        return
    try:
        await pubsub.get_message(timeout=seconds)
    except Exception:
        await asyncio.sleep(seconds)


def prune(*, keep_days: int | None = None) -> int:
    """Delete rows older than ``OPENCITY_LIVE_KEEP_DAYS`` (the feed is not the history: the
    timelines are)."""
    import datetime as dt

    from django.utils import timezone

    days = keep_days if keep_days is not None else int(settings.OPENCITY_LIVE_KEEP_DAYS)
    deleted, _rows = LiveEvent.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=days)).delete()
    return deleted
