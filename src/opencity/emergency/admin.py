"""Rescue teams are managed here; rescue requests are read-only (they change only through the
workflow, from the dispatch board and the team page)."""

from django.contrib import admin

from opencity.lib.admin import AuditedModelAdmin

from .models import RescueEvent, RescueRequest, RescueTeam


@admin.register(RescueTeam)
class RescueTeamAdmin(AuditedModelAdmin):
    list_display = ["name", "unit", "status", "position_updated_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    autocomplete_fields = []


class RescueEventInline(admin.TabularInline):
    model = RescueEvent
    extra = 0
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note", "is_public"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RescueRequest)
class RescueRequestAdmin(AuditedModelAdmin):
    list_display = ["__str__", "status", "area", "people", "urgency", "assigned_team", "created_at"]
    list_filter = ["status", "area"]
    date_hierarchy = "created_at"
    inlines = [RescueEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
