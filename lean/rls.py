"""Row-level security, grants and same-tenant foreign keys, installed after every migrate.

Runs as the tables' owner (migrations do), idempotently, for every model with a `tenant` foreign key:
- RLS enabled and forced, with one policy whose USING and WITH CHECK compare `tenant_id` with the
  per-transaction setting `app.tenant_id` (unset: no row at all);
- for each foreign key between two tenant tables, a composite foreign key on (tenant_id, column) to the
  target's (tenant_id, id), because RLS checks neither foreign keys nor unique constraints;
- privileges for the application role, which owns nothing.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.db import connections, models

TENANT_SETTING = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"
USER_SETTING = "NULLIF(current_setting('app.user_id', true), '')::bigint"
POLICY = "tenant_isolation"
OWN_ROWS_POLICY = "own_rows"


def is_tenant_model(model) -> bool:
    try:
        field = model._meta.get_field("tenant")
    except Exception:
        return False
    return field.is_relation and field.related_model is apps.get_model("lean", "Tenant")


def tenant_models():
    return [m for m in apps.get_models(include_auto_created=True) if is_tenant_model(m) and not m._meta.proxy]


def same_tenant_relations():
    """(model, field) for every enforced foreign key from one tenant table to another."""
    found = []
    for model in tenant_models():
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.name != "tenant"
                and field.db_constraint
                and is_tenant_model(field.related_model)
            ):
                found.append((model, field))
    return found


def _constraint_name(prefix: str, *parts: str) -> str:
    digest = hashlib.md5("|".join(parts).encode()).hexdigest()[:10]
    return f"{prefix}_{parts[0][:40]}_{digest}"


def _constraint_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name])
    return cursor.fetchone() is not None


def install(using: str = "default") -> None:
    connection = connections[using]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in tenant_models():
            table = qn(model._meta.db_table)
            cursor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
            cursor.execute(
                f"CREATE POLICY {POLICY} ON {table} USING (tenant_id = {TENANT_SETTING}) "
                f"WITH CHECK (tenant_id = {TENANT_SETTING})"
            )
            own_column = getattr(model, "rls_own_rows_column", None)
            cursor.execute(f"DROP POLICY IF EXISTS {OWN_ROWS_POLICY} ON {table}")
            if own_column:
                # Read-only: a person sees their own rows in every tenant (the tenant switcher), nothing more.
                cursor.execute(
                    f"CREATE POLICY {OWN_ROWS_POLICY} ON {table} FOR SELECT USING ({qn(own_column)} = {USER_SETTING})"
                )

        for model, field in same_tenant_relations():
            source = model._meta.db_table
            target = field.related_model._meta.db_table
            key = _constraint_name("tenant_key", target)
            if not _constraint_exists(cursor, key):
                cursor.execute(f"ALTER TABLE {qn(target)} ADD CONSTRAINT {qn(key)} UNIQUE (tenant_id, id)")
            fk = _constraint_name("same_tenant", source, field.column)
            if not _constraint_exists(cursor, fk):
                cursor.execute(
                    f"ALTER TABLE {qn(source)} ADD CONSTRAINT {qn(fk)} FOREIGN KEY (tenant_id, {qn(field.column)}) "
                    f"REFERENCES {qn(target)} (tenant_id, id) DEFERRABLE INITIALLY DEFERRED"
                )

        app_role = settings.LEAN_APP_DB_ROLE
        cursor.execute("SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [app_role])
        current, app_role_exists = cursor.fetchone()
        if app_role_exists and current != app_role:
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {qn(app_role)}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {qn(app_role)}")


def install_after_migrate(sender, using="default", **kwargs):
    # post_migrate is sent once per app; act on the last one, when every app's tables exist.
    # A test's flush also sends it, as the application role, which may not alter tables: skip then.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label and _is_owner(using):
        install(using)


def _is_owner(using: str) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT tableowner = current_user FROM pg_tables WHERE tablename = 'lean_tenant'")
        row = cursor.fetchone()
    return bool(row and row[0])
