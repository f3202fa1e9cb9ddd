from django.contrib import admin

from opencity.lib.admin import AuditedModelAdmin

from .models import Area


@admin.register(Area)
class AreaAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "kind", "parent", "population", "area_km2"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    readonly_fields = ["min_lat", "min_lon", "max_lat", "max_lon"]
