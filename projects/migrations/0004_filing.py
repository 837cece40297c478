# Placeholder filled by the filing (备案) work: its schema changes go here, so parallel work on this app keeps one chain.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_finance")]

    operations = []
