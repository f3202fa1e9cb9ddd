from django.contrib import admin

from opencity.lib.admin import AuditedModelAdmin

from .models import (
    Category,
    CategoryQuestion,
    Escalation,
    Report,
    ResponseTemplate,
    RoutingRule,
    TimelineEvent,
)


class QuestionInline(admin.StackedInline):
    model = CategoryQuestion
    extra = 0


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    list_display = ["name_vi", "name_en", "code", "group", "deadline_hours", "deadline_hours_high",
                    "deadline_hours_urgent", "duplicate_radius_m", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["name_vi", "name_en", "code"]
    inlines = [QuestionInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedModelAdmin):
    list_display = ["category", "area", "unit", "automatic"]
    list_filter = ["automatic", "category"]
    autocomplete_fields = ["category", "area", "unit"]
    search_fields = ["unit__name", "category__name_vi", "area__name"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(AuditedModelAdmin):
    list_display = ["title", "unit", "category"]
    autocomplete_fields = ["unit", "category"]


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "actor", "is_public", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only here: reports change only through the workflow (staff pages and API)."""

    list_display = ["id", "category", "status", "area", "unit", "created_at", "due_at"]
    list_filter = ["status", "category", "area"]
    search_fields = ["id", "description", "address"]
    date_hierarchy = "created_at"
    inlines = [TimelineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    """Read-only: the deadline job writes these."""

    list_display = ["report", "level", "due_at", "recipients", "sent_at"]
    list_filter = ["level"]
    raw_id_fields = ["report"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
