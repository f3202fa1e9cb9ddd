"""API keys in the admin. The raw key is shown once, in a message, when it is issued."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencity.lib.admin import AuditedModelAdmin

from .models import ApiKey
from .services import api_key_set_new


def _show_once(request, key: ApiKey, raw: str) -> None:
    messages.warning(
        request,
        _(
            "The API key for %(name)s is %(key)s — copy it now: it is not stored and will not be shown again."
        )
        % {"name": key.name, "key": raw},
    )


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedModelAdmin):
    list_display = [
        "name",
        "application",
        "prefix",
        "is_active",
        "rate_limit_per_minute",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "application", "prefix", "contact"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = [
        "name",
        "application",
        "contact",
        "is_active",
        "rate_limit_per_minute",
        "prefix",
        "created_at",
        "last_used_at",
    ]
    actions = ["issue_new_key", "deactivate"]

    def save_model(self, request, obj, form, change):
        raw = None
        if not change:
            raw = api_key_set_new(obj)
        super().save_model(request, obj, form, change)
        if raw:
            _show_once(request, obj, raw)

    @admin.action(description=gettext_lazy("Issue a new key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        for key in queryset:
            raw = api_key_set_new(key)
            key.save(update_fields=["key_hash", "prefix"])
            self.log_change(request, key, "issued a new key")
            _show_once(request, key, raw)

    @admin.action(description=gettext_lazy("Deactivate the selected keys"))
    def deactivate(self, request, queryset):
        for key in queryset.filter(is_active=True):
            key.is_active = False
            key.save(update_fields=["is_active"])
            self.log_change(request, key, "deactivated")
