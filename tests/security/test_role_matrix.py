"""The role matrix (tests/security/role_matrix.py) against the running app, and the cases it cannot show alone.

Allowed: 200, 201, 204, 400 (the door opened and the input was judged), or a redirect anywhere but the login.
Refused: a member gets 403, or 404 where the object is not disclosed to them; an anonymous visitor is sent to
the tenant's login from a page (a public page that is off, single sign-on, answers 404) and told 404 by the API
(without a key the tenant's existence is not disclosed);
a key without the operation's scope gets 403 `missing_scope`. Anything else (a 500, a 405 on a listed method)
fails the case.

Every request runs in a savepoint that is rolled back, so a POST that deletes or changes fixture data cannot
change a later case. One client per role, signed in once; the fixture is built once.
"""

import json
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from lean.apikeys import api_key_create
from lean.models import ApiScope, Role
from lean.tenancy import tenant_scope
from tests.factories import make_member, populate
from tests.lean.test_probe import fill, ids_in, walk
from tests.projects.factories import finance_member, make_project

from .role_matrix import ANON, EM, FI, KEY, KEY_ROLES, KEY_WITHOUT_SCOPE, LD, LO, MATRIX, RV, SESSION_ROLES, UM

pytestmark = pytest.mark.django_db


def tenant_routes():
    """(url name, route, URL kwargs, pattern) of every tenant URL."""
    for route, pattern in walk(get_resolver().url_patterns):
        if "<slug:tenant_slug>" in route:
            kwargs = [k for k in re.findall(r"<(?:\w+:)?(\w+)>", route) if k != "tenant_slug"]
            yield pattern.name, route, kwargs, pattern


def api_handlers(pattern) -> set[str] | None:
    """The methods a DRF view answers (None for a page view, whose methods cannot be read off the class)."""
    view = getattr(pattern.callback, "cls", None)
    if view is None:
        return None
    return {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}


def test_every_tenant_url_is_in_the_matrix_and_nothing_else():
    names = [name for name, *_rest in tenant_routes()]
    assert None not in names, "every tenant URL needs a name to be in the role matrix"
    assert sorted(set(names) - set(MATRIX)) == [], "tenant URLs missing from tests/security/role_matrix.py"
    assert sorted(set(MATRIX) - set(names)) == [], "role matrix rows whose URL no longer exists"


def test_the_matrix_lists_the_methods_each_api_operation_takes():
    wrong = []
    for name, route, _kwargs, pattern in tenant_routes():
        rule = MATRIX[name]
        handlers = api_handlers(pattern)
        assert rule.api == ("/api/" in route), f"{name}: mark API routes with api(), pages with page()"
        if handlers is not None and {m for m, _who in rule.methods()} != handlers:
            wrong.append(f"{name}: the view takes {sorted(handlers)}, the matrix lists {rule.methods()}")
    assert wrong == []


@pytest.fixture
def matrix_world(tenant_a, settings):
    """The test tenant with a little of everything, a member per role, and the keys: one client per role."""
    settings.LEAN_API_KEY_RATE = "1000000/min"  # thousands of requests by one key
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"  # no session query per request
    ts = populate(tenant_a)
    with tenant_scope(ts.tenant):
        members = {
            LO: ts.lean_office,
            UM: ts.manager,
            RV: ts.reviewer,
            EM: ts.employee,
            FI: finance_member(ts),
            LD: make_member(ts.hq, [Role.LEADER], number="ALPHA-LD"),
        }
        # For each scope, a key holding every other one: "without the scope" is as close as it gets.
        without = {
            scope: api_key_create(
                actor=ts.lean_office, name=f"not {scope}", scopes=[s for s in ApiScope.values if s != scope]
            )[1]
            for scope in ApiScope.values
        }
        fx = {"attachment_id": ts.extra["project"].attachments.get().pk}
    clients = {ANON: Client()}
    for role, member in members.items():
        clients[role] = Client()
        clients[role].force_login(member.user, backend="lean.auth.TenantLoginBackend")
    for client in clients.values():
        client.handler = clients[ANON].handler  # the middleware chain is loaded once, not once per client
    keys = {KEY: f"Bearer {ts.extra['token']}"} | {scope: f"Bearer {token}" for scope, token in without.items()}
    return ts, clients, keys, fx


def url_ids(ts, kwargs) -> dict:
    ids = ids_in(ts.tenant, kwargs)
    # A person: the employee (self for them, of the manager's unit); a unit: the manager's.
    overrides = {"membership_id": ts.employee.pk, "employee_number": ts.employee.employee_number, "unit_id": ts.unit.pk}
    return {k: overrides.get(k, v) for k, v in ids.items()}


