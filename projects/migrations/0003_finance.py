# Placeholder filled by the finance sign-off work: its schema changes go here, so parallel work on this app keeps one chain.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_team_order")]

    operations = []
