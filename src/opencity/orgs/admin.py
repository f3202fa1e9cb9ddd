from django.contrib import admin

from opencity.lib.admin import AuditedModelAdmin

from .models import Membership, Unit


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "kind", "level", "area", "requires_result_approval", "can_issue_warnings", "is_active"]
    list_filter = ["kind", "level", "is_active", "can_issue_warnings"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["area"]
    inlines = [MembershipInline]
