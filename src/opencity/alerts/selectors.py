"""Reads on warnings: in force, archive, chains, maps and delivery figures.

Visibility, applied here once: Actual warnings are public; Exercise and Test ones are seen only
by people who may issue warnings.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from opencity import policy
from opencity.geo.selectors import wards

from .models import SEVERITY_RANK, Alert, Delivery, Message, MessageStatus, MsgType


def _visible(user) -> QuerySet[Alert]:
    qs = Alert.objects.filter(latest__isnull=False).select_related("latest", "unit")
    if not policy.can_issue_warnings(user):
        qs = qs.filter(status=MessageStatus.ACTUAL)
    return qs


def _in_force_q(now=None) -> Q:
    now = now or timezone.now()
    return ~Q(latest__msg_type=MsgType.CANCEL) & Q(latest__expires__gt=now)


def alert_list_in_force(*, user) -> list[Alert]:
    """Warnings in force, most severe first, then the most recent."""
    alerts = list(_visible(user).filter(_in_force_q()).prefetch_related("latest__areas"))
    alerts.sort(key=lambda a: (-SEVERITY_RANK.get(a.latest.severity, 0), -a.latest.sent.timestamp()))
    return alerts


def alert_list_archive(*, user) -> QuerySet[Alert]:
    """Warnings no longer in force (expired or cancelled), the latest first."""
    return (_visible(user).exclude(_in_force_q()).prefetch_related("latest__areas")
            .order_by("-latest__sent", "-pk"))


def alert_is_in_force(alert: Alert, now=None) -> bool:
    now = now or timezone.now()
    latest = alert.latest
    return latest is not None and latest.msg_type != MsgType.CANCEL and latest.expires > now


def alert_state(alert: Alert) -> str:
    """``in_force``, ``cancelled`` or ``expired``."""
    if alert.latest.msg_type == MsgType.CANCEL:
        return "cancelled"
    return "in_force" if alert_is_in_force(alert) else "expired"


def alert_chain(alert: Alert) -> list[Message]:
    return list(alert.messages.order_by("seq").prefetch_related("areas"))


def _features(areas_by_id: dict[int, dict]) -> dict:
    features = []
    for area in wards().defer(None).filter(pk__in=areas_by_id).exclude(boundary=None):
        props = areas_by_id[area.pk]
        features.append({
            "type": "Feature",
            "geometry": area.boundary,
            "properties": {"id": area.pk, "code": area.code, "name": area.name, **props},
        })
    return {"type": "FeatureCollection", "features": features}


def _add(target: dict[int, dict], area_id: int, alert: Alert) -> None:
    latest = alert.latest
    entry = target.setdefault(area_id, {"severity": "Unknown", "warnings": []})
    if SEVERITY_RANK.get(latest.severity, 0) >= SEVERITY_RANK.get(entry["severity"], 0):
        entry["severity"] = latest.severity
    entry["warnings"].append({"id": alert.pk, "headline": latest.headline_vi, "event": latest.event,
                              "severity": latest.severity, "url": reverse("alerts:detail", args=[alert.pk])})


def areas_geojson_in_force(*, user) -> dict:
    """Wards under a warning in force, each with its most severe level and its warnings."""
    by_area: dict[int, dict] = {}
    all_ids = None
    for alert in alert_list_in_force(user=user):
        if alert.latest.whole_city:
            if all_ids is None:
                all_ids = list(wards().values_list("pk", flat=True))
            ids = all_ids
        else:
            ids = [a.pk for a in alert.latest.areas.all()]
        for area_id in ids:
            _add(by_area, area_id, alert)
    return _features(by_area)


def alert_areas_geojson(alert: Alert) -> dict:
    """The target of the warning's latest message."""
    latest = alert.latest
    ids = list(wards().values_list("pk", flat=True)) if latest.whole_city else [a.pk for a in latest.areas.all()]
    by_area: dict[int, dict] = {}
    for area_id in ids:
        _add(by_area, area_id, alert)
    return _features(by_area)


