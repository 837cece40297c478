"""`migrate`, run as the role that owns the tables (DATABASE_OWNER_URL), never as the application role."""

from django.core.management.commands.migrate import Command as MigrateCommand

from lean.db_roles import as_owner


class Command(MigrateCommand):
    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)
