"""Press and social monitoring (giám sát báo chí, mạng xã hội): what the news and social pages say
about the city, sorted for the operations centre and routed to the unit in charge.

Shaped like the monitoring app (sources, items, rules, events), with the field report as the way
to a unit:

- a :class:`PressSource` is an RSS/Atom feed, a sitemap, or the export of a social listening
  tool (JSON or CSV, imported by hand). Feeds and sitemaps are fetched by the worker on the
  source's own schedule, with conditional GET; a failing source is marked and backs off;
- a :class:`Topic` is an administrator's keyword set (Vietnamese, matched with and without
  diacritics) with the report category it belongs to;
- a :class:`PressItem` is one article or post, once: the same URL (normalised) or near-identical
  text (a 64-bit SimHash, ``press.text``) counts as a copy of the first. Matched topics, the
  ward its place names point to and a score (reach, negative wording) are worked out at ingest;
- the operators dismiss an item, mark it answered, or turn it into a field report; each is a
  step of the item's lifecycle (``press.workflow``, :class:`PressItemStep`). The unit's published
  result may then be published back as the city's response, on the public responses page.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.lib.models import LifecycleEvent


class SourceKind(models.TextChoices):
    FEED = "feed", _("RSS/Atom feed")
    SITEMAP = "sitemap", _("Sitemap")
    IMPORT = "import", _("Social listening export (JSON/CSV)")


FETCHED_KINDS = (SourceKind.FEED, SourceKind.SITEMAP)


class PressSource(models.Model):
    """Where items come from. ``etag``/``last_modified`` are the server's validators of the last
    answer (sent back as If-None-Match/If-Modified-Since); ``failures`` counts the failed fetches
    in a row, and ``next_fetch_at`` moves away exponentially with them (``press.services.fetching``)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=8, choices=SourceKind.choices)
    url = models.URLField(_("address"), max_length=500, blank=True,
                          help_text=_("The feed's or the sitemap's address; empty for an import."))
    is_social = models.BooleanField(_("social network"), default=False)
    default_reach = models.PositiveIntegerField(
        _("reach of an item"), default=0, help_text=_("For feeds, which do not say how many people read an item."))
    fetch_pages = models.BooleanField(
        _("fetch the article's page"), default=False,
        help_text=_("When the feed gives only a summary, read the article's text from its page."))
    every_minutes = models.PositiveIntegerField(_("fetch every (minutes)"), default=30,
                                                validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)])
    is_active = models.BooleanField(_("active"), default=True)
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_fetch_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    failures = models.PositiveIntegerField(default=0, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("press source")
        verbose_name_plural = _("press sources")

    def __str__(self) -> str:
        return self.name

    @property
    def is_failing(self) -> bool:
        return self.failures > 0


class Topic(models.Model):
    """A keyword set an administrator writes: one phrase a line ("ngập", "ngập úng", "triều
    cường"…); an item matches when its text contains one of them, compared without diacritics and
    case (``lib.text.fold``) on word boundaries. ``category``: the report category an item of
    this topic becomes, when an operator turns it into a field report."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    keywords = models.TextField(_("keywords"), help_text=_("One word or phrase a line; with or without diacritics."))
    category = models.ForeignKey("reports.Category", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("report category"))
    weight = models.PositiveSmallIntegerField(_("weight in the score"), default=10, validators=[MaxValueValidator(50)])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace(",", "\n").splitlines() if k.strip()]


class ItemStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("press item", "New")
    DISMISSED = "dismissed", pgettext_lazy("press item", "Dismissed")
    ANSWERED = "answered", pgettext_lazy("press item", "Answered")
    REPORTED = "reported", pgettext_lazy("press item", "Turned into a report")


class PressItem(models.Model):
    """One article or post. ``url_key`` is its normalised address (unique); ``simhash`` the
    fingerprint of its folded text, cut in four 16-bit bands (``band0``…``band3``, indexed): two
    fingerprints within 3 bits share a band, so a near copy is found by four indexed lookups."""

    source = models.ForeignKey(PressSource, on_delete=models.PROTECT, related_name="items",
                               verbose_name=_("source"))
    url = models.URLField(_("link"), max_length=1000)
    url_key = models.CharField(max_length=255, unique=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    text = models.TextField(_("text"), blank=True)
    author = models.CharField(_("author"), max_length=120, blank=True,
                              help_text=_("The public handle or byline; nothing else about the person."))
    published_at = models.DateTimeField(_("published"), db_index=True)
    reach = models.PositiveBigIntegerField(_("reach"), default=0)
    copies = models.PositiveIntegerField(_("copies seen"), default=0)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("copy of"))
    simhash = models.BigIntegerField(default=0)
    band0 = models.PositiveIntegerField(default=0)
    band1 = models.PositiveIntegerField(default=0)
    band2 = models.PositiveIntegerField(default=0)
    band3 = models.PositiveIntegerField(default=0)
    topics = models.ManyToManyField(Topic, blank=True, related_name="items", verbose_name=_("topics"))
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("ward"))
    category = models.ForeignKey("reports.Category", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("category"))
    negative = models.PositiveSmallIntegerField(_("negative words"), default=0)
    score = models.PositiveSmallIntegerField(_("score"), default=0, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.NEW,
                              db_index=True)
    version = models.PositiveIntegerField(default=0)
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    answer = models.TextField(_("answer"), blank=True)
    response_text = models.TextField(_("the city's response"), blank=True)
    response_published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-score"], name="press_item_queue"),
            models.Index(fields=["band0"], name="press_item_band0"),
            models.Index(fields=["band1"], name="press_item_band1"),
            models.Index(fields=["band2"], name="press_item_band2"),
            models.Index(fields=["band3"], name="press_item_band3"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(url_key=""), name="press_item_url_key")]
        verbose_name = _("press item")
        verbose_name_plural = _("press items")

    def __str__(self) -> str:
        return f"{self.ref} {self.title[:60]}"

    @property
    def ref(self) -> str:
        return f"BC{self.pk:06d}" if self.pk else "BC—"

    @property
    def headline(self) -> str:
        return self.title or (self.text or self.summary)[:120]

    @property
    def body(self) -> str:
        return self.text or self.summary


class PressItemStep(LifecycleEvent):
    """The immutable log of a press item (``press.workflow``)."""

    item = models.ForeignKey(PressItem, on_delete=models.CASCADE, related_name="steps")

    class Meta(LifecycleEvent.Meta):
        constraints = [models.CheckConstraint(condition=~Q(action=""), name="press_step_action")]

