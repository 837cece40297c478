# The scheduled jobs move from lean to their own app. JobRun keeps its table (lean_jobrun): only Django's state
# moves. The tenant's one JobSettings row (a cadence, day and hour for each of two jobs) becomes a Schedule row per
# job, its history with it; lean drops the old table afterwards (lean 0011).

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


JOBS = (("shortfall_report", "report"), ("innovation_listing", "listing"))


def schedules_from_settings(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id FROM lean_tenant ORDER BY id")
        for (tenant_id,) in cursor.fetchall():
            # Row-level security is forced for the tables' owner too: each tenant's rows are read inside its setting.
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            for job, prefix in JOBS:
                cursor.execute(
                    f"INSERT INTO scheduling_schedule (tenant_id, job, cadence, day, hour) "
                    f"SELECT tenant_id, %s, {prefix}_cadence, {prefix}_day, {prefix}_hour FROM lean_jobsettings "
                    f"WHERE tenant_id = %s",
                    [job, tenant_id],
                )
                cursor.execute(
                    f"INSERT INTO scheduling_historicalschedule (id, tenant_id, job, cadence, day, hour, history_date, "
                    f"history_change_reason, history_type, history_user_id) "
                    f"SELECT s.id, h.tenant_id, %s, h.{prefix}_cadence, h.{prefix}_day, h.{prefix}_hour, h.history_date, "
                    f"h.history_change_reason, h.history_type, h.history_user_id "
                    f"FROM lean_historicaljobsettings h JOIN scheduling_schedule s ON s.tenant_id = h.tenant_id "
                    f"AND s.job = %s WHERE h.tenant_id = %s ORDER BY h.history_date, h.history_id",
                    [job, job, tenant_id],
                )
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('lean', '0010_audit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalSchedule',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('job', models.CharField(max_length=40, verbose_name='job')),
                ('cadence', models.CharField(choices=[('off', 'Off'), ('monthly', 'Monthly'), ('quarterly', 'Quarterly')], default='monthly', max_length=10, verbose_name='cadence')),
                ('day', models.PositiveSmallIntegerField(default=1, verbose_name='on day')),
                ('hour', models.PositiveSmallIntegerField(default=8, verbose_name='at hour')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tenant', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='lean.tenant', verbose_name='tenant')),
            ],
            options={
                'verbose_name': 'historical job schedule',
                'verbose_name_plural': 'historical job schedules',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                name='JobRun',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('job', models.CharField(max_length=40, verbose_name='job')),
                    ('period', models.CharField(blank=True, max_length=20, verbose_name='period')),
                    ('status', models.CharField(choices=[('started', 'Running'), ('finished', 'Finished'), ('failed', 'Failed')], default='started', max_length=10, verbose_name='status')),
                    ('manual', models.BooleanField(default=False, verbose_name='run by hand')),
                    ('started_at', models.DateTimeField(auto_now_add=True, verbose_name='started')),
                    ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                    ('error', models.TextField(blank=True, verbose_name='error')),
                    ('result', models.JSONField(default=dict)),
                    ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='lean.tenant', verbose_name='tenant')),
                    ('triggered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='lean.membership')),
                ],
                options={
                    'verbose_name': 'job run',
                    'verbose_name_plural': 'job runs',
                    'ordering': ['-started_at', '-id'],
                    'db_table': 'lean_jobrun',
                    'indexes': [models.Index(fields=['tenant', 'job', 'started_at'], name='job_run_job_date')],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name='Schedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('job', models.CharField(max_length=40, verbose_name='job')),
                ('cadence', models.CharField(choices=[('off', 'Off'), ('monthly', 'Monthly'), ('quarterly', 'Quarterly')], default='monthly', max_length=10, verbose_name='cadence')),
                ('day', models.PositiveSmallIntegerField(default=1, verbose_name='on day')),
                ('hour', models.PositiveSmallIntegerField(default=8, verbose_name='at hour')),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='lean.tenant', verbose_name='tenant')),
            ],
            options={
                'verbose_name': 'job schedule',
                'verbose_name_plural': 'job schedules',
                'ordering': ['job'],
                'constraints': [models.UniqueConstraint(fields=('tenant', 'job'), name='schedule_one_per_job')],
            },
        ),
        migrations.RunPython(schedules_from_settings, migrations.RunPython.noop),
    ]
