"""Every way items come in: a fetch of a feed or a sitemap (:func:`source_fetch`, the worker's),
an import of a social listening tool's export (:func:`export_import`), and the one writer they
share (:func:`entries_store`).

What must hold:

- an item is stored once: the same normalised address is a duplicate (nothing written), a
  near-identical text (SimHash within ``NEAR_COPY_BITS``) is stored as a copy of the first one
  (``duplicate_of``, left out of the lists) and counts on it (``copies``, ``reach``);
- each entry is written in its own savepoint: one bad entry is refused alone, the others stand;
- a source that fails is marked (``failures``, ``last_error``) and its next fetch waits
  ``every_minutes × 2^failures`` (at most ``OPENCITY_PRESS_MAX_BACKOFF_HOURS``): never a hot loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError
from opencity.geo.models import Area
from opencity.lib.audit import audit
from opencity.lib.params import require_id
from opencity.lib.text import fold

from .. import fetch, parse
from .. import text as ptext
from ..feed import publish_item
from ..models import FETCHED_KINDS, PressItem, PressSource, SourceKind, Topic
from ..workflow import ITEM

CREATED, DUPLICATE, COPY, REJECTED = "created", "duplicate", "copy", "rejected"
MIN_WORDS_FOR_COPY = 8  # shorter texts ("Đẹp quá!") are too alike to call copies
COPY_WINDOW = dt.timedelta(days=14)


@dataclass
class StoreResult:
    counts: dict[str, int] = field(default_factory=lambda: {CREATED: 0, DUPLICATE: 0, COPY: 0, REJECTED: 0})
    items: list[PressItem] = field(default_factory=list)
    errors: list[parse.RowError] = field(default_factory=list)

    @property
    def created(self) -> int:
        return self.counts[CREATED]


@dataclass
class Matcher:
    """The active topics and the wards' place names, read once per batch."""

    topics: list[tuple[Topic, list[str]]]
    places: list[tuple[Area, str, bool]]  # area, folded key, whether the bare name is enough

    @classmethod
    def load(cls) -> Matcher:
        from opencity.geo.selectors import wards

        topics = [(t, t.keyword_list()) for t in Topic.objects.filter(is_active=True).select_related("category")]
        places = []
        for area in wards().only("id", "name", "lat", "lon"):
            key = ptext.place_key(area.name)
            places.append((area, key, len(key.split()) >= 2))
        return cls(topics, places)

    def topics_of(self, folded: str) -> list[Topic]:
        return [t for t, phrases in self.topics if ptext.matching(folded, phrases)]

    def area_of(self, folded: str) -> Area | None:
        """The ward a text names: "phường Thuận Hóa" first, then a bare name of two words or more
        ("Thuận Hóa"); a one-word name alone is too often something else."""
        for area, key, _bare in self.places:
            for prefix in ptext.WARD_PREFIXES:
                if ptext.contains_phrase(folded, prefix + key):
                    return area
        for area, key, bare in self.places:
            if bare and ptext.contains_phrase(folded, key):
                return area
        return None


def _near_copy(value: int, published: dt.datetime) -> PressItem | None:
    b = ptext.bands(value)
    candidates = (PressItem.objects.filter(Q(band0=b[0]) | Q(band1=b[1]) | Q(band2=b[2]) | Q(band3=b[3]))
                  .filter(duplicate_of__isnull=True, published_at__gte=published - COPY_WINDOW,
                          published_at__lte=published + COPY_WINDOW)
                  .only("id", "simhash").order_by("id")[:500])
    for item in candidates:
        if ptext.distance(item.simhash, value) <= ptext.NEAR_COPY_BITS:
            return item
    return None


