"""A fuzz run of the OpenAPI schema (schemathesis): every operation, called with generated input through the
WSGI app with a key holding every scope, never answers 500."""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings

from lean.apikeys import api_key_create
from lean.models import ApiScope
from lean.tenancy import tenant_scope

pytestmark = pytest.mark.django_db

EXAMPLES = 8


def tenant_schema(client, slug) -> dict:
    """The schema with the tenant fixed: paths name this tenant, and tenant_slug is no longer a parameter."""
    raw = client.get(f"/t/{slug}/api/v1/schema/?format=json").json()
    paths = {}
    for path, item in raw["paths"].items():
        for operation in item.values():
            if isinstance(operation, dict):
                operation["parameters"] = [p for p in operation.get("parameters", []) if p["name"] != "tenant_slug"]
        item.pop("parameters", None)
        paths[path.replace("{tenant_slug}", slug)] = item
    raw["paths"] = paths
    return raw


@contextmanager
def wsgi_app():
    """The real WSGI app, but, as Django's test client does, without closing the test's database connection at
    the end of each request (so no Django test client request may run inside: it reconnects the signals)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_setup(two_tenants, settings):
    settings.LEAN_API_KEY_RATE = "1000000/min"
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        _key, token = api_key_create(actor=a.lean_office, name="fuzz", scopes=ApiScope.values)
    return a, token


def test_the_api_never_answers_500_to_generated_input(fuzz_setup, client):
    a, token = fuzz_setup
    headers = {"Authorization": f"Bearer {token}"}
    client.defaults["HTTP_AUTHORIZATION"] = headers["Authorization"]
    raw = tenant_schema(client, a.tenant.slug)
    schema = schemathesis.openapi.from_dict(raw)
    failures, operations = [], 0
    with wsgi_app() as app:
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1

            @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def run(case):
                response = case.call(app=app, base_url="http://testserver", headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} → {response.status_code}")

            run()
    assert operations > 40
    assert failures == []
