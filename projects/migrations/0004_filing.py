# 备案 that HQ receives: the lean office acknowledges a filed unit-tier project or returns it with a reason.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_finance")]

    operations = [
        migrations.AddField(
            model_name="historicalproject",
            name="filing_acknowledged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="filing acknowledged"),
        ),
        migrations.AddField(
            model_name="historicalproject",
            name="filing_acknowledged_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="lean.membership",
                verbose_name="filing acknowledged by",
            ),
        ),
        migrations.AddField(
            model_name="historicalproject",
            name="filing_return_reason",
            field=models.TextField(blank=True, verbose_name="filing returned for correction"),
        ),
        migrations.AddField(
            model_name="project",
            name="filing_acknowledged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="filing acknowledged"),
        ),
        migrations.AddField(
            model_name="project",
            name="filing_acknowledged_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="lean.membership",
                verbose_name="filing acknowledged by",
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="filing_return_reason",
            field=models.TextField(blank=True, verbose_name="filing returned for correction"),
        ),
    ]