def _store_one(source: PressSource, entry: parse.Entry, matcher: Matcher, now: dt.datetime) -> tuple[str, PressItem | None]:
    key = ptext.normalise_url(entry.url)
    if PressItem.objects.filter(url_key=key).exists():
        return DUPLICATE, None
    body = "\n".join(x for x in (entry.title, entry.summary, entry.text) if x)
    folded = fold(body)
    sim = ptext.simhash(body)
    published = entry.published_at or now
    if published > now + dt.timedelta(hours=1):
        published = now
    reach = entry.reach if entry.reach is not None else source.default_reach
    original = _near_copy(sim, published) if len(folded.split()) >= MIN_WORDS_FOR_COPY else None
    topics = matcher.topics_of(folded)
    negative = ptext.negative_count(folded)
    b = ptext.bands(sim)
    item = PressItem(
        source=source, url=entry.url[:1000], url_key=key, title=entry.title[:300], summary=entry.summary[:20000],
        text=entry.text[:100000], author=entry.author[:120], published_at=published, reach=reach, simhash=sim,
        band0=b[0], band1=b[1], band2=b[2], band3=b[3], area=matcher.area_of(folded),
        category=next((t.category for t in topics if t.category_id), None), negative=negative,
        score=ptext.score(reach=reach, negative=negative, topic_weights=[t.weight for t in topics]),
        duplicate_of=original, created_at=now,
    )
    with transaction.atomic():
        ITEM.apply(item, "collect", actor=None, is_public=False,
                   data={"source": source.code, **({"copy_of": original.ref} if original else {})})
        if topics:
            item.topics.set(topics)
        if original is not None:
            PressItem.objects.filter(pk=original.pk).update(copies=F("copies") + 1, reach=F("reach") + reach)
            return COPY, item
        if item.score >= settings.OPENCITY_PRESS_FEED_SCORE:
            publish_item(item, topics)
    return CREATED, item


def entries_store(*, source: PressSource, entries, now: dt.datetime | None = None,
                  numbered: bool = False) -> StoreResult:
    """Store ``entries`` (or ``(row, entry)`` pairs when ``numbered``) from ``source``."""
    now = now or timezone.now()
    matcher = Matcher.load()
    result = StoreResult()
    for position, entry in (entries if numbered else enumerate(entries, start=1)):
        try:
            with transaction.atomic():
                outcome, item = _store_one(source, entry, matcher, now)
        except IntegrityError:  # the same address stored at once by another worker
            outcome, item = DUPLICATE, None
        except ValidationError as exc:
            outcome, item = REJECTED, None
            result.errors.append(parse.RowError(position, str(exc.message)))
        except Exception as exc:  # noqa: BLE001 - a model's own validation (a URL too odd)
            from django.core.exceptions import ValidationError as DjangoValidationError

            if not isinstance(exc, DjangoValidationError):
                raise
            outcome, item = REJECTED, None
            result.errors.append(parse.RowError(position, "; ".join(exc.messages)))
        result.counts[outcome] += 1
        if item is not None and outcome == CREATED:
            result.items.append(item)
    return result


# --- fetching ----------------------------------------------------------------------------------------


def _backoff(source: PressSource, failures: int) -> dt.timedelta:
    minutes = source.every_minutes * (2 ** min(failures, 16))
    return min(dt.timedelta(minutes=minutes), dt.timedelta(hours=settings.OPENCITY_PRESS_MAX_BACKOFF_HOURS))


def _mark_failure(source: PressSource, message: str, now: dt.datetime) -> None:
    failures = source.failures + 1
    PressSource.objects.filter(pk=source.pk).update(
        failures=failures, last_error=message[:500], last_error_at=now, last_fetched_at=now,
        next_fetch_at=now + _backoff(source, failures))
    source.refresh_from_db()