def send(client, method, url, *, api, body, key=None):
    headers = {"HTTP_AUTHORIZATION": key} if key else {}
    if method == "get":  # safe by definition; the writes are rolled back
        return client.get(url, **headers)
    with transaction.atomic():
        if api:
            data = json.dumps(body) if body is not None else ""
            response = getattr(client, method)(url, data=data, content_type="application/json", **headers)
        else:
            response = client.post(url, data=body or {})
        transaction.set_rollback(True)
    return response


def verdict(response, role, *, api, slug) -> str:
    """'allowed', 'refused', or what was unexpected about the response."""
    status = response.status_code
    location = response.headers.get("Location", "")
    to_login = status == 302 and location.split("?")[0] in (f"/t/{slug}/login/", "/login/")
    if role == ANON:
        if status == 404 or (not api and to_login):
            return "refused"
    elif role == KEY_WITHOUT_SCOPE:
        if status == 403 and response.json().get("code") == "missing_scope":
            return "refused"
    elif status in (403, 404):
        return "refused"
    if status in (200, 201, 204, 400) or (status in (301, 302, 303) and not to_login):
        return "allowed"
    return f"answered {status} {location}".strip()


@contextmanager
def doors_only():
    """Pages answer without rendering their templates, the schema without being generated, a filing package
    without its PDF: the matrix asks who gets through each door, which the views decide first (templates hold
    no rules); each app's own tests render and build them. Without this the matrix would take minutes."""
    from django.template.backends.django import Template
    from drf_spectacular.generators import SchemaGenerator

    from projects import filings

    with (
        mock.patch.object(Template, "render", lambda self, context=None, request=None: ""),
        mock.patch.object(SchemaGenerator, "get_schema", lambda self, request=None, public=False: {}),
        mock.patch.object(filings, "package_pdf", lambda project: b"%PDF-1.4"),
        mock.patch.object(filings, "package_zip", lambda project: b"PK"),
    ):
        yield


def test_the_role_matrix(matrix_world):
    ts, clients, keys, fx = matrix_world
    failures, cases = [], 0
    with doors_only():
        for name, route, kwargs, pattern in tenant_routes():
            url = fill(route, ts.tenant.slug, url_ids(ts, kwargs))
            results = check_route(MATRIX[name], name, url, pattern, ts.tenant.slug, clients, keys, fx)
            cases += len(results)
            failures += [failure for failure in results if failure]
    assert cases > 1500
    assert failures == [], "\n".join(failures)


def check_route(rule, name, url, pattern, slug, clients, keys, fx) -> list[str]:
    """One entry per case checked: "" when it held, else what went wrong."""
    from lean.apikeys import scope_for

    results = []
    for method, _who in rule.methods():
        for role in SESSION_ROLES + (KEY_ROLES if rule.api else ()):
            key = keys[KEY] if role == KEY else None
            if role == KEY_WITHOUT_SCOPE:
                key = keys.get(scope_for(pattern.callback.cls(), method.upper()))
                if key is None:  # outside the scoped areas (the schema and its docs): any key of the tenant
                    continue
            client = clients[ANON] if key else clients[role]
            body = rule.body(fx) if rule.body else None  # fresh each time: an upload is read once
            response = send(client, method, url, api=rule.api, body=body, key=key)
            got = verdict(response, role, api=rule.api, slug=slug)
            want = "allowed" if rule.allowed(method, role) else "refused"
            results.append("" if got == want else f"{method.upper()} {name} as {role}: expected {want}, {got}")
    if not rule.api and rule.get is None:
        # A button takes POST only: its GET is refused for the method, before anything else.
        status = clients[LO].get(url).status_code
        results.append("" if status == 405 else f"GET {name}: a POST-only route answered {status}")
    return results


# ---------------------------------------------------------------------------------------------- explicit cases


@pytest.fixture
def two_employees(tenant_a):
    """Two employees of the same team, each with a contribution of their own."""
    from tests.innovation.factories import make_opl

    ts = tenant_a
    with tenant_scope(ts.tenant):
        other = make_member(ts.team, [Role.EMPLOYEE], number="ALPHA-EM2")
        make_opl(ts, ts.employee, title="我的一点课")
        make_opl(ts, other, title="同事的一点课")
    return ts, other


def test_an_employee_never_reads_another_employees_archive(two_employees, login):
    ts, other = two_employees
    client = login(ts.employee)
    base = f"/t/{ts.tenant.slug}"
    assert client.get(f"{base}/innovation/people/{ts.employee.pk}/").status_code == 200
    assert client.get(f"{base}/innovation/people/{other.pk}/").status_code == 404
    assert client.get(f"{base}/api/v1/innovation/archives/employees/{ts.employee.employee_number}/").status_code == 200
    assert client.get(f"{base}/api/v1/innovation/archives/employees/{other.employee_number}/").status_code == 404
    # Nor through the HR API, nor the member pages.
    assert client.get(f"{base}/api/v1/hr/employees/{other.employee_number}/").status_code == 403
    assert client.get(f"{base}/members/{other.pk}/").status_code == 404
    # My own archive page shows my contribution and not my colleague's.
    page = client.get(f"{base}/innovation/").content.decode()
    assert "我的一点课" in page and "同事的一点课" not in page


