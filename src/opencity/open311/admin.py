"""API keys in the admin (a credential kind, ``opencity.lib.admin.CredentialAdmin``): issued by
the add form and rotated by an action, with the raw key shown once in a message; revoked by an
action. A rotated key keeps working for 7 days (``ApiKey.rotation_grace``)."""

from django.contrib import admin

from opencity.lib.admin import CredentialAdmin

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(CredentialAdmin):
    list_display = [
        "name",
        "application",
        "prefix",
        "state_display",
        "rate_limit_per_minute",
        "created_at",
        "expires_at",
        "last_used_at",
    ]
    search_fields = ["name", "application", "prefix", "contact"]
    fields = [
        "name",
        "application",
        "contact",
        "rate_limit_per_minute",
        "expires_at",
        "prefix",
        "state_display",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
        "rotated_from",
    ]
