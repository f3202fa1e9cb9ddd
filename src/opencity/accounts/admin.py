from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from opencity.lib.admin import AuditedModelAdmin
from opencity.orgs.models import Membership

from .models import AuditLog, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    ordering = ["phone"]
    list_display = ["phone", "full_name", "citizen_id", "role", "home_area", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["phone", "full_name", "citizen_id", "email"]
    readonly_fields = ["citizen_id", "date_joined", "last_login"]
    autocomplete_fields = ["home_area", "last_location_area"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("phone", "password", "citizen_id")}),
        (_("Person"), {"fields": ("full_name", "email", "preferred_language", "email_notifications")}),
        (_("Role"), {"fields": ("role", "home_area", "is_active", "is_staff", "is_superuser", "groups")}),
        (_("Location shared for warnings"), {
            "classes": ("collapse",),
            "fields": ("last_location_area", "last_location_lat", "last_location_lon", "last_location_at"),
        }),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("phone", "full_name", "role", "password1", "password2")}),)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id", "summary"]
    list_filter = ["action", "target_type"]
    search_fields = ["summary", "target_id", "actor__phone", "actor__full_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
