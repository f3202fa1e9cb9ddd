from django.contrib import admin

from opencity.lib.admin import AuditedModelAdmin

from .models import CalendarDay, WorkingPeriod


# The working calendar of deadlines (selectors.default_calendar() reads it; saving drops the
# cached one).
@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(AuditedModelAdmin):
    list_display = ["start", "end"]
