# Idempotency records and webhooks now belong to the integrations app (same tables): only Django's state moves.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lean", "0011_jobs_moved_to_scheduling"),
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalWebhookEndpoint"),
                migrations.DeleteModel(name="WebhookDelivery"),
                migrations.DeleteModel(name="WebhookEndpoint"),
                migrations.DeleteModel(name="IdempotencyRecord"),
            ],
            database_operations=[],
        ),
    ]