def _with_pages(entries: list[parse.Entry]) -> list[parse.Entry]:
    """Read the article's page for entries with only a short summary (at most
    ``OPENCITY_PRESS_PAGES_PER_FETCH``); a page that fails leaves the summary."""
    budget = settings.OPENCITY_PRESS_PAGES_PER_FETCH
    out = []
    for entry in entries:
        if budget > 0 and not entry.text and len(entry.summary) < 600 \
                and not PressItem.objects.filter(url_key=ptext.normalise_url(entry.url)).exists():
            budget -= 1
            try:
                page = parse.extract_page(fetch.get(entry.url).content, entry.url)
            except fetch.FetchError:
                page = None
            if page is not None:
                entry.text = page.text
                entry.title = entry.title or page.title
                entry.author = entry.author or page.author
                entry.published_at = entry.published_at or page.published_at
        out.append(entry)
    return out


def source_fetch(*, source_id: int, now: dt.datetime | None = None) -> StoreResult | None:
    """Fetch one feed or sitemap (the worker's job): conditional GET, parse, store. A failure
    (network, refused address, too large, too many redirects, a document that cannot be read)
    marks the source and pushes its next fetch back; nothing of that fetch is stored. Returns
    what was stored, or None when the fetch failed or had nothing new."""
    now = now or timezone.now()
    source = PressSource.objects.filter(pk=source_id, is_active=True, kind__in=FETCHED_KINDS).first()
    if source is None or not source.url:
        return None
    try:
        answer = fetch.get(source.url, etag=source.etag, last_modified=source.last_modified)
        if answer.not_modified:
            entries: list[parse.Entry] = []
        elif source.kind == SourceKind.SITEMAP:
            entries = parse.parse_sitemap(answer.content)
        else:
            entries = parse.parse_feed(answer.content)
        if source.fetch_pages or source.kind == SourceKind.SITEMAP:
            entries = _with_pages(entries)
    except (fetch.FetchError, parse.ParseError) as exc:
        _mark_failure(source, exc.message, now)
        return None
    result = entries_store(source=source, entries=entries, now=now)
    values = dict(failures=0, last_error="", last_fetched_at=now,
                  next_fetch_at=now + dt.timedelta(minutes=source.every_minutes))
    if not answer.not_modified:
        values.update(etag=answer.header("ETag")[:300], last_modified=answer.header("Last-Modified")[:100])
    PressSource.objects.filter(pk=source.pk).update(**values)
    return result


def sources_due(now: dt.datetime | None = None) -> list[int]:
    """The feeds and sitemaps whose time has come (never fetched, or ``next_fetch_at`` passed)."""
    now = now or timezone.now()
    return list(PressSource.objects.filter(is_active=True, kind__in=FETCHED_KINDS)
                .filter(Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now))
                .exclude(url="").order_by("next_fetch_at", "id").values_list("pk", flat=True)[:200])


# --- imports -------------------------------------------------------------------------------------------


def export_import(*, actor, source_id, content: bytes, fmt: str) -> StoreResult:
    """Import a social listening tool's export into an import source: every good row stored
    (once), every bad row reported with its number and reason; a file that cannot be read at all
    is a ValidationError and nothing is stored."""
    if not policy.can_act_on_press(actor):
        raise PermissionDeniedError()
    source = PressSource.objects.filter(pk=require_id(source_id, field="source"), kind=SourceKind.IMPORT).first()
    if source is None:
        raise NotFoundError(_("This import source does not exist."))
    if len(content) > settings.OPENCITY_PRESS_IMPORT_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(n)d bytes.") % {"n": settings.OPENCITY_PRESS_IMPORT_MAX_BYTES},
                              field="file")
    if fmt not in ("json", "csv"):
        raise ValidationError(_("Choose a JSON or CSV file."), field="file")
    try:
        entries, errors = parse.parse_export(content, fmt=fmt)
    except parse.ParseError as exc:
        raise ValidationError(exc.message, field="file") from None
    result = entries_store(source=source, entries=entries, numbered=True)
    result.errors = sorted(errors + result.errors, key=lambda e: e.row)
    result.counts[REJECTED] += len(errors)
    audit(actor, "press.import", source, summary=f"{source.code}: {result.counts}")
    return result
