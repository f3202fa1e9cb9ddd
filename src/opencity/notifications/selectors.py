"""The inbox: one person's notifications and the broadcasts whose audience they are in.

Every place that lists or counts a person's inbox — the page, the unread badge on every page, the
API — reads it here, through :func:`inbox` (and :func:`inbox_unread_count`, the same rule
counted). A broadcast's audience is decided when the inbox is read, from the person's home ward
and last shared location as they are now (``models.py``), so no row per person is written when a
broadcast goes out, and :func:`broadcast_audience` — the people a broadcast is shown to, for its
pushes and its figures — states the same rule from the other side (the tests hold them equal).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Notification, NotificationReceipt

AudienceArea = Notification.audience_areas.through


def _in_area(area_id: int) -> Exists:
    return Exists(AudienceArea.objects.filter(notification_id=OuterRef("pk"), area_id=area_id))


def _receipt(user) -> QuerySet:
    return NotificationReceipt.objects.filter(notification_id=OuterRef("pk"), user_id=user.pk)


def broadcasts_for(user, *, now: dt.datetime | None = None) -> Q:
    """The broadcasts ``user`` is in the audience of, as a filter on notifications:

    - their home ward is one of its areas, or they have none and it includes the unplaced;
    - or the location they shared last lies in one of its areas and was shared at or after its
      ``audience_located_after``;
    - and it is still running (``ends_at`` in the future) or their account existed before it
      ended — or they read it already (what one opened stays in one's inbox).
    """
    now = now or timezone.now()
    placed = Q(audience_unplaced=True) if user.home_area_id is None else _in_area(user.home_area_id)
    if user.last_location_area_id is not None and user.last_location_at is not None:
        placed |= Q(audience_located_after__lte=user.last_location_at) & _in_area(user.last_location_area_id)
    current = Q(ends_at__isnull=True) | Q(ends_at__gt=now) | Q(ends_at__gte=user.date_joined)
    return Q(user__isnull=True) & ((placed & current) | Exists(_receipt(user)))


def broadcast_audience_q(notification: Notification, *, now: dt.datetime | None = None, prefix: str = "") -> Q:
    """:func:`broadcasts_for` from the other side: the people a broadcast is shown to, as a
    filter on users (``prefix``: on the user of a related row, ``"user__"``). The areas are
    inlined as a short list of ids, so it is served by the user table's indexes on
    ``home_area`` and on ``(last_location_area, last_location_at)``."""
    now = now or timezone.now()
    area_ids = list(notification.audience_areas.values_list("pk", flat=True))
    placed = Q(**{f"{prefix}home_area_id__in": area_ids})
    if notification.audience_unplaced:
        placed |= Q(**{f"{prefix}home_area__isnull": True})
    if notification.audience_located_after is not None and area_ids:
        placed |= Q(**{f"{prefix}last_location_area_id__in": area_ids,
                       f"{prefix}last_location_at__gte": notification.audience_located_after})
    if notification.ends_at is not None and notification.ends_at <= now:
        placed &= Q(**{f"{prefix}date_joined__lte": notification.ends_at})
    readers = NotificationReceipt.objects.filter(notification=notification).values("user_id")
    return placed | Q(**{f"{prefix}pk__in": readers})


def broadcast_audience(notification: Notification, *, now: dt.datetime | None = None) -> QuerySet:
    """The active people a broadcast is shown to (:func:`broadcast_audience_q`)."""
    return get_user_model().objects.filter(is_active=True).filter(broadcast_audience_q(notification, now=now))


def inbox(*, user, now: dt.datetime | None = None) -> QuerySet[Notification]:
    """The person's inbox, newest first: their own notifications and the broadcasts they are in
    the audience of, each annotated with ``seen_at`` (their own ``read_at``, or when they read the
    broadcast). Render rows with :func:`inbox_item` (a broadcast's words in their language)."""
    read = Subquery(_receipt(user).values("read_at")[:1])
    return (Notification.objects.filter(Q(user_id=user.pk) | broadcasts_for(user, now=now))
            .annotate(seen_at=Coalesce("read_at", read)))


def inbox_item(notification: Notification, *, user) -> Notification:
    """A row of :func:`inbox` as the person reads it: a broadcast in their language, and
    ``read_at`` theirs (not saved: the row is everyone's)."""
    if notification.user_id is None:
        language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
        notification.title, notification.body = notification.texts(language)
        notification.read_at = getattr(notification, "seen_at", None)
    return notification


def notification_list(*, user, limit: int = 50) -> list[Notification]:
    return [inbox_item(n, user=user) for n in inbox(user=user)[:limit]]


def inbox_unread_count(*, user, now: dt.datetime | None = None) -> int:
    """What the inbox has that the person has not read: their own rows not read (the index on
    ``(user, read_at)``) and the broadcasts of :func:`inbox` without their receipt."""
    if not user.is_authenticated:
        return 0
    # one query (the badge is on every page): an OR of the index on (user, read_at) and the
    # broadcasts' partial index
    return Notification.objects.filter(
        Q(user_id=user.pk, read_at__isnull=True) | (broadcasts_for(user, now=now) & ~Exists(_receipt(user)))
    ).count()


def notification_unread_count(*, user) -> int:
    return inbox_unread_count(user=user)


def inbox_unread_broadcast_ids(*, user, ids=None) -> list[int]:
    """The broadcasts in the person's inbox they have not read (``ids``: only among these)."""
    qs = Notification.objects.filter(broadcasts_for(user)).exclude(Exists(_receipt(user)))
    if ids is not None:
        # an id no row can have (beyond a 64-bit integer: bad input) matches nothing
        qs = qs.filter(pk__in=[i for i in ids if 0 < int(i) < 2**63])
    return list(qs.values_list("pk", flat=True))
