"""Fill ``Report.work_hours`` (working hours from assignment to the result) for reports that
were processed before the field existed. Uses the built-in calendar (the admin's calendar
tables are new and empty at this point)."""

from django.db import migrations


def backfill(apps, schema_editor):
    from opencity.lib.worktime import WorkCalendar

    Report = apps.get_model("reports", "Report")
    calendar = WorkCalendar()
    qs = Report.objects.filter(status__in=["resolved", "closed"], work_hours__isnull=True,
                               assigned_at__isnull=False, resolved_at__isnull=False).order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).only("pk", "assigned_at", "resolved_at")[:2000])
        if not chunk:
            return
        for r in chunk:
            r.work_hours = calendar.working_hours_between(r.assigned_at, r.resolved_at)
        Report.objects.bulk_update(chunk, ["work_hours"], batch_size=500)
        last = chunk[-1].pk


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_deadlines_kpi")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
