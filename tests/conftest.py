"""Shared fixtures. Every fixture set has two tenants, so a cross-tenant case is one line.

The test database is created and migrated by the role that owns the tables; the tests themselves run as
the application role, exactly as production does, so row-level security is really exercised.
"""

import logging
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings

from lean import versioned_cache
from lean.celery import app as celery_app
from lean.db_roles import as_owner
from lean.models import Tenant

from .factories import PASSWORD, make_tenant_set, populate

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _demo_database_name() -> str:
    return f"{connection.settings_dict['NAME']}_demo"[:63]


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_modify_db_settings, django_db_blocker, django_db_keepdb
):
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock(), as_owner():
        db_config = setup_databases(verbosity=0, interactive=False, keepdb=django_db_keepdb)
        with connection.cursor() as cursor:
            # Transactional tests (live server, worker) flush tables between tests; TRUNCATE ignores RLS and is
            # granted only in the test database.
            cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {settings.LEAN_APP_DB_ROLE}")
            # Tests that bulk-insert thousands of rows ANALYZE them (tests.factories.analyze), as autovacuum would in
            # production; otherwise the planner guesses from empty tables and the page takes minutes.
            cursor.execute(f"GRANT MAINTAIN ON ALL TABLES IN SCHEMA public TO {settings.LEAN_APP_DB_ROLE}")
        # A twin of the fresh test database (same schema, roles, grants and policies, no rows) for the demo, which
        # the `demo` fixture seeds on first use. Copied now: a database can only be copied while nobody is
        # connected to it, and later the live server's threads keep their connections.
        demo_name, test_name = _demo_database_name(), connection.settings_dict["NAME"]
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{demo_name}"')
            cursor.execute(f'CREATE DATABASE "{demo_name}" TEMPLATE "{test_name}"')
    yield
    with django_db_blocker.unblock(), as_owner():
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{demo_name}" WITH (FORCE)')
        if not django_db_keepdb:
            teardown_databases(db_config, verbosity=0)


@contextmanager
def _on_database(name: str):
    """The default connection points at another database of the same server for a while."""
    if connection.in_atomic_block:
        pytest.fail("the demo fixture must come before any fixture that uses the database")
    saved = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved


@pytest.fixture(scope="session")
def _demo_seed(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo (lean.demo.seed.seed_all), seeded once per session and worker into the demo database; its messages.

    Seeded as the application role, in one transaction as a test would; its on-commit work (mails, channel and
    webhook deliveries queued for the Celery worker) is dropped, as in a test whose transaction never commits."""
    from lean.demo import seed

    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        _on_database(_demo_database_name()),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=media),
    ):
        with transaction.atomic():
            messages = list(seed.seed_all())
            connection.run_on_commit = []
    cache.clear()
    return messages


@pytest.fixture
def demo(request, _demo_seed, django_db_blocker):
    """The seeded demo, shared by every test that asks for it: the messages of its seeding. The test runs on the
    demo database inside a transaction that is rolled back, like any `db` test, so the demo stays as seeded.

    Ask for it before `db` or any fixture that touches the database."""
    with _on_database(_demo_database_name()):
        request.getfixturevalue("db")
        yield _demo_seed
        # pytest-django rolls the test's transaction back (its `db` fixture ends first), then the connection
        # returns to the test database.


def pytest_collection_modifyitems(items):
    # With `--dist loadgroup` (pyproject.toml) the tests on the demo run on one worker, so it is seeded only once.
    for item in items:
        if "demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("demo"))


@pytest.fixture
def worker(transactional_db):
    """A real Celery worker in a thread, on the embedded Redis broker.

    The worker thread has its own database connection, so the data it reads must be committed. Starting it
    sets the root logger's level to the worker's (ERROR); the level is put back afterwards, or every later test
    in this process would lose its WARNING and INFO records."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers


def _cached(tenant_set):
    # In production a tenant's lookup by its slug is nearly always in the cache (lean.versioned_cache), so the
    # tests' first request is made like the others: query counts compare requests, not a cold and a warm one.
    slug = tenant_set.tenant.slug
    versioned_cache.get_or_compute("lean.tenant", slug, lambda: Tenant.objects.filter(slug=slug, active=True).first())
    return tenant_set


@pytest.fixture
def tenant_a(db):
    return _cached(make_tenant_set("alpha", "甲公司"))


@pytest.fixture
def tenant_b(db):
    return _cached(make_tenant_set("beta", "乙公司"))


@pytest.fixture
def two_tenants(tenant_a, tenant_b):
    """Both tenants with a row in every tenant table (the probe and the RLS tests rely on it)."""
    for tenant_set in (tenant_a, tenant_b):
        populate(tenant_set)
    return tenant_a, tenant_b


@pytest.fixture
def login(client):
    """login(membership) signs the test client in as that member's user."""

    def _login(membership):
        client.force_login(membership.user, backend="lean.auth.TenantLoginBackend")
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded attachments go to a throwaway folder, never into .data/media.
    settings.MEDIA_ROOT = tmp_path / "media"
