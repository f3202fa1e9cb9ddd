"""A notification's subject becomes generic (type, id, reference) instead of a foreign key to
``reports.Report``: ``notifications`` must not depend on the reports app. Existing rows keep
what they were about: the report's id and its reference (``PA`` + the id on six digits, as
``Report.ref`` writes it), filled in SQL so a large inbox table is one statement."""

from django.db import migrations, models


def fill_subjects(apps, schema_editor):
    connection = schema_editor.connection
    table = connection.ops.quote_name("notifications_notification")
    if connection.vendor == "postgresql":
        reference = ("'PA' || CASE WHEN report_id < 1000000 THEN lpad(report_id::text, 6, '0') "
                     "ELSE report_id::text END")
    else:
        reference = "'PA' || printf('%06d', report_id)"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET subject_type = 'report', subject_id = report_id, "
                       f"reference = {reference} WHERE report_id IS NOT NULL")


def restore_reports(apps, schema_editor):
    connection = schema_editor.connection
    table = connection.ops.quote_name("notifications_notification")
    reports = connection.ops.quote_name("reports_report")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET report_id = subject_id WHERE subject_type = 'report' "
                       f"AND subject_id IN (SELECT id FROM {reports})")


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_outbox'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='subject_type',
            field=models.CharField(blank=True, default='', max_length=20),
        ),
        migrations.AddField(
            model_name='notification',
            name='subject_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='notification',
            name='reference',
            field=models.CharField(blank=True, default='', max_length=40),
        ),
        migrations.RunPython(fill_subjects, restore_reports),
        migrations.RemoveField(
            model_name='notification',
            name='report',
        ),
    ]
