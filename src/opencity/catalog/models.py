"""The super app's service catalogue and the city's news.

- :class:`Service`: one tile of the home of services. An *internal* service is one of our own
  modules, named by its URL name (``reports:new``) and reversed when shown; an *external* one
  is another system's https address, optionally signed into with the city's identity
  (``client_id``, the identity provider's client, kept as plain text: this app does not know
  the provider's tables). Opened through our redirect (``/services/<code>/open/``), which counts
  the opening (:class:`ServiceOpen`, one row per service and day, no person in it) and keeps a
  signed-in person's recent list (:class:`RecentService`).
- :class:`NewsItem`: news and notices (tin tức, thông báo), plain text with paragraphs
  (escaped when shown, never raw HTML); an important item is pushed to citizens once when
  published (``services.news_publish``: ``pushed_at``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as FieldError
from django.core.validators import URLValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opencity.lib.text import fold

DEFAULT_ICON = "layout-grid"


def validate_icon_name(value: str) -> None:
    from opencity.lib.templatetags.icons import icon_exists

    if not icon_exists(value):
        raise FieldError(_("There is no icon named %(name)s."), params={"name": value}, code="unknown_icon")


def _in_language(vi: str, en: str) -> str:
    return en if en and (get_language() or "vi").startswith("en") else vi


class ServiceGroup(models.Model):
    name = models.CharField(_("name (Vietnamese)"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    icon = models.CharField(_("icon"), max_length=60, default=DEFAULT_ICON, validators=[validate_icon_name],
                            help_text=_("The name of a Lucide icon (lucide.dev/icons), e.g. landmark. Never an emoji."))
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("service group")
        verbose_name_plural = _("service groups")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return _in_language(self.name, self.name_en)


class ServiceKind(models.TextChoices):
    INTERNAL = "internal", _("Internal module")
    EXTERNAL = "external", _("External service")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    CITIZENS = "citizens", _("Citizens")
    BUSINESSES = "businesses", _("Businesses")
    VISITORS = "visitors", _("Visitors")


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Service(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True,
                            help_text=_("Short and stable: it is in the service's links (/services/<code>/)."))
    name = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    short_description = models.CharField(_("short description (Vietnamese)"), max_length=300, blank=True)
    short_description_en = models.CharField(_("short description (English)"), max_length=300, blank=True)
    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, related_name="services",
                              verbose_name=_("group"))
    kind = models.CharField(_("kind"), max_length=10, choices=ServiceKind.choices, default=ServiceKind.INTERNAL)
    url_name = models.CharField(
        _("URL name"), max_length=100, blank=True,
        help_text=_("Internal module: the page's URL name, without arguments (reports:new, alerts:list)."))
    url = models.URLField(_("address"), max_length=500, blank=True,
                          help_text=_("External service: its https address (the deep link opened)."))
    client_id = models.CharField(
        _("sign-in client"), max_length=100, blank=True,
        help_text=_("External service: the client id it signs in with at the city's identity provider "
                    "(single sign-on). Empty: the service has its own sign-in."))
    icon = models.CharField(_("icon"), max_length=60, default=DEFAULT_ICON, validators=[validate_icon_name],
                            help_text=_("The name of a Lucide icon (lucide.dev/icons), e.g. zap. Never an emoji."))
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True,
                                help_text=_("Other words people search for, with or without diacritics."))
    # fold(name, description, keywords): what the search box matches (selectors.service_search)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["group__order", "order", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join([self.name, self.name_en, self.short_description,
                                          self.short_description_en, self.keywords]))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:service", args=[self.code])

    def clean(self) -> None:
        errors: dict[str, FieldError] = {}
        if self.kind == ServiceKind.INTERNAL:
            if not self.url_name:
                errors["url_name"] = FieldError(_("An internal module needs its URL name."), code="required")
            else:
                try:
                    reverse(self.url_name)
                except NoReverseMatch:
                    errors["url_name"] = FieldError(
                        _("There is no page named %(name)s (without arguments)."), params={"name": self.url_name},
                        code="unknown_url_name")
            if self.url:
                errors["url"] = FieldError(_("An internal module has no address: it is named by its URL name."),
                                           code="invalid")
            if self.client_id:
                errors["client_id"] = FieldError(_("Only an external service signs in with a client."),
                                                 code="invalid")
        else:
            if not self.url:
                errors["url"] = FieldError(_("An external service needs its address."), code="required")
            else:
                try:
                    URLValidator(schemes=["https"])(self.url)
                except FieldError:
                    errors["url"] = FieldError(_("The address must be a full https:// address."), code="not_https")
            if self.url_name:
                errors["url_name"] = FieldError(_("An external service has no URL name."), code="invalid")
        if errors:
            raise FieldError(errors)

    @property
    def display_name(self) -> str:
        return _in_language(self.name, self.name_en)

    @property
    def description(self) -> str:
        return _in_language(self.short_description, self.short_description_en)

    @property
    def is_external(self) -> bool:
        return self.kind == ServiceKind.EXTERNAL

    @property
    def target(self) -> str:
        """Where opening the service leads: our page, or the external address."""
        if self.is_external:
            return self.url
        try:
            return reverse(self.url_name)
        except NoReverseMatch:  # a page renamed since the service was saved
            return ""


class Favourite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_services")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="favourites")
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "service"], name="catalog_favourite_once")]
        verbose_name = _("favourite service")
        verbose_name_plural = _("favourite services")


class ServiceOpen(models.Model):
    """How many times a service was opened through the catalogue on one day (the city's local
    date). A count, nothing about who: usage for the administrator."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="opens")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("openings"), default=0)

    class Meta:
        ordering = ["-day", "service"]
        constraints = [models.UniqueConstraint(fields=["service", "day"], name="catalog_open_once_a_day")]
        verbose_name = _("service openings on a day")
        verbose_name_plural = _("service openings by day")

    def __str__(self) -> str:
        return f"{self.service.code} {self.day:%d/%m/%Y}: {self.count}"


