"""Shared fixtures. Every fixture set has two tenants, so a cross-tenant case is one line.

The test database is created and migrated by the role that owns the tables; the tests themselves run as
the application role, exactly as production does, so row-level security is really exercised.
"""

import logging

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from lean import versioned_cache
from lean.db_roles import as_owner
from lean.models import Tenant

from .factories import PASSWORD, make_tenant_set, populate


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
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock(), as_owner():
            teardown_databases(db_config, verbosity=0)


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
def english(client):
    """The test client reads the pages in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded attachments go to a throwaway folder, never into .data/media.
    settings.MEDIA_ROOT = tmp_path / "media"
