"""Administration of the privacy centre: the record of processing is edited here; requests and
breaches are read here and acted on in the privacy officer's pages (through the services)."""

from django.contrib import admin

from opencity.lib.admin import AuditedModelAdmin

from .models import Breach, DataSubjectRequest, ProcessingRecord


@admin.register(ProcessingRecord)
class ProcessingRecordAdmin(AuditedModelAdmin):
    list_display = ("service", "code", "legal_basis", "retention", "is_active", "updated_at")
    list_filter = ("legal_basis", "is_active")
    search_fields = ("service", "code", "purpose", "data_categories")


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(AuditedModelAdmin):
    list_display = ("ref", "kind", "status", "received_at", "due_at", "answered_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("user",)
    readonly_fields = ("user", "kind", "status", "version", "details", "answer", "received_at", "due_at",
                       "answered_at", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Breach)
class BreachAdmin(AuditedModelAdmin):
    list_display = ("title", "discovered_at", "is_drill", "authority_notified_at", "affected_count")
    list_filter = ("is_drill",)
    raw_id_fields = ("affected_people", "recorded_by")
    readonly_fields = ("authority_notified_at", "authority_reference", "subjects_notified_at",
                       "subjects_notified_count", "recorded_by", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False
