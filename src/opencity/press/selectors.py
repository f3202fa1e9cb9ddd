"""Reads of press data, for the pages, the console and the digital reports: the operators' list,
an item's log, the public responses, and the figures (items per day by topic and ward, the share
turned into reports, the time to a published response)."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.geo.collation import sorted_vi
from opencity.lib.worktime import TZ

from .models import ItemStatus, PressItem, PressItemStep, PressSource, Topic


def item_list(*, user, status: str = "", topic: str = "", area: str = "", q: str = "", min_score: str = ""):
    """The items ``user`` may read, copies left out, highest score first among the new ones."""
    if not policy.can_view_press(user):
        return PressItem.objects.none()
    qs = (PressItem.objects.filter(duplicate_of__isnull=True)
          .select_related("source", "area", "category").prefetch_related("topics"))
    if status in ItemStatus.values:
        qs = qs.filter(status=status)
    if topic.isdigit():
        qs = qs.filter(topics=int(topic))
    if area.isdigit():
        qs = qs.filter(area_id=int(area))
    if min_score.isdigit():
        qs = qs.filter(score__gte=int(min_score))
    if q.strip():
        words = q.strip()[:100]
        qs = qs.filter(Q(title__icontains=words) | Q(text__icontains=words) | Q(summary__icontains=words)
                       | Q(author__icontains=words.lstrip("@")))
    return qs.order_by("-published_at", "-id") if status and status != ItemStatus.NEW \
        else qs.order_by("-score", "-published_at", "-id")


def queue_counts(*, user) -> dict | None:
    """The console's press panel: the items waiting for an operator, and those of them scoring
    ``OPENCITY_PRESS_FEED_SCORE`` or more — the same filters as the queue they link to, so each
    number equals its list. None for people who may not read the press items."""
    if not policy.can_view_press(user):
        return None
    high = settings.OPENCITY_PRESS_FEED_SCORE
    waiting = item_list(user=user, status=ItemStatus.NEW).order_by()
    counts = waiting.aggregate(new=Count("id"), high=Count("id", filter=Q(score__gte=high)))
    return {"new": counts["new"], "high": counts["high"], "min_score": high}


def item_steps(item: PressItem):
    return PressItemStep.objects.filter(item=item).select_related("actor").order_by("created_at", "id")


def item_copies(item: PressItem):
    return PressItem.objects.filter(duplicate_of=item).select_related("source").order_by("published_at")[:20]


def topics():
    return Topic.objects.filter(is_active=True).order_by("name")


def wards():
    from opencity.geo.selectors import wards as geo_wards

    return geo_wards()


def report_categories():
    from opencity.reports.models import Category

    return list(Category.objects.filter(is_active=True).order_by("order", "name_vi"))


def question_form(category):
    """The report form's extra questions of ``category`` (the report form's own fields), for the
    item page; another category's are fetched by htmx from ``reports:questions``."""
    from opencity.reports.forms import ReportForm

    return ReportForm(category=category)


def posted_answers(data, category_id) -> dict:
    """The answers to the category's questions as the form posted them (``q_<code>``); the
    service validates them."""
    from opencity.reports.models import CategoryQuestion, QuestionKind

    if not str(category_id).isdigit():
        return {}
    answers: dict = {}
    for code, kind in CategoryQuestion.objects.filter(category_id=int(category_id)).values_list("code", "kind"):
        name = f"q_{code}"
        answers[code] = data.getlist(name) if kind == QuestionKind.MULTIPLE else data.get(name, "")
    return answers


def import_sources():
    return PressSource.objects.filter(kind="import", is_active=True).order_by("name")


def failing_sources():
    return PressSource.objects.filter(is_active=True, failures__gt=0).order_by("-failures")


def public_responses(q: str = ""):
    """The city's published responses, newest first: anyone reads them."""
    qs = (PressItem.objects.filter(response_published_at__isnull=False)
          .select_related("source", "area", "report").order_by("-response_published_at", "-id"))
    if q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()[:100]) | Q(response_text__icontains=q.strip()[:100]))
    return qs


# --- figures --------------------------------------------------------------------------------------


@dataclass
class Figures:
    items: int
    reported: int
    answered: int
    dismissed: int
    responded: int
    report_share: float | None
    median_response_hours: float | None
    by_topic: list[tuple[str, int, int]]  # name, items, reported
    by_area: list[tuple[str, int, int]]
    by_day: list[tuple[dt.date, int]]
    by_day_topic: dict[str, list[int]]  # topic name → items per day, in the order of by_day
    by_day_area: dict[str, list[int]]  # ward name → items per day, in the order of by_day


