# Single sign-on (OpenID Connect) per tenant: its settings and their history (without the client secret).
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("lean", "0007_roles_finance_leader_ranking")]

    operations = [
        migrations.CreateModel(
            name="HistoricalSsoSettings",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("enabled", models.BooleanField(default=False, verbose_name="enabled")),
                ("button_label", models.CharField(blank=True, max_length=100, verbose_name="button label")),
                ("issuer", models.URLField(blank=True, max_length=500, verbose_name="issuer URL")),
                ("client_id", models.CharField(blank=True, max_length=200, verbose_name="client ID")),
                ("scopes", models.CharField(default="openid profile", max_length=300, verbose_name="scopes")),
                (
                    "employee_number_claim",
                    models.CharField(default="employee_number", max_length=100, verbose_name="employee number claim"),
                ),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="updated")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
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
            ],
            options={
                "verbose_name": "historical single sign-on settings",
                "verbose_name_plural": "historical single sign-on settings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="SsoSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("enabled", models.BooleanField(default=False, verbose_name="enabled")),
                ("button_label", models.CharField(blank=True, max_length=100, verbose_name="button label")),
                ("issuer", models.URLField(blank=True, max_length=500, verbose_name="issuer URL")),
                ("client_id", models.CharField(blank=True, max_length=200, verbose_name="client ID")),
                ("client_secret", models.CharField(blank=True, max_length=500, verbose_name="client secret")),
                ("scopes", models.CharField(default="openid profile", max_length=300, verbose_name="scopes")),
                (
                    "employee_number_claim",
                    models.CharField(default="employee_number", max_length=100, verbose_name="employee number claim"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="lean.tenant", verbose_name="tenant"
                    ),
                ),
            ],
            options={
                "verbose_name": "single sign-on settings",
                "verbose_name_plural": "single sign-on settings",
                "constraints": [models.UniqueConstraint(fields=("tenant",), name="sso_settings_one_per_tenant")],
            },
        ),
    ]
