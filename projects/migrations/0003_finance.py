# 财务核验: the finance sign-off of verified benefits, and the closing panel's judged complexity.
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_team_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalreview",
            name="complexity",
            field=models.CharField(
                blank=True,
                choices=[("high", "High"), ("medium", "Medium"), ("low", "Low")],
                max_length=10,
                verbose_name="judged complexity",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="complexity",
            field=models.CharField(
                blank=True,
                choices=[("high", "High"), ("medium", "Medium"), ("low", "Low")],
                max_length=10,
                verbose_name="judged complexity",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalBenefitSignoff",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("signed", "Signed off"),
                            ("returned", "Returned for correction"),
                            ("void", "Void: the benefits changed after the sign-off"),
                        ],
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, null=True, verbose_name="benefit signed off (CNY)"
                    ),
                ),
                ("basis", models.TextField(blank=True, verbose_name="calculation basis")),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("signed_at", models.DateTimeField(verbose_name="at")),
                ("voided_at", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "evidence",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="projects.attachment",
                        verbose_name="evidence",
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
                    "project",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="projects.project",
                    ),
                ),
                (
                    "signed_by",
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
            ],
            options={
                "verbose_name": "historical benefit sign-off",
                "verbose_name_plural": "historical benefit sign-offs",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="BenefitSignoff",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("signed", "Signed off"),
                            ("returned", "Returned for correction"),
                            ("void", "Void: the benefits changed after the sign-off"),
                        ],
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, null=True, verbose_name="benefit signed off (CNY)"
                    ),
                ),
                ("basis", models.TextField(blank=True, verbose_name="calculation basis")),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("signed_at", models.DateTimeField(verbose_name="at")),
                ("voided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "evidence",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="projects.attachment",
                        verbose_name="evidence",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="benefit_signoffs",
                        to="projects.project",
                    ),
                ),
                (
                    "signed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
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
            ],
            options={
                "verbose_name": "benefit sign-off",
                "verbose_name_plural": "benefit sign-offs",
                "ordering": ["-signed_at", "-pk"],
                "indexes": [models.Index(fields=["tenant", "status"], name="benefit_signoff_status")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "signed")),
                        fields=("tenant", "project"),
                        name="benefit_signoff_one_signed",
                    )
                ],
            },
        ),
    ]
