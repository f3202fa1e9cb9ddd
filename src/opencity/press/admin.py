"""Administration of press monitoring: the sources (feeds, sitemaps, import sources) with their
fetch state, and the topic rules. Items change only through the services (read-only here)."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import FETCHED_KINDS, PressItem, PressSource, Topic

URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}  # an address typed without a scheme


@admin.register(PressSource)
class PressSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "url", "every_minutes", "is_active", "last_fetched_at", "failures",
                    "last_error"]
    list_filter = ["kind", "is_active", "is_social"]
    search_fields = ["name", "code", "url"]
    formfield_overrides = URL_FIELDS
    readonly_fields = ["etag", "last_modified", "last_fetched_at", "next_fetch_at", "failures", "last_error",
                       "last_error_at"]
    actions = ["fetch_now"]

    @admin.action(description=_("Fetch now (in the worker)"))
    def fetch_now(self, request, queryset):
        from .tasks import fetch_source

        ids = list(queryset.filter(is_active=True, kind__in=FETCHED_KINDS).values_list("pk", flat=True))
        for pk in ids:
            fetch_source(pk)
        self.message_user(request, ngettext("%(n)d source queued.", "%(n)d sources queued.", len(ids))
                          % {"n": len(ids)}, messages.SUCCESS)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "category", "weight", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "keywords"]


@admin.register(PressItem)
class PressItemAdmin(admin.ModelAdmin):
    list_display = ["ref", "title", "source", "status", "score", "published_at"]
    list_filter = ["status", "source"]
    search_fields = ["title", "url"]
    formfield_overrides = URL_FIELDS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
