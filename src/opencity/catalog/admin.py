"""The catalogue and the news in the admin.

Services: usage counts beside each (opened in the last 30 days, in all), sortable; the daily
counts are their own read-only list. News: saved through ``services.news_save`` so that an
important item published here is pushed once (the author is whoever writes it first)."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from opencity.lib.admin import AuditedModelAdmin

from . import services
from .models import NewsCategory, NewsItem, NewsStatus, Service, ServiceGroup, ServiceOpen

USAGE_DAYS = 30


@admin.register(ServiceGroup)
class ServiceGroupAdmin(AuditedModelAdmin):
    list_display = ["name", "name_en", "icon", "order"]
    list_editable = ["order"]


@admin.register(Service)
class ServiceAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "group", "kind", "active", "order", "opens_recent", "opens_total"]
    list_filter = ["group", "kind", "active", "audience"]
    list_editable = ["active", "order"]
    list_select_related = ["group"]
    search_fields = ["code", "name", "name_en", "keywords", "search_text"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "short_description", "short_description_en", "group",
                           "icon", "order", "active", "audience", "keywords"]}),
        (_("Where it opens"), {"fields": ["kind", "url_name", "url", "client_id"]}),
    ]

    def get_queryset(self, request):
        since = timezone.localdate() - dt.timedelta(days=USAGE_DAYS)
        return super().get_queryset(request).annotate(
            n_recent=Coalesce(Sum("opens__count", filter=Q(opens__day__gte=since)), 0),
            n_total=Coalesce(Sum("opens__count"), 0))

    @admin.display(description=_("opened, last 30 days"), ordering="n_recent")
    def opens_recent(self, obj) -> int:
        return obj.n_recent

    @admin.display(description=_("opened, in all"), ordering="n_total")
    def opens_total(self, obj) -> int:
        return obj.n_total


@admin.register(ServiceOpen)
class ServiceOpenAdmin(admin.ModelAdmin):
    """Counts only, written by the redirect: read-only."""

    list_display = ["day", "service", "count"]
    list_filter = ["service__group"]
    date_hierarchy = "day"
    list_select_related = ["service"]
    search_fields = ["service__code", "service__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NewsCategory)
class NewsCategoryAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "order"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(NewsItem)
class NewsItemAdmin(AuditedModelAdmin):
    list_display = ["title", "category", "status", "important", "published_at", "pushed_at", "author"]
    list_filter = ["status", "important", "category"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "published_at"
    readonly_fields = ["pushed_at", "author"]
    fields = ["title", "slug", "category", "summary", "body", "image", "image_alt", "important", "status",
              "published_at", "author", "pushed_at"]
    actions = ["publish_selected"]

    def save_model(self, request, obj, form, change):
        services.news_save(item=obj, actor=request.user)

    @admin.action(description=_("Publish the selected news"))
    def publish_selected(self, request, queryset):
        done = 0
        for item in queryset.exclude(status=NewsStatus.PUBLISHED):
            services.news_publish(item=item, actor=request.user)
            done += 1
        self.message_user(request, ngettext("%(n)d item published.", "%(n)d items published.", done) % {"n": done},
                          messages.SUCCESS)
