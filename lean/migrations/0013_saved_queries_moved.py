# The saved queries now belong to the insights app (same tables): only Django's state moves.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lean", "0012_integrations_moved"),
        ("insights", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalSavedQuery"),
                migrations.DeleteModel(name="SavedQuery"),
            ],
            database_operations=[],
        ),
    ]
