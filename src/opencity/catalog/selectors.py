"""Reads of the catalogue and the news, with the acting person.

Search (:func:`service_search`) matches the folded text of each service (``lib.text.fold``: no
case, no diacritics, đ = d) against the folded words typed: every word must be in a service; if
no service has them all, a service with any of them is shown, those with more words first.
"dien nuoc" finds "Điện lực Huế" and "Cấp nước Huế"; "dien luc" finds only the first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils import timezone

from opencity.errors import NotFoundError
from opencity.lib.text import fold

from .models import (
    Favourite,
    NewsCategory,
    NewsItem,
    NewsStatus,
    RecentService,
    Service,
    ServiceGroup,
)

MAX_WORDS = 8


@dataclass
class GroupOfServices:
    group: ServiceGroup
    services: list[Service] = field(default_factory=list)


def _words(q: str | None) -> list[str]:
    return fold(q)[:200].split()[:MAX_WORDS]


def service_search(*, user, q: str | None) -> list[Service]:
    """Active services matching ``q`` (all of them, in catalogue order, for an empty ``q``), the
    best first: a name starting with the first word, then more words in the name, then more
    words anywhere, then catalogue order."""
    qs = Service.objects.active().select_related("group")
    words = _words(q)
    if not words:
        return list(qs)
    every = Q()
    for word in words:
        every &= Q(search_text__contains=word)
    found = list(qs.filter(every))
    if not found and len(words) > 1:
        anyword = Q()
        for word in words:
            anyword |= Q(search_text__contains=word)
        found = list(qs.filter(anyword))

    def rank(s: Service) -> tuple[bool, int, int]:
        name = fold(f"{s.name} {s.name_en}")
        return (not name.startswith(words[0]), -sum(word in name for word in words),
                -sum(word in s.search_text for word in words))

    found.sort(key=rank)  # stable: catalogue order among equals
    return found


def service_groups(*, user, q: str | None = None) -> list[GroupOfServices]:
    """The active services by group, in the groups' order (groups without a match left out)."""
    groups: dict[int, GroupOfServices] = {}
    services = service_search(user=user, q=q)
    if _words(q):  # search results: the groups in their own order, services as ranked in each
        services = sorted(services, key=lambda s: (s.group.order, s.group.name))
    for service in services:
        groups.setdefault(service.group_id, GroupOfServices(service.group)).services.append(service)
    return list(groups.values())


def service_get(*, user, code: str) -> Service:
    """An active service by code, or 404."""
    service = Service.objects.active().select_related("group").filter(code=code).first()
    if service is None:
        raise NotFoundError()
    return service


def favourite_list(*, user) -> list[Service]:
    """The person's favourite active services, in their order (none for a visitor)."""
    if not user.is_authenticated:
        return []
    return [f.service for f in Favourite.objects.filter(user=user, service__active=True)
            .select_related("service", "service__group")]


def favourite_codes(*, user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Favourite.objects.filter(user=user).values_list("service__code", flat=True))


def recent_list(*, user, limit: int = 4) -> list[Service]:
    if not user.is_authenticated:
        return []
    return [r.service for r in RecentService.objects.filter(user=user, service__active=True)
            .select_related("service", "service__group")[:limit]]


def popular_list(*, user, days: int = 30, limit: int = 8) -> list[Service]:
    """The services opened most in the last ``days`` days (then in catalogue order)."""
    since = timezone.localdate() - dt.timedelta(days=days)
    return list(Service.objects.active().select_related("group")
                .annotate(n=Sum("opens__count", filter=Q(opens__day__gte=since)))
                .order_by("-n", "group__order", "order", "name")[:limit])


def news_list(*, user, category: str | None = None):
    """Published news, newest first; ``category`` a category's code (unknown: nothing)."""
    qs = NewsItem.objects.public().select_related("category")
    if category:
        qs = qs.filter(category__code=category)
    return qs


def news_get(*, user, pk: int) -> NewsItem:
    """A published news item, or 404: drafts and items dated in the future are nobody's page
    (staff read them in the admin)."""
    item = NewsItem.objects.public().select_related("category").filter(pk=pk).first()
    if item is None:
        raise NotFoundError()
    return item


def news_categories(*, user) -> list[NewsCategory]:
    """Categories with at least one published item."""
    return list(NewsCategory.objects.filter(items__status=NewsStatus.PUBLISHED,
                                            items__published_at__lte=timezone.now()).distinct())
