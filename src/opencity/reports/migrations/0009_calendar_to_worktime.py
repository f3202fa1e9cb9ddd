"""The working calendar's models now belong to the ``worktime`` app (its migration 0001): drop
them from this app's state only. The tables ``reports_calendarday`` and
``reports_workingperiod`` and their rows stay where they are; ``worktime`` uses them by name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_category_icon_names"),
        ("worktime", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CalendarDay"),
                migrations.DeleteModel(name="WorkingPeriod"),
            ],
            database_operations=[],
        ),
    ]
