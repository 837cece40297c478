# JobRun now belongs to the scheduling app (same table, lean_jobrun); JobSettings became scheduling's Schedule rows
# (scheduling 0001 copied them), so its tables go.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lean", "0010_audit"),
        ("scheduling", "0001_initial"),
        ("targets", "0006_alter_shortfallreport_run"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="JobRun")], database_operations=[]
        ),
        migrations.DeleteModel(name="HistoricalJobSettings"),
        migrations.DeleteModel(name="JobSettings"),
    ]
