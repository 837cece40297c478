"""The cross-tenant probe: every URL of the project, as a member of tenant A, with tenant B's ids → 404; and
every API URL once more with tenant A's API key (every scope), for every method the operation takes.

New apps' URLs are covered automatically: a URL kwarg named `<model>_id` is filled with the id of one of
tenant B's rows of that model. A kwarg the probe cannot map, or a model with no row in tenant B, fails
the test, so the probe can never silently skip a page.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from lean import rls
from lean.apikeys import api_key_create
from lean.models import ApiScope
from lean.tenancy import tenant_scope

METHODS = ("get", "post")
API_METHODS = ("get", "post", "put", "patch", "delete")


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue  # the platform operator's admin, outside every tenant
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


# URL kwargs that name a row by a natural key instead of its id: kwarg → (model, field).
NATURAL_KEYS = {"employee_number": ("lean.Membership", "employee_number")}


def model_for_kwarg(kwarg: str):
    if kwarg in NATURAL_KEYS:
        from django.apps import apps

        return apps.get_model(NATURAL_KEYS[kwarg][0])
    name = kwarg.removesuffix("_id").replace("_", "")
    for model in rls.tenant_models():
        if model._meta.model_name == name:
            return model
    return None


def not_allowed(client, method, url) -> bool:
    """The view does not take this method at all (405 before any lookup): nothing about the id can leak."""
    return getattr(client, method)(url).status_code == 405


def tenant_routes():
    """(route, kwargs other than the tenant slug) for every tenant URL pattern."""
    for route, _pattern in walk(get_resolver().url_patterns):
        if "<slug:tenant_slug>" in route:
            yield route, [k for k in re.findall(r"<(?:\w+:)?(\w+)>", route) if k != "tenant_slug"]


def api_routes():
    """(route, kwargs, methods) for every API URL pattern; the methods are those its view class answers."""
    for route, pattern in walk(get_resolver().url_patterns):
        if "<slug:tenant_slug>" in route and "/api/v1/" in route:
            view_class = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            methods = [m for m in API_METHODS if view_class is None or hasattr(view_class, m)]
            yield route, [k for k in re.findall(r"<(?:\w+:)?(\w+)>", route) if k != "tenant_slug"], methods


def fill(route: str, slug: str, ids: dict) -> str:
    url = route.replace("<slug:tenant_slug>", slug)
    for kwarg, value in ids.items():
        url = re.sub(rf"<(?:\w+:)?{kwarg}>", str(value), url)
    return "/" + url


def ids_in(tenant, kwargs):
    ids = {}
    with tenant_scope(tenant):
        for kwarg in kwargs:
            model = model_for_kwarg(kwarg)
            assert model is not None, f"the probe cannot tell which model URL kwarg {kwarg!r} names"
            obj = model._default_manager.order_by("pk").first()
            assert obj is not None, f"tenant B has no {model.__name__}: add one to the probe's fixtures"
            ids[kwarg] = getattr(obj, NATURAL_KEYS[kwarg][1]) if kwarg in NATURAL_KEYS else obj.pk
    return ids


@pytest.fixture
def probe(two_tenants, login):
    a, b = two_tenants
    # The most privileged member of A: whatever A's lean office may not open in B, nobody may.
    return a, b, login(a.lean_office)


@pytest.fixture
def a_key(two_tenants, settings):
    """The header of A's API key holding every scope: the API is probed with it as well as with the session."""
    settings.LEAN_API_KEY_RATE = "1000000/min"
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        _key, token = api_key_create(actor=a.lean_office, name="probe", scopes=ApiScope.values)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_probe_covers_the_tenant_urls():
    routes = dict(tenant_routes())
    assert any("units/<int:unit_id>" in r for r in routes)
    assert any("api/v1/members/<int:membership_id>" in r for r in routes)


def test_the_probe_covers_the_api_urls_and_their_methods():
    routes = {route: methods for route, _kwargs, methods in api_routes()}
    assert len(routes) > 40
    assert routes["t/<slug:tenant_slug>/api/v1/benchmarking/peers/<int:peer_id>/"] == ["get", "patch"]
    assert routes["t/<slug:tenant_slug>/api/v1/hr/sync/"] == ["post"]


def not_404(client, url, own_url):
    """Every method the view takes, on `url`, must answer 404; `own_url` tells which methods it takes."""
    return [
        f"{method.upper()} {url} → {status}"
        for method in METHODS
        if not not_allowed(client, method, own_url) and (status := getattr(client, method)(url).status_code) != 404
    ]


def with_key(client, key, method, url) -> int:
    """The status of `method` on `url` with the API key (a JSON body `{}` for the methods that take one)."""
    body = {} if method in ("post", "put", "patch") else None
    return getattr(client, method)(url, body, content_type="application/json", **key).status_code


def key_not_404(client, key, url, methods):
    return [
        f"{method.upper()} {url} with A's key → {status}"
        for method in methods
        if (status := with_key(client, key, method, url)) != 404
    ]


def test_another_tenants_ids_answer_404(probe, a_key):
    a, b, client = probe
    failures = []
    for route, kwargs in tenant_routes():
        if kwargs:
            url = fill(route, a.tenant.slug, ids_in(b.tenant, kwargs))
            failures += not_404(client, url, own_url=fill(route, a.tenant.slug, ids_in(a.tenant, kwargs)))
    for route, kwargs, methods in api_routes():
        if kwargs:
            failures += key_not_404(client, a_key, fill(route, a.tenant.slug, ids_in(b.tenant, kwargs)), methods)
    assert failures == []


def test_another_tenants_urls_answer_404_to_a_non_member(probe, a_key):
    a, b, client = probe
    failures = []
    for route, kwargs in tenant_routes():
        url = fill(route, b.tenant.slug, ids_in(b.tenant, kwargs))
        if not url.endswith("/login/"):  # the tenant's sign-in page is public by design
            failures += not_404(client, url, own_url=fill(route, a.tenant.slug, ids_in(a.tenant, kwargs)))
    # Another tenant's key is "not found" there, whatever the URL and the method.
    for route, kwargs, methods in api_routes():
        failures += key_not_404(client, a_key, fill(route, b.tenant.slug, ids_in(b.tenant, kwargs)), methods)
    assert failures == []


def test_the_same_ids_in_the_own_tenant_do_not_404(probe, a_key):
    """Guards the probe itself: with A's own ids the pages exist, so the 404s above mean isolation."""
    a, b, client = probe
    for route, kwargs in tenant_routes():
        if not kwargs:
            continue
        url = fill(route, a.tenant.slug, ids_in(a.tenant, kwargs))
        assert client.get(url).status_code in (200, 302, 403, 405), url
    for route, kwargs, methods in api_routes():
        if kwargs:
            url = fill(route, a.tenant.slug, ids_in(a.tenant, kwargs))
            method = "get" if "get" in methods else methods[0]  # the POST-only operations get an empty body
            assert with_key(client, a_key, method, url) in (200, 400, 403, 409), f"{method.upper()} {url} with A's key"
