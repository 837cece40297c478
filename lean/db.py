"""Refuse to run the application as a database role that would bypass row-level security."""

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created
from django.dispatch import receiver


@receiver(connection_created, dispatch_uid="lean-role-guard")
def guard_connection_role(sender, connection, **kwargs):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    if row and row[0]:
        raise ImproperlyConfigured(
            "The database role in DATABASE_URL is a superuser or has BYPASSRLS; row-level security would be "
            "silently bypassed. Connect as the application role (see README, 'Configuration')."
        )