@pytest.fixture
def two_units(tenant_a):
    """A second unit with its own manager and a draft of its own; the first unit's manager files one too."""
    from lean.services import unit_create
    from tests.targets.factories import make_targets

    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_targets(ts)
        unit2 = unit_create(name="甲公司二分公司", code="U2", parent=ts.hq)
        manager2 = make_member(unit2, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="ALPHA-UM2")
        mine = make_project(ts, title="一分公司的草稿")
        from projects import services

        theirs = services.project_create(
            actor=manager2, title="二分公司的草稿", unit=unit2, problem="煤耗偏高", tier="unit", year=2025
        )
    return ts, manager2, mine, theirs


def test_a_unit_manager_never_sees_another_units_draft(two_units, login):
    ts, manager2, mine, theirs = two_units
    assert theirs.state == "draft"
    client = login(ts.manager)
    base = f"/t/{ts.tenant.slug}"
    mine_page = client.get(f"{base}/projects/").content.decode()
    assert mine.title in mine_page and theirs.title not in mine_page
    assert client.get(f"{base}/projects/{mine.pk}/").status_code == 200
    assert client.get(f"{base}/projects/{theirs.pk}/").status_code == 404
    assert client.get(f"{base}/projects/{theirs.pk}/package.pdf").status_code == 404
    api_list = client.get(f"{base}/api/v1/projects/projects/").json()
    assert [p["id"] for p in api_list["results"]] == [mine.pk]
    assert client.get(f"{base}/api/v1/projects/projects/{theirs.pk}/").status_code == 404
    for url in (f"{base}/projects/portfolio/", f"{base}/projects/portfolio/table/"):
        assert theirs.title not in client.get(url).content.decode(), url
    # The other way round, and the lean office sees both.
    other = login(manager2)
    assert other.get(f"{base}/projects/{mine.pk}/").status_code == 404
    assert other.get(f"{base}/api/v1/projects/projects/{mine.pk}/").status_code == 404
    assert login(ts.lean_office).get(f"{base}/projects/{theirs.pk}/").status_code == 200


def test_a_leader_only_reads_innovation(tenant_a, login):
    """The leader (分管领导) records no contribution, submits no suggestion (page and API) and raises no objection:
    a member holding only that role reads and changes nothing (found by the role matrix)."""
    from innovation.services import listings
    from tests.innovation.factories import make_opl

    ts = tenant_a
    with tenant_scope(ts.tenant):
        leader = make_member(ts.hq, [Role.LEADER], number="ALPHA-LD")
        from innovation.services.contributions import contribution_verify

        opl = make_opl(ts)
        contribution_verify(actor=ts.manager, contribution=opl)
        listings.listing_open(
            actor=ts.lean_office, period_start=opl.occurred_on.replace(day=1), period_end=opl.occurred_on
        )
    client = login(leader)
    base = f"/t/{ts.tenant.slug}"
    suggestion = {"title": "加装清扫器", "problem": "撒煤", "proposal": "加装"}
    assert client.get(f"{base}/innovation/suggestions/new/").status_code == 403
    assert client.post(f"{base}/innovation/suggestions/new/", suggestion).status_code == 403
    assert client.get(f"{base}/innovation/contributions/new/").status_code == 403
    assert client.post(f"{base}/innovation/contributions/{opl.pk}/object/", {"text": "有误"}).status_code == 403
    answer = client.post(f"{base}/api/v1/innovation/suggestions/", suggestion, content_type="application/json")
    assert answer.status_code == 403
    answer = client.post(
        f"{base}/api/v1/innovation/contributions/",
        {"type": "opl", "title": "一点课", "occurred_on": "2025-03-01"},
        content_type="application/json",
    )
    assert answer.status_code == 403
    detail = client.get(f"{base}/innovation/contributions/{opl.pk}/")
    assert detail.status_code == 200  # reading stays open, without the objection form
    assert "innovation-objection" not in detail.content.decode() and "/object/" not in detail.content.decode()
    assert "/suggestions/new/" not in client.get(f"{base}/innovation/suggestions/").content.decode()
    assert "/contributions/new/" not in client.get(f"{base}/innovation/contributions/").content.decode()
    # and an employee still sees all three
    employee = login(ts.employee)
    assert "/object/" in employee.get(f"{base}/innovation/contributions/{opl.pk}/").content.decode()
    assert "/suggestions/new/" in employee.get(f"{base}/innovation/suggestions/").content.decode()