def alert_stats(alert: Alert) -> dict:
    """Reached, opened and viewed, for the chain and for each of its messages.

    Reached: the people in the message's target when it went out (``delivered_count``).
    Opened: the person read the warning in their inbox or opened its page (a receipt on the
    message's broadcast; for messages from before broadcasts, their own delivery or inbox row).
    Pushed: devices the push was queued for. Viewed: every view of the public page, visitors
    included.
    """
    from opencity.notifications.models import NotificationReceipt

    legacy_opened_q = Q(deliveries__opened_at__isnull=False) | Q(deliveries__notification__read_at__isnull=False)
    messages = list(
        alert.messages.order_by("seq").annotate(
            # distinct: two joins (an old message has deliveries, a new one receipts)
            legacy_opened=Count("deliveries", filter=legacy_opened_q, distinct=True),
            legacy_pushed=Count("deliveries", filter=Q(deliveries__pushed_at__isnull=False), distinct=True),
            receipts=Count("notice__receipts", distinct=True),
        )
    )
    for m in messages:
        m.opened = m.legacy_opened + m.receipts
        m.pushed = m.legacy_pushed + m.pushed_count
    deliveries = Delivery.objects.filter(alert=alert)
    opened_q = Q(opened_at__isnull=False) | Q(notification__read_at__isnull=False)
    reached = deliveries.values("user_id").distinct().count() + max(
        [m.delivered_count for m in messages if m.notice_id] or [0])
    opened = (deliveries.filter(opened_q).values("user_id").distinct().count()
              + NotificationReceipt.objects.filter(notification__in=[m.notice_id for m in messages if m.notice_id])
              .values("user_id").distinct().count())
    return {
        "reached": reached,
        "opened": opened,
        "views": alert.view_count,
        "open_rate": min(100, round(100 * opened / reached)) if reached else 0,
        "messages": messages,
    }


def feed_messages(*, limit: int = 50) -> list[Message]:
    """The latest public CAP messages, for the Atom index."""
    return list(Message.objects.filter(status=MessageStatus.ACTUAL).select_related("alert")
                .order_by("-sent", "-pk")[:limit])


def ward_groups() -> list[tuple[str, list]]:
    """The city's wards and communes for the composer's checkboxes, grouped by kind."""
    from opencity.geo.models import AreaKind

    groups: dict[str, list] = {}
    for area in wards().only("pk", "name", "kind", "code"):
        groups.setdefault(area.kind, []).append(area)
    order = [AreaKind.WARD, AreaKind.COMMUNE, AreaKind.SPECIAL]
    return [(str(AreaKind(kind).label), groups[kind]) for kind in order if kind in groups]


def alerts_for_home(*, user) -> dict:
    """The warnings in force for the first screen, split by where the person is.

    ``mine``: whole-city warnings and those naming the person's home ward or the ward of the
    location they shared recently (``OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS``, as delivery counts
    it); ``others``: the rest in force in the city. A visitor (or someone who told us no place)
    has no ``mine``: every warning in force is shown, since a flood city's first screen must
    carry them whoever looks.
    """
    import datetime as dt

    from django.conf import settings

    alerts = alert_list_in_force(user=user)
    places: set[int] = set()
    if user is not None and user.is_authenticated:
        if user.home_area_id:
            places.add(user.home_area_id)
        hours = max(1, settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS)
        if user.last_location_area_id and user.last_location_at and \
                user.last_location_at >= timezone.now() - dt.timedelta(hours=hours):
            places.add(user.last_location_area_id)
    mine, others = [], []
    for alert in alerts:
        here = alert.latest.whole_city or any(a.pk in places for a in alert.latest.areas.all())
        (mine if here and places else others).append(alert)
    return {"mine": mine, "others": others, "count": len(alerts), "located": bool(places)}


def alert_count_in_force() -> int:
    """How many public warnings are in force, for the navigation's badge on every page: shared
    for ``OPENCITY_KPI_CACHE_SECONDS`` at most 15 s (the warnings pages themselves are live)."""
    from django.conf import settings

    from opencity.lib.cache import cached

    def compute() -> int:
        return Alert.objects.filter(status=MessageStatus.ACTUAL, latest__isnull=False).filter(_in_force_q()).count()

    fresh = min(15, settings.OPENCITY_KPI_CACHE_SECONDS)
    return compute() if fresh <= 0 else cached("alerts:in-force-count", compute, fresh=fresh)
