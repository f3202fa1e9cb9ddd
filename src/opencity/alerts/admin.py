"""Warnings in the admin: read-only. Warnings are issued, updated and cancelled in the composer,
so every message stays an immutable CAP record (push subscriptions: ``notifications/admin.py``)."""

from django.contrib import admin

from opencity.lib.admin import AuditedModelAdmin

from .models import Alert, Message


class ReadOnlyAdmin(AuditedModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MessageInline(admin.TabularInline):
    model = Message
    fk_name = "alert"
    extra = 0
    fields = ["seq", "msg_type", "identifier", "sent", "severity", "headline_vi", "expires", "delivered_count"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["ref", "__str__", "status", "unit", "created_at", "view_count"]
    list_filter = ["status"]
    list_select_related = ["latest", "unit"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "msg_type", "event", "severity", "sent", "expires", "delivered_count"]
    list_filter = ["msg_type", "event", "severity", "status"]
    search_fields = ["identifier", "headline_vi", "headline_en"]

