# Placeholder filled by the single sign-on work: its schema changes go here, so parallel work on this app keeps one chain.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("lean", "0007_roles_finance_leader_ranking")]

    operations = []
