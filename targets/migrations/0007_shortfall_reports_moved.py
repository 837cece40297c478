# The shortfall reports now belong to the insights app (same table): only Django's state moves.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0006_alter_shortfallreport_run"),
        ("insights", "0002_shortfallreport"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ShortfallReport")],
            database_operations=[],
        ),
    ]
