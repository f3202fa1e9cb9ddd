"""The working calendar's two tables come from ``reports`` (they were created by its migration
0002): Django's state gains them here, the database is not touched, and the tables keep their
names (``Meta.db_table``), so existing rows stay. ``reports`` 0009 drops them from its state.

The content types move too, so permissions granted on them and the admin's change history
follow the models instead of being left behind under ``reports``."""

from django.db import migrations, models


def move_content_types(apps, schema_editor, source="reports", target="worktime"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("calendarday", "workingperiod"):
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="worktime", target="reports")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reports", "0002_deadlines_kpi"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(unique=True, verbose_name="date")),
                        ("kind", models.CharField(choices=[("work", "Make-up working day"), ("off", "Extra day off")], max_length=4, verbose_name="kind")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                    ],
                    options={
                        "verbose_name": "calendar day",
                        "verbose_name_plural": "calendar days",
                        "db_table": "reports_calendarday",
                        "ordering": ["-date"],
                    },
                ),
                migrations.CreateModel(
                    name="WorkingPeriod",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("start", models.TimeField(verbose_name="from")),
                        ("end", models.TimeField(verbose_name="to")),
                    ],
                    options={
                        "verbose_name": "working period",
                        "verbose_name_plural": "working periods",
                        "db_table": "reports_workingperiod",
                        "ordering": ["start"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
