"""A fuzz run of the OpenAPI schema (schemathesis): every operation, called with generated input through the
WSGI app with a key holding every scope, never answers 500 and answers what the schema says: a documented status
code, the documented content type, and a body that matches the documented schema.

FUZZ_EXAMPLES sets the examples per operation: a few in `make test`, 200 in `make fuzz`."""

import os
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lean.apikeys import api_key_create
from lean.models import ApiScope
from lean.tenancy import tenant_scope

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


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


def _failure_line(failure) -> str:
    message = " ".join(str(failure.message or "").split())
    return f"{failure.title}: {message[:300]}"


def fuzz(operation, app, headers) -> tuple[int, dict[str, str]]:
    """EXAMPLES generated calls of one operation: how many ran, and what went wrong → one request that did."""
    found: dict[str, str] = {}
    count = 0

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        nonlocal count
        count += 1
        response = case.call(app=app, base_url="http://testserver", headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                found.setdefault(_failure_line(failure), f"{case.method} {case.formatted_path}")

    run()
    return count, found


def test_the_api_answers_generated_input_as_its_schema_says(fuzz_setup, client):
    a, token = fuzz_setup
    headers = {"Authorization": f"Bearer {token}"}
    client.defaults["HTTP_AUTHORIZATION"] = headers["Authorization"]
    schema = schemathesis.openapi.from_dict(tenant_schema(client, a.tenant.slug))
    failures: dict[str, dict[str, str]] = {}  # operation → what went wrong → one request that did
    operations = examples = 0
    with wsgi_app() as app:
        for result in schema.get_all_operations():
            operation = result.ok()
            count, found = fuzz(operation, app, headers)
            operations, examples = operations + 1, examples + count
            if found:
                failures[f"{operation.method.upper()} {operation.path}"] = found
    assert operations > 40
    assert examples >= operations
    report = "\n".join(
        f"{label}\n" + "".join(f"  {kind} [{request}]\n" for kind, request in sorted(kinds.items())[:3])
        for label, kinds in sorted(failures.items())
    )
    assert not failures, f"{len(failures)} of {operations} operations ({examples} examples):\n{report}"