class RecentService(models.Model):
    """A signed-in person's recently opened services (the last few, for their home of services).
    Deleted with the person; nobody else sees it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_services")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "service"], name="catalog_recent_once")]


class NewsCategory(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return _in_language(self.name, self.name_en)


class NewsStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class NewsQuerySet(models.QuerySet):
    def public(self):
        """What visitors may read: published, and not dated in the future."""
        return self.filter(status=NewsStatus.PUBLISHED, published_at__lte=timezone.now())


class NewsItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, blank=True, allow_unicode=False,
                            help_text=_("Made from the title when left empty."))
    summary = models.CharField(_("summary"), max_length=400, blank=True)
    body = models.TextField(_("text"), help_text=_(
        "Plain text: an empty line starts a new paragraph, a line starting with \"- \" is a list item. "
        "HTML is shown as typed, never run."))
    image = models.ImageField(_("image"), upload_to="news/%Y/%m/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    category = models.ForeignKey(NewsCategory, on_delete=models.PROTECT, related_name="items",
                                 verbose_name=_("category"))
    important = models.BooleanField(_("important"), default=False, help_text=_(
        "Pushed to every citizen's notifications once, when published."))
    status = models.CharField(_("status"), max_length=10, choices=NewsStatus.choices, default=NewsStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("author"))
    pushed_at = models.DateTimeField(_("pushed at"), null=True, blank=True, editable=False)
    # the announcement's progress (services.news_push): citizens told up to this user id; done when set
    fanout_cursor = models.BigIntegerField(default=0, editable=False)
    fanout_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NewsQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="catalog_news_public")]
        verbose_name = _("news item")
        verbose_name_plural = _("news")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(fold(self.title))[:80].strip("-") or "tin"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:news_detail", args=[self.pk, self.slug or "tin"])

    @property
    def ref(self) -> str:
        return f"TT{self.pk:06d}"

    @property
    def is_public(self) -> bool:
        return (self.status == NewsStatus.PUBLISHED and self.published_at is not None
                and self.published_at <= timezone.now())
