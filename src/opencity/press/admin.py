"""Administration of press monitoring: the sources (feeds, sitemaps, import sources) with their
fetch state, and the topic rules. Items change only through the services (read-only here)."""

from django.contrib import admin

from .models import PressItem, PressSource, Topic


@admin.register(PressSource)
class PressSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "url", "every_minutes", "is_active", "last_fetched_at", "failures",
                    "last_error"]
    list_filter = ["kind", "is_active", "is_social"]
    search_fields = ["name", "code", "url"]
    readonly_fields = ["etag", "last_modified", "last_fetched_at", "next_fetch_at", "failures", "last_error",
                       "last_error_at"]


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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
