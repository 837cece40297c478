"""Load the demo data if it is not there yet (idempotent): `python manage.py seed_demo`."""

from django.core.management.base import BaseCommand

from config.demo import seed


class Command(BaseCommand):
    help = "Create the demo tenants, units and people (skips a tenant that already exists)."

    def handle(self, *args, **options):
        for line in seed.seed_all():
            self.stdout.write(line)