def _local_day(when: dt.datetime) -> dt.date:
    return timezone.localtime(when, TZ).date()


def figures(*, start: dt.date, end: dt.date) -> Figures:
    """The items published in [start, end) (Huế days), copies left out."""
    since = dt.datetime.combine(start, dt.time(), TZ)
    until = dt.datetime.combine(end, dt.time(), TZ)
    qs = PressItem.objects.filter(duplicate_of__isnull=True, published_at__gte=since, published_at__lt=until)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    total = sum(counts.values())
    reported = counts.get(ItemStatus.REPORTED, 0)
    hours = [(r - p).total_seconds() / 3600 for p, r in
             qs.filter(response_published_at__isnull=False).values_list("published_at", "response_published_at")]
    by_topic = [(name, n, rep) for name, n, rep in
                qs.filter(topics__isnull=False).values_list("topics__name")
                .annotate(n=Count("id"), rep=Count("id", filter=Q(status=ItemStatus.REPORTED))).order_by("-n", "topics__name")]
    by_area = [(name, n, rep) for name, n, rep in
               qs.filter(area__isnull=False).values_list("area__name")
               .annotate(n=Count("id"), rep=Count("id", filter=Q(status=ItemStatus.REPORTED))).order_by("-n", "area__name")]
    days: list[dt.date] = []
    day = start
    while day < end:
        days.append(day)
        day += dt.timedelta(days=1)
    per_day = dict.fromkeys(days, 0)
    per_topic_day: dict[str, dict[dt.date, int]] = {}
    for published, topic_name in qs.filter(topics__isnull=False).values_list("published_at", "topics__name"):
        per = per_topic_day.setdefault(topic_name, dict.fromkeys(days, 0))
        d = _local_day(published)
        per[d] = per.get(d, 0) + 1
    per_area_day: dict[str, dict[dt.date, int]] = {}
    for published, area_name in qs.filter(area__isnull=False).values_list("published_at", "area__name"):
        per = per_area_day.setdefault(area_name, dict.fromkeys(days, 0))
        d = _local_day(published)
        per[d] = per.get(d, 0) + 1
    for published in qs.values_list("published_at", flat=True):
        d = _local_day(published)
        if d in per_day:
            per_day[d] += 1
    return Figures(
        items=total, reported=reported, answered=counts.get(ItemStatus.ANSWERED, 0),
        dismissed=counts.get(ItemStatus.DISMISSED, 0), responded=len(hours),
        report_share=(reported / total) if total else None,
        median_response_hours=round(statistics.median(hours), 1) if hours else None,
        by_topic=by_topic, by_area=by_area, by_day=list(per_day.items()),
        by_day_topic={name: [per.get(d, 0) for d in days] for name, per in sorted_vi(per_topic_day.items(),
                                                                                     key=lambda kv: kv[0])},
        by_day_area={name: [per.get(d, 0) for d in days] for name, per in sorted_vi(per_area_day.items(),
                                                                                    key=lambda kv: kv[0])},
    )


def digital_section(*, start: dt.date, end: dt.date) -> dict | None:
    """The press section of a digital report (``ioc/digital/content.py``): one table by topic,
    with the month's totals as its last row; None for a period without press items (a city that
    does not use press monitoring gets no empty sheet). Columns are ``(key, label, kind)`` with
    the kinds the renderers know (text, int, pct, hours)."""
    f = figures(start=start, end=end)
    if not f.items:
        return None
    columns = [("name", _("Topic"), "text"), ("items", _("Press items"), "int"),
               ("reported", _("Turned into reports"), "int"), ("share", _("Share turned into reports"), "pct")]
    rows = [[name, n, rep, (rep / n) if n else None] for name, n, rep in f.by_topic]
    rows.append([_("All press items"), f.items, f.reported, f.report_share])
    return {"key": "press", "title": _("Press and social monitoring"), "columns": columns, "rows": rows,
            "note": _("Items published in the month (copies of an item counted once); %(n)d responses published, "
                      "median time to a response %(h)s hours.") % {
                "n": f.responded, "h": "—" if f.median_response_hours is None else f.median_response_hours}}

