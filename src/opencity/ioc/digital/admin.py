"""Administration of the digital reports (read mostly: rows are made by the services)."""

from django.contrib import admin

from opencity.lib.admin import AuditedModelAdmin

from ..models import DigitalReport, DigitalReportDelivery, DigitalReportSubscription


@admin.register(DigitalReport)
class DigitalReportAdmin(AuditedModelAdmin):
    list_display = ("target", "month", "format", "language", "status", "requested_by", "finished_at")
    list_filter = ("level", "format", "status", "month")
    search_fields = ("target",)
    raw_id_fields = ("area", "unit", "requested_by")
    readonly_fields = ("target", "checksum", "size", "created_at", "requested_at", "started_at", "finished_at",
                       "error")


@admin.register(DigitalReportSubscription)
class DigitalReportSubscriptionAdmin(AuditedModelAdmin):
    list_display = ("user", "target", "formats", "active", "created_at")
    list_filter = ("level", "active")
    raw_id_fields = ("user", "area", "unit")
    readonly_fields = ("target",)


@admin.register(DigitalReportDelivery)
class DigitalReportDeliveryAdmin(AuditedModelAdmin):
    list_display = ("subscription", "month", "sent_at")
    raw_id_fields = ("subscription", "notification")
