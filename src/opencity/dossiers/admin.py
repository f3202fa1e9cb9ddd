from django.contrib import admin

from .models import AgencyAlias, ImportRun


@admin.register(AgencyAlias)
class AgencyAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "unit")
    search_fields = ("alias", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "kind", "status", "name", "created", "changed", "unchanged", "reason")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
