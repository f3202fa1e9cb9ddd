"""Every state change of the catalogue and the news.

- Favourites: :func:`favourite_add`, :func:`favourite_remove` (a person's own, idempotent).
- :func:`service_open`: count one opening of a service for today and keep the person's recent
  list; nothing about who opened what is kept beyond that list, which is the person's own.
- News: :func:`news_save` (the admin's save), :func:`news_publish`; an important item, once
  published, owes its notices through the outbox (:data:`NEWS_PUSH_KIND`) exactly once: the
  row is locked and ``pushed_at`` set in the same transaction, so publishing again, editing or
  unpublishing and publishing again never pushes twice. :func:`news_push` (the worker) writes
  every citizen's inbox row in batches (``notifications.notify_bulk``, as warnings do) and owes
  the web pushes on the notifications' own channel.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencity import policy
from opencity.accounts.models import User
from opencity.errors import NotFoundError
from opencity.notifications import channels, outbox
from opencity.notifications.models import Notification, PushSubscription
from opencity.notifications.services import WEBPUSH, Subject, notify_bulk

from .models import Favourite, NewsItem, NewsStatus, RecentService, Service, ServiceOpen

NEWS_PUSH_KIND = "catalog.news_push"  # {"news_id"}: owed when an important item is first published
NEWS_VERB = "news"
RECENT_KEPT = 8  # a person's recent list


@transaction.atomic
def favourite_add(*, user, service: Service) -> Favourite:
    """Star ``service`` for ``user`` (again: nothing changes). New favourites go last."""
    if not service.active:
        raise NotFoundError()
    existing = Favourite.objects.filter(user=user, service=service).first()
    if existing is not None:
        return existing
    last = Favourite.objects.filter(user=user).aggregate(m=Max("order"))["m"]
    favourite = Favourite(user=user, service=service, order=(last or 0) + 1)
    favourite.full_clean()
    try:
        with transaction.atomic():
            favourite.save()
    except IntegrityError:  # the same click twice at once: the first one stands
        return Favourite.objects.get(user=user, service=service)
    return favourite


@transaction.atomic
def favourite_remove(*, user, service: Service) -> int:
    """Unstar; returns how many were removed (0 when it was not a favourite)."""
    deleted, _rows = Favourite.objects.filter(user=user, service=service).delete()
    return deleted


def _count_open(service: Service, day: dt.date) -> None:
    if ServiceOpen.objects.filter(service=service, day=day).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ServiceOpen.objects.create(service=service, day=day, count=1)
    except IntegrityError:  # another request created today's row first
        ServiceOpen.objects.filter(service=service, day=day).update(count=F("count") + 1)


@transaction.atomic
def service_open(*, service: Service, user=None) -> str:
    """Count one opening of an active service today (the city's date) and, for a signed-in
    person, put it first in their recent list. Returns where to send the person."""
    if not service.active:
        raise NotFoundError()
    target = service.target
    if not target:
        raise NotFoundError()
    _count_open(service, timezone.localdate())
    if user is not None and user.is_authenticated:
        now = timezone.now()
        updated = RecentService.objects.filter(user=user, service=service).update(opened_at=now)
        if not updated:
            try:
                with transaction.atomic():
                    RecentService.objects.create(user=user, service=service, opened_at=now)
            except IntegrityError:
                pass
        stale = RecentService.objects.filter(user=user).values_list("pk", flat=True)[RECENT_KEPT:]
        RecentService.objects.filter(pk__in=list(stale)).delete()
    return target


def _owe_push(item: NewsItem) -> None:
    """Owe the notices of an important published item, once: ``pushed_at`` is the mark. An item
    dated in the future is not announced before its time (it is when saved again after it)."""
    if item.important and item.is_public and item.pushed_at is None:
        item.pushed_at = timezone.now()
        NewsItem.objects.filter(pk=item.pk).update(pushed_at=item.pushed_at)
        outbox.outbox_put(kind=NEWS_PUSH_KIND, payload={"news_id": item.pk}, dedup_key=f"news-{item.pk}")


@transaction.atomic
def news_save(*, item: NewsItem, actor) -> NewsItem:
    """Save a news item as written (the admin): validated; published now if marked published
    without a time; its notices owed if it is important and published for the first time.
    The row is locked while it is decided, so two saves at once cannot both owe them."""
    if item.pk:
        pushed_at = NewsItem.objects.select_for_update().values_list("pushed_at", flat=True).get(pk=item.pk)
        item.pushed_at = pushed_at
    elif item.author_id is None and actor is not None and actor.is_authenticated:
        item.author = actor
    if item.status == NewsStatus.PUBLISHED and item.published_at is None:
        item.published_at = timezone.now()
    item.full_clean()
    item.save()
    _owe_push(item)
    return item


@transaction.atomic
def news_publish(*, item: NewsItem, actor, at: dt.datetime | None = None) -> NewsItem:
    """Publish (again: nothing changes, nothing is pushed twice). ``at``: the publication time
    shown (now by default; a later time keeps it hidden until then)."""
    locked = NewsItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != NewsStatus.PUBLISHED:
        locked.status = NewsStatus.PUBLISHED
        locked.published_at = at or locked.published_at or timezone.now()
    locked.full_clean()
    locked.save()
    _owe_push(locked)
    return locked


def _texts(item: NewsItem) -> dict[str, tuple[str, str]]:
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = ((_("News: %(title)s") % {"title": item.title})[:200], item.summary or item.body[:240])
    return texts


def _news_push_batch(news_id: int, size: int) -> tuple[int, bool]:
    """One batch of citizens, all or nothing: the item's row is locked, the next ``size``
    citizens after its cursor get their inbox rows, those with a device their pushes owed, and
    the cursor moves, in one transaction. Returns (rows written, finished)."""
    with transaction.atomic():
        item = NewsItem.objects.select_for_update().filter(pk=news_id).first()
        if item is None or item.fanout_done_at is not None:
            return 0, True
        now = timezone.now()
        ids = [] if item.status != NewsStatus.PUBLISHED else list(
            policy.citizens().filter(pk__gt=item.fanout_cursor).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:  # everyone told (or the item was unpublished meanwhile: not announced)
            NewsItem.objects.filter(pk=item.pk).update(fanout_done_at=now)
            return 0, True
        written = notify_bulk(User.objects.filter(pk__in=ids), verb=NEWS_VERB, texts=_texts(item),
                              url=item.get_absolute_url(), subject=Subject(NEWS_VERB, item.pk, item.ref),
                              created_at=now)
        devices = PushSubscription.objects.filter(user_id__in=ids).values("user_id")
        rows = list(Notification.objects.filter(user_id__in=devices, subject_type=NEWS_VERB, subject_id=item.pk,
                                                created_at=now).select_related("user").order_by("pk"))
        channels.owe((WEBPUSH,), rows, tag=f"news-{item.pk}")
        NewsItem.objects.filter(pk=item.pk).update(fanout_cursor=ids[-1])
        return written, False


def news_push(*, news_id: int, batch_size: int | None = None, max_batches: int | None = None) -> int:
    """The worker's part (the outbox handler): an inbox row for every active citizen
    (``policy.citizens()``), in each one's language, written with ``notify_bulk`` batch after
    batch from where the last run stopped (as a warning's delivery: ``alerts.delivery``), and the
    web pushes owed on the notifications' channel for those with a device. A worker that dies
    leaves whole batches; a second worker waits on the item's row and continues after the
    cursor: nobody is told twice. Returns the inbox rows written. ``max_batches`` stops early
    (tests: a run cut short)."""
    size = max(1, batch_size or settings.OPENCITY_ALERT_BATCH_SIZE)
    written, batches = 0, 0
    while max_batches is None or batches < max_batches:
        n, done = _news_push_batch(news_id, size)
        written += n
        batches += 1
        if done:
            break
    return written
