"""Monitoring in the admin: the sources and their keys (a credential kind: issued by the add
form, rotated and revoked by actions, the raw key shown once), the stations, the properties and
datastreams (the last value read-only; a datastream with observations is not deleted — turn it
off), the rules with their levels (data, never code: the model's ``clean`` runs
``rules.validate_rule``), and the events, read-only with their steps (people act on them on the
events page, through the lifecycle)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from opencity.lib.admin import AuditedModelAdmin, CredentialAdmin

from .models import (
    Datastream,
    MonitoringEvent,
    MonitoringEventStep,
    ObservedProperty,
    Rule,
    RuleLevel,
    Source,
    SourceKey,
    Station,
)


@admin.register(Source)
class SourceAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "contact", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]


@admin.register(SourceKey)
class SourceKeyAdmin(CredentialAdmin):
    """A source's key for HTTP ingest: issue one with the add form (shown once), rotate it (the
    old one works for a day more), revoke it."""

    list_display = ["source", "name", "prefix", "state_display", "created_at", "expires_at", "last_used_at"]
    list_filter = ["source"]
    search_fields = ["name", "prefix", "source__name"]
    fields = ["source", "name", "expires_at", *CredentialAdmin.credential_fields]


class DatastreamInline(admin.TabularInline):
    model = Datastream
    extra = 0
    fields = ["code", "observed_property", "is_active", "last_value", "last_time"]
    readonly_fields = ["last_value", "last_time"]
    show_change_link = True
    can_delete = False


@admin.register(Station)
class StationAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "kind", "source", "area", "is_public", "is_active"]
    list_filter = ["kind", "is_public", "is_active", "source"]
    search_fields = ["name", "code", "river"]
    raw_id_fields = ["area"]
    inlines = [DatastreamInline]


@admin.register(ObservedProperty)
class ObservedPropertyAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "name_en", "unit", "min_value", "max_value", "cumulative"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Datastream)
class DatastreamAdmin(AuditedModelAdmin):
    list_display = ["code", "station", "observed_property", "last_value", "last_time", "observation_count",
                    "is_active"]
    list_filter = ["is_active", "observed_property", "station__kind"]
    search_fields = ["code", "station__name"]
    list_select_related = ["station", "observed_property"]
    readonly_fields = ["last_value", "last_time", "observation_count"]

    def has_delete_permission(self, request, obj=None):
        """Observations are history: a datastream that has some is turned off, not deleted."""
        if obj is not None and obj.observation_count:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        kept = [str(o) for o in objs if o.observation_count]
        return deleted, counts, perms_needed, [*protected, *kept]


class RuleLevelInline(admin.TabularInline):
    model = RuleLevel
    extra = 0
    fields = ["code", "name", "value", "severity"]


@admin.register(Rule)
class RuleAdmin(AuditedModelAdmin):
    """The form is the model's: saving calls ``Rule.clean`` → ``rules.validate_rule`` (a rule
    without a datastream, a window or a valid curve is refused under its field)."""

    list_display = ["name", "kind", "datastream", "observed_property", "item_kind", "severity", "is_active"]
    list_filter = ["kind", "is_active", "severity"]
    search_fields = ["name"]
    raw_id_fields = ["datastream"]
    inlines = [RuleLevelInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", "is_active", "severity", "warning_event"]}),
        (_("What it judges"), {"fields": ["datastream", "observed_property", "station_kind", "item_kind"]}),
        (_("How"), {"fields": ["direction", "hysteresis", "window_minutes", "limit", "curve", "zone"]}),
    ]


class MonitoringEventStepInline(admin.TabularInline):
    model = MonitoringEventStep
    extra = 0
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note", "data"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MonitoringEvent)
class MonitoringEventAdmin(AuditedModelAdmin):
    """Read-only: an event changes through its lifecycle (the events page), never by hand."""

    list_display = ["ref", "title", "level_name", "severity", "status", "first_seen", "last_seen", "count"]
    list_filter = ["status", "severity", "station__kind"]
    search_fields = ["title", "subject", "station__name"]
    date_hierarchy = "last_seen"
    list_select_related = ["station"]
    inlines = [MonitoringEventStepInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
