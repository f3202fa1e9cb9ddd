"""The outbox in the admin, read-only: what is owed, what failed and why (``outbox.py``); the
browsers' push subscriptions, removable."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from opencity.lib.admin import AuditedModelAdmin

from .models import OutboxMessage, PushSubscription


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "priority", "created_at", "attempts", "available_at", "done_at", "short_error"]
    list_filter = ["kind", ("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["kind", "dedup_key", "last_error"]
    ordering = ["-id"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error.splitlines()[-1][:120] if obj.last_error else ""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PushSubscription)
class PushSubscriptionAdmin(AuditedModelAdmin):
    """Browsers' push subscriptions: read-only, but removable (a lost phone)."""

    list_display = ["user", "created_at", "last_success_at", "failures"]
    readonly_fields = ["user", "endpoint", "p256dh", "auth", "user_agent", "created_at", "last_success_at", "failures"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return False
