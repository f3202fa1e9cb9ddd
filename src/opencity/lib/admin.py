"""Admin helpers: every change made in the admin also goes to the audit log."""

from django.contrib import admin

from opencity.lib.audit import audit


class AuditedModelAdmin(admin.ModelAdmin):
    def log_addition(self, request, obj, message):
        audit(request.user, "admin.add", obj, summary=str(obj)[:300])
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit(request.user, "admin.change", obj, summary=str(obj)[:300], data={"message": str(message)[:500]})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit(request.user, "admin.delete", obj, summary=str(obj)[:300])
        return super().log_deletions(request, queryset)
