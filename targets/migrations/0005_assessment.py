# The annual performance assessment (纳入年度绩效考核) moves from a boolean on each shortfall row to a record per
# indicator code × unit × year (targets.models.Assessment). The assessed rows become records: one per indicator
# code, unit and year, dated when the first of its rows was last put into the assessment, by whom (from the
# shortfalls' history), then the boolean goes.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def assessments_from(shortfalls, history, memberships):
    """The assessment records the assessed shortfall rows stand for.

    shortfalls: (shortfall id, indicator code, unit id, year, updated_at) of the rows with assessed = true;
    history: (shortfall id, history_date, history user id, assessed) of those rows, in any order;
    memberships: user id → membership id in the tenant.
    Returns {(code, unit id, year): (assessed_at, membership id or None)}: a row counts from the moment it last
    turned assessed (its updated_at when the history does not say); a record takes its earliest row."""
    turned = {}
    previous = {}
    for shortfall_id, when, user_id, assessed in sorted(history, key=lambda h: (h[0], h[1])):
        if assessed and not previous.get(shortfall_id, False):
            turned[shortfall_id] = (when, user_id)
        previous[shortfall_id] = assessed
    records = {}
    for shortfall_id, code, unit_id, year, updated_at in shortfalls:
        when, user_id = turned.get(shortfall_id, (updated_at, None))
        key = (code, unit_id, int(year))
        if key not in records or when < records[key][0]:
            records[key] = (when, memberships.get(user_id))
    return records


def _set_tenant(cursor, tenant_id):
    # Row-level security is forced for the tables' owner too: each tenant's rows are read inside its setting.
    cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id or "")])


def forwards(apps, schema_editor):
    # The new tables' foreign keys first, while they are empty: validated later, against rows of other tables that
    # row-level security hides from a migration outside any tenant, they would fail.
    for sql in schema_editor.deferred_sql:
        schema_editor.execute(sql)
    schema_editor.deferred_sql.clear()
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id FROM lean_tenant ORDER BY id")
        for (tenant_id,) in cursor.fetchall():
            _set_tenant(cursor, tenant_id)
            cursor.execute(
                "SELECT s.id, n.code, s.unit_id, EXTRACT(YEAR FROM s.period_start)::int, s.updated_at "
                "FROM targets_shortfall s JOIN targets_indicator i ON i.id = s.indicator_id "
                "JOIN targets_targetnode n ON n.id = i.node_id WHERE s.assessed AND s.tenant_id = %s",
                [tenant_id],
            )
            shortfalls = cursor.fetchall()
            if not shortfalls:
                continue
            cursor.execute(
                "SELECT id, history_date, history_user_id, assessed FROM targets_historicalshortfall "
                "WHERE id = ANY(%s)",
                [[row[0] for row in shortfalls]],
            )
            history = cursor.fetchall()
            cursor.execute("SELECT user_id, id FROM lean_membership WHERE tenant_id = %s", [tenant_id])
            memberships = dict(cursor.fetchall())
            users = {v: k for k, v in memberships.items()}
            for (code, unit_id, year), (when, member_id) in assessments_from(shortfalls, history, memberships).items():
                cursor.execute(
                    "INSERT INTO targets_assessment (tenant_id, indicator_code, unit_id, year, note, assessed_by_id, "
                    "assessed_at) VALUES (%s, %s, %s, %s, '', %s, %s) "
                    "ON CONFLICT ON CONSTRAINT assessment_unique DO NOTHING RETURNING id",
                    [tenant_id, code, unit_id, year, member_id, when],
                )
                created = cursor.fetchone()
                if created:
                    cursor.execute(
                        "INSERT INTO targets_historicalassessment (id, tenant_id, indicator_code, unit_id, year, "
                        "note, assessed_by_id, assessed_at, history_date, history_type, history_user_id) "
                        "VALUES (%s, %s, %s, %s, %s, '', %s, %s, %s, '+', %s)",
                        [created[0], tenant_id, code, unit_id, year, member_id, when, when, users.get(member_id)],
                    )
            # The foreign keys are checked while the tenant's rows are visible.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        _set_tenant(cursor, None)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id FROM lean_tenant ORDER BY id")
        for (tenant_id,) in cursor.fetchall():
            _set_tenant(cursor, tenant_id)
            cursor.execute(
                "UPDATE targets_shortfall s SET assessed = true FROM targets_indicator i, targets_targetnode n, "
                "targets_assessment a WHERE i.id = s.indicator_id AND n.id = i.node_id AND a.tenant_id = s.tenant_id "
                "AND a.indicator_code = n.code AND a.unit_id = s.unit_id "
                "AND a.year = EXTRACT(YEAR FROM s.period_start) AND s.tenant_id = %s",
                [tenant_id],
            )
        _set_tenant(cursor, None)


class Migration(migrations.Migration):
    dependencies = [
        ("lean", "0007_roles_finance_leader_ranking"),
        ("targets", "0004_shortfallreport"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalAssessment",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("indicator_code", models.CharField(max_length=40, verbose_name="indicator code")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("assessed_at", models.DateTimeField(verbose_name="assessed at")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "assessed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="lean.membership",
                        verbose_name="by",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="lean.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="lean.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical assessment",
                "verbose_name_plural": "historical assessments",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Assessment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("indicator_code", models.CharField(max_length=40, verbose_name="indicator code")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("assessed_at", models.DateTimeField(verbose_name="assessed at")),
                (
                    "assessed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="lean.membership",
                        verbose_name="by",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="lean.tenant", verbose_name="tenant"
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="lean.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "assessment",
                "verbose_name_plural": "assessments",
                "ordering": ["-year", "unit__path", "indicator_code"],
                "indexes": [models.Index(fields=["tenant", "year"], name="assessment_year")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant", "indicator_code", "unit", "year"), name="assessment_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="historicalshortfall", name="assessed"),
        migrations.RemoveField(model_name="shortfall", name="assessed"),
    ]
