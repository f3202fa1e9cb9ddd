"""KPI roll-ups by month beside the days (``KpiRollup.span``) and a processing-time histogram
(``KpiHours``), so that the figures of a month, quarter, year or all time never read the report
table. Existing
roll-ups are rebuilt (days and months) where there are any."""

from django.db import migrations, models


def rebuild(apps, schema_editor):
    KpiRollup = apps.get_model("reports", "KpiRollup")
    if not KpiRollup.objects.exists():
        return  # a fresh installation: the demo pack or the first transitions write them
    from opencity.reports import kpi

    kpi.rollups_rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0002_load_city'),
        ('orgs', '0002_unit_can_issue_warnings'),
        ('reports', '0003_backfill_work_hours'),
    ]

    operations = [
        migrations.CreateModel(
            name='KpiHours',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('span', models.CharField(choices=[('day', 'day'), ('month', 'month')], max_length=5)),
                ('day', models.DateField()),
                ('is_public', models.BooleanField()),
                ('dim', models.CharField(max_length=8)),
                ('dim_id', models.PositiveIntegerField(blank=True, null=True)),
                ('bucket', models.PositiveSmallIntegerField()),
                ('n', models.PositiveIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['span', 'dim', 'dim_id', 'day'], name='reports_kpi_span_1fc9f4_idx')],
            },
        ),
        migrations.RemoveIndex(
            model_name='kpirollup',
            name='reports_kpi_day_c5f12f_idx',
        ),
        migrations.RemoveIndex(
            model_name='kpirollup',
            name='reports_kpi_unit_id_33c9d6_idx',
        ),
        migrations.RemoveIndex(
            model_name='kpirollup',
            name='reports_kpi_area_id_f0c45a_idx',
        ),
        migrations.AddField(
            model_name='kpirollup',
            name='span',
            field=models.CharField(choices=[('day', 'day'), ('month', 'month')], default='day', max_length=5),
        ),
        migrations.AddIndex(
            model_name='kpirollup',
            index=models.Index(fields=['span', 'day'], name='reports_kpi_span_9901bd_idx'),
        ),
        migrations.AddIndex(
            model_name='kpirollup',
            index=models.Index(fields=['span', 'unit', 'day'], name='reports_kpi_span_66a8d9_idx'),
        ),
        migrations.AddIndex(
            model_name='kpirollup',
            index=models.Index(fields=['span', 'area', 'day'], name='reports_kpi_span_fc0d33_idx'),
        ),
        migrations.AddIndex(
            model_name='report',
            index=models.Index(condition=models.Q(('status__in', ['assigned', 'in_progress'])), fields=['due_at', 'id'], name='report_active_due'),
        ),
        migrations.RemoveIndex(
            model_name='report',
            name='reports_rep_lat_22ec3b_idx',
        ),
        migrations.AddIndex(
            model_name='report',
            index=models.Index(fields=['lat', 'lon'], include=('id', 'created_at', 'status', 'is_public', 'category', 'reject_reason'), name='report_lat_lon_map'),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
