# Placeholder filled by the notification channels work: its schema changes go here, so parallel work on this app keeps one chain.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("lean", "0008_sso")]

    operations = []
