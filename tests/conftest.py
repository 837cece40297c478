"""Shared fixtures. Every fixture set has two tenants, so a cross-tenant case is one line.

The test database is created and migrated by the role that owns the tables; the tests themselves run as
the application role, exactly as production does, so row-level security is really exercised.
"""

import copy
import logging
import shutil
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings

from config.celery import app as celery_app
from lean import versioned_cache
from lean.db_roles import as_owner
from lean.models import Tenant

from .factories import PASSWORD, make_tenant_set, populate

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TENANTS = (("alpha", "甲公司"), ("beta", "乙公司"))


# Seeded states: a test that asks for one of these fixtures (and is not transactional) runs on a copy of the test
# database that already holds it, seeded once per session and worker, inside a transaction that is rolled back like
# any `db` test's, so the state stays as seeded for the next test. The demo takes about a minute to seed; the two
# populated tenants are asked for by a hundred and fifty tests.
SHARED_STATES = ("demo", "two_tenants")
TRANSACTIONAL = {"transactional_db", "live_server", "django_db_reset_sequences", "worker"}
_shared = {}  # state -> what its seeding made (the demo's messages, the two tenant sets), once seeded
_current = {"state": None}  # the state the running test is on


def _state_database_name(state: str) -> str:
    return f"{connection.settings_dict['NAME']}_{state.replace('_', '')}"[:63]


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
        # A twin of the fresh test database (same schema, roles, grants and policies, no rows) for each seeded
        # state, seeded on first use. Copied now: a database can only be copied while nobody is connected to it,
        # and later the live server's threads keep their connections.
        test_name = connection.settings_dict["NAME"]
        names = [_state_database_name(state) for state in SHARED_STATES]
        connection.close()
        with connection._nodb_cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{test_name}"')
    yield
    with django_db_blocker.unblock(), as_owner():
        with connection._nodb_cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not django_db_keepdb:
            teardown_databases(db_config, verbosity=0)


@contextmanager
def _on_database(name: str):
    """The default connection points at another database of the same server for a while."""
    assert not connection.in_atomic_block, "switching databases inside a transaction"
    saved = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved


def _seed_demo():
    from config.demo import seed

    return list(seed.seed_all())


def _seed_two_tenants():
    return tuple(populate(make_tenant_set(slug, name)) for slug, name in TENANTS)


SEEDS = {"demo": _seed_demo, "two_tenants": _seed_two_tenants}


def _seed(state, media):
    """Seeded as the application role, in one transaction as a test would; its on-commit work (mails, channel and
    webhook deliveries queued for the Celery worker) is dropped, as in a test whose transaction never commits."""
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=media):
        with transaction.atomic():
            made = SEEDS[state]()
            connection.run_on_commit = []
    cache.clear()
    return made


def _state_of(item):
    names = set(getattr(item, "fixturenames", ()))
    if names & TRANSACTIONAL:
        return None
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return None
    return next((state for state in SHARED_STATES if state in names), None)


def pytest_collection_modifyitems(items):
    for item in items:
        if _state_of(item) is not None and "_shared_database" not in item.fixturenames:
            # Set up before any other fixture, so the test's transaction opens on the seeded database (the list
            # may be shared by the cases of a parametrized test).
            item.fixturenames.insert(0, "_shared_database")
    # The demo's test (tests/test_demo.py, one test, so the demo is seeded once per session) first: its minute of
    # seeding then runs beside the other worker's tests, not alone at the end. After pytest-django's own ordering.
    items.sort(key=lambda item: _state_of(item) != "demo")


@pytest.fixture
def _shared_database(request, django_db_setup, django_db_blocker, tmp_path_factory, tmp_path):
    state = _state_of(request.node)
    media = tmp_path_factory.getbasetemp() / f"seeded-{state}-media"
    with django_db_blocker.unblock(), _on_database(_state_database_name(state)):
        if state not in _shared:
            media.mkdir(exist_ok=True)
            _shared[state] = _seed(state, media)
        # The seed's uploads, where this test's MEDIA_ROOT will be (the _media_in_tmp fixture).
        shutil.copytree(media, tmp_path / "media", dirs_exist_ok=True)
        _current["state"] = state
        try:
            yield
        finally:
            _current["state"] = None


@pytest.fixture
def demo(db):
    """The demo (config.demo.seed.seed_all), seeded once per session, as its seeding left it: the messages it gave."""
    if _current["state"] != "demo":
        pytest.fail("the demo is there for tests that are not transactional only")
    return _shared["demo"]


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


def _tenant_set(request, index):
    if _current["state"] == "two_tenants" and "two_tenants" in request.fixturenames:
        # Seeded once (see SHARED_STATES), a fresh copy for each test: a test may change its objects.
        return _cached(copy.deepcopy(_shared["two_tenants"][index]))
    return _cached(make_tenant_set(*TENANTS[index]))


@pytest.fixture
def tenant_a(db, request):
    return _tenant_set(request, 0)


@pytest.fixture
def tenant_b(db, request):
    return _tenant_set(request, 1)


@pytest.fixture
def two_tenants(tenant_a, tenant_b):
    """Both tenants with a row in every tenant table (the probe and the RLS tests rely on it)."""
    if _current["state"] != "two_tenants":
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
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded attachments go to a throwaway folder, never into .data/media.
    settings.MEDIA_ROOT = tmp_path / "media"
