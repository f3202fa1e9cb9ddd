"""Calls are read-only here (they change through the console and the exchange's webhook);
call-backs and operator presence can be corrected by an administrator."""

from django.contrib import admin

from opencity.lib.admin import AuditedModelAdmin, CredentialAdmin

from .models import Call, CallBack, ExchangeEvent, ExchangeSecret, OperatorPresence


class ExchangeEventInline(admin.TabularInline):
    model = ExchangeEvent
    extra = 0
    fields = ["event", "at", "received_at", "payload"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(AuditedModelAdmin):
    list_display = ["ref", "direction", "state", "phone", "started_at", "topic", "outcome", "operator"]
    list_filter = ["direction", "state", "topic", "outcome"]
    search_fields = ["phone", "external_id"]
    date_hierarchy = "started_at"
    inlines = [ExchangeEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["reports", "rescue_requests"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CallBack)
class CallBackAdmin(AuditedModelAdmin):
    list_display = ["__str__", "due_at", "assigned_to", "attempts", "done_at"]
    list_filter = ["done_at"]
    raw_id_fields = ["call", "result_call", "assigned_to", "created_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OperatorPresence)
class OperatorPresenceAdmin(AuditedModelAdmin):
    list_display = ["user", "available", "extension", "since", "last_busy_at"]
    list_filter = ["available"]
    raw_id_fields = ["user"]


@admin.register(ExchangeSecret)
class ExchangeSecretAdmin(CredentialAdmin):
    """The exchange's webhook secret (a credential kept encrypted): issue one with the add form,
    rotate it (the old one verifies for a day more), revoke it; the secret is shown once."""

    list_display = ["name", "prefix", "state_display", "created_at", "expires_at", "last_used_at"]
    fields = ["name", "expires_at", *CredentialAdmin.credential_fields]
