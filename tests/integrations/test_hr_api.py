"""The HR system's API: keys and scopes, the key probe, employee sync (validation, idempotency, deactivation),
final points with cursor pagination, and rate limiting."""

import json
from datetime import date, timedelta
from decimal import Decimal as D
from unittest import mock

import pytest
from django.test import Client

from innovation.services import listings
from lean.apikeys import api_key_create, api_key_revoke
from lean.models import ApiScope, Membership, Unit
from lean.tenancy import tenant_scope
from tests.factories import make_member
from tests.innovation.factories import make_qc
from tests.lean.test_probe import fill, ids_in, not_allowed, tenant_routes

pytestmark = pytest.mark.django_db


def key_for(ts, scopes):
    with tenant_scope(ts.tenant):
        return api_key_create(actor=ts.lean_office, name="test", scopes=scopes)[1]


def api(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def api_routes():
    return [
        (route, kwargs)
        for route, kwargs in tenant_routes()
        if "/api/v1/" in route and "schema" not in route and "docs" not in route
    ]


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


# ---------------------------------------------------------------- keys and scopes


def test_every_operation_refuses_a_key_without_its_scope(two_tenants):
    a, _b = two_tenants
    only_benchmarks = api(key_for(a, ["benchmarking:read"]))
    read_everything = api(key_for(a, [s for s in ApiScope.values if s.endswith(":read")]))
    failures = []
    for route, kwargs in api_routes():
        url = fill(route, a.tenant.slug, ids_in(a.tenant, kwargs))
        area = (
            "hr"
            if route.split("api/v1/")[1].split("/")[0] in ("units", "members", "hr")
            else route.split("api/v1/")[1].split("/")[0]
        )
        for method in ("get", "post"):
            if not_allowed(only_benchmarks, method, url):
                continue
            client = only_benchmarks if method == "get" else read_everything
            needed = f"{area}:{'read' if method == 'get' else 'write'}"
            if needed in (["benchmarking:read"] if method == "get" else []):
                continue
            response = getattr(client, method)(url, content_type="application/json")
            if response.status_code != 403 or response.json()["code"] != "missing_scope":
                failures.append(f"{method.upper()} {url} → {response.status_code}")
    assert failures == []


def test_a_key_with_the_scope_gets_in_and_sets_the_tenant(two_tenants):
    a, _b = two_tenants
    client = api(key_for(a, ["hr:read", "innovation:read"]))
    response = client.get(f"/t/{a.tenant.slug}/api/v1/units/")
    assert response.status_code == 200
    assert {u["code"] for u in response.json()["results"]} == {"HQ", "U1", "U1-T1"}
    assert client.get(f"/t/{a.tenant.slug}/api/v1/innovation/contributions/").status_code == 200


def test_the_probe_with_keys_another_tenants_ids_and_urls_answer_404(two_tenants):
    a, b = two_tenants
    client = api(key_for(a, ApiScope.values))
    failures = []
    for route, kwargs in api_routes():
        own = fill(route, a.tenant.slug, ids_in(a.tenant, kwargs))
        targets = [fill(route, b.tenant.slug, ids_in(b.tenant, kwargs))]
        if kwargs:
            targets.append(fill(route, a.tenant.slug, ids_in(b.tenant, kwargs)))
        for url in targets:
            for method in ("get", "post"):
                if not_allowed(client, method, own):
                    continue
                status = getattr(client, method)(url, content_type="application/json").status_code
                if status != 404:
                    failures.append(f"{method.upper()} {url} → {status}")
    assert failures == []


def test_wrong_revoked_and_orphaned_keys_answer_401(two_tenants):
    a, _b = two_tenants
    url = f"/t/{a.tenant.slug}/api/v1/units/"
    token = key_for(a, ["hr:read"])
    assert api(token).get(url).status_code == 200
    assert api(token[:-2] + "xx").get(url).status_code == 401
    assert api("lk_nonsense").get(url).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").get(url).json()["code"] == "invalid_key"
    with tenant_scope(a.tenant):
        from lean.models import ApiKey

        key = ApiKey.objects.get(prefix="_".join(token.split("_")[:3]))
        assert key.last_used_at is not None and key.digest != token
        api_key_revoke(actor=a.lean_office, key=key)
    response = api(token).get(url)
    assert response.status_code == 401 and response.json()["code"] == "revoked_key"
    other = key_for(a, ["hr:read"])
    with tenant_scope(a.tenant):
        Membership.objects.filter(pk=a.lean_office.pk).update(active=False)
    assert api(other).get(url).json()["code"] == "inactive_key"


def test_the_browser_session_still_works_under_the_same_api(two_tenants, login):
    a, _b = two_tenants
    assert login(a.lean_office).get(f"/t/{a.tenant.slug}/api/v1/hr/points/?period=2025").status_code == 200


def test_a_key_is_throttled_with_retry_after(tenant_a, settings):
    settings.LEAN_API_KEY_RATE = "3/min"
    client = api(key_for(tenant_a, ["hr:read"]))
    url = f"/t/{tenant_a.tenant.slug}/api/v1/units/"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
    assert api(key_for(tenant_a, ["hr:read"])).get(url).status_code == 200  # per key, not per tenant


# ---------------------------------------------------------------- employee sync


def sync_url(ts):
    return f"/t/{ts.tenant.slug}/api/v1/hr/sync/"


BATCH = {
    "units": [
        {"code": "U2", "name": "二分公司", "parent_code": "HQ"},
        {"code": "U2-T1", "name": "二分公司运行班", "parent_code": "U2"},
    ],
    "employees": [
        {
            "employee_number": "E9001",
            "name": "张三",
            "unit_code": "U2-T1",
            "position": "值长",
            "email": "z3@example.com",
        },
        {"employee_number": "E9002", "name": "李四", "unit_code": "U2", "phone": "13800000000"},
    ],
}


def test_sync_creates_units_and_employees_with_logins_and_the_same_batch_changes_nothing(tenant_a):
    a = tenant_a
    client = api(key_for(a, ["hr:write"]))
    first = post_json(client, sync_url(a), BATCH)
    assert first.status_code == 200, first.content
    assert first.json() == {
        "units": {"created": 2, "updated": 0, "unchanged": 0},
        "employees": {"created": 2, "updated": 0, "deactivated": 0, "unchanged": 0},
    }
    with tenant_scope(a.tenant):
        team = Unit.objects.get(code="U2-T1")
        assert team.path.startswith(Unit.objects.get(code="U2").path) and team.parent.code == "U2"
        person = Membership.objects.select_related("user").get(employee_number="E9001")
        assert person.unit == team and person.roles == ["employee"] and person.user.full_name == "张三"
        assert person.user.username == "alpha-e9001" and not person.user.has_usable_password()
        history = Membership.history.count()
    second = post_json(client, sync_url(a), BATCH)
    assert second.json()["employees"] == {"created": 0, "updated": 0, "deactivated": 0, "unchanged": 2}
    assert second.json()["units"] == {"created": 0, "updated": 0, "unchanged": 2}
    with tenant_scope(a.tenant):
        assert Membership.history.count() == history


def test_a_bad_batch_lists_every_problem_by_place_and_changes_nothing(tenant_a):
    a = tenant_a
    client = api(key_for(a, ["hr:write"]))
    bad = {
        "units": [{"code": "U3", "name": "三分公司", "parent_code": "NOPE"}, {"code": "U4", "name": ""}],
        "employees": [
            {"employee_number": "E1", "name": "甲", "unit_code": "U3"},
            {"employee_number": "E1", "name": "乙", "unit_code": "U1", "email": "not-an-email"},
            {"name": "丙", "unit_code": "ZZ", "active": "yes"},
        ],
    }
    response = post_json(client, sync_url(a), bad)
    assert response.status_code == 400 and response.json()["code"] == "invalid_batch"
    assert set(response.json()["field_errors"]) == {
        "units.0.parent_code",
        "units.1.name",
        "units.1.parent_code",
        "employees.1.employee_number",
        "employees.1.email",
        "employees.2.employee_number",
        "employees.2.unit_code",
        "employees.2.active",
    }
    with tenant_scope(a.tenant):
        assert not Unit.objects.filter(code__in=["U3", "U4"]).exists()
        assert not Membership.objects.filter(employee_number="E1").exists()


def test_a_cycle_and_an_oversized_batch_are_refused(tenant_a):
    a = tenant_a
    client = api(key_for(a, ["hr:write"]))
    cycle = {"units": [{"code": "U1", "name": "一分公司", "parent_code": "U1-T1"}]}
    response = post_json(client, sync_url(a), cycle)
    assert response.json()["field_errors"] == {"units.0.parent_code": ["这会使该单位成为其自身的下级。"]}
    big = {"employees": [{"employee_number": f"N{i}", "name": "x", "unit_code": "U1"} for i in range(5001)]}
    assert post_json(client, sync_url(a), big).json()["code"] == "batch_too_large"


def test_deactivating_keeps_the_person_and_their_history(tenant_a):
    a = tenant_a
    client = api(key_for(a, ["hr:write"]))
    post_json(client, sync_url(a), BATCH)
    leaving = {"employees": [{**BATCH["employees"][0], "active": False, "position": "退休"}]}
    response = post_json(client, sync_url(a), leaving)
    assert response.json()["employees"] == {"created": 0, "updated": 0, "deactivated": 1, "unchanged": 0}
    with tenant_scope(a.tenant):
        person = Membership.objects.get(employee_number="E9001")
        assert not person.active and person.position == "退休"
        assert [h.active for h in person.history.order_by("history_date")] == [True, False]


def test_moving_a_unit_moves_its_subtree(tenant_a):
    a = tenant_a
    client = api(key_for(a, ["hr:write"]))
    post_json(client, sync_url(a), BATCH)
    response = post_json(client, sync_url(a), {"units": [{"code": "U2", "name": "二分公司", "parent_code": "U1"}]})
    assert response.json()["units"]["updated"] == 1
    with tenant_scope(a.tenant):
        u1, team = Unit.objects.get(code="U1"), Unit.objects.get(code="U2-T1")
        assert team.path.startswith(u1.path) and team.depth == 3


def test_the_idempotency_key_replays_the_first_answer_and_refuses_another_body(tenant_a):
    a = tenant_a
    client = api(key_for(a, ["hr:write"]))
    first = post_json(client, sync_url(a), BATCH, HTTP_IDEMPOTENCY_KEY="batch-42")
    again = post_json(client, sync_url(a), BATCH, HTTP_IDEMPOTENCY_KEY="batch-42")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert again.json()["employees"]["created"] == 2  # the first answer, not "unchanged"
    other = post_json(client, sync_url(a), {"units": []}, HTTP_IDEMPOTENCY_KEY="batch-42")
    assert other.status_code == 400 and other.json()["code"] == "idempotency_key_reused"


def test_sync_needs_the_write_scope(tenant_a):
    response = post_json(api(key_for(tenant_a, ["hr:read"])), sync_url(tenant_a), BATCH)
    assert response.status_code == 403 and response.json()["code"] == "missing_scope"


# ---------------------------------------------------------------- final points


@pytest.fixture
def finalized(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        people = [make_member(a.team, ["employee"], number=f"P{i:03d}") for i in range(5)]
        for i, person in enumerate(people):
            make_qc(a, team=[(a.manager, D(50)), (person, D(50))], day=date(2025, 3, 1 + i))
        listing = listings.listing_open(
            actor=a.lean_office, period_start=date(2025, 1, 1), period_end=date(2025, 3, 31)
        )
        listings.listing_finalize(actor=a.lean_office, listing=listing, now=listing.closes_at)
        make_qc(a, day=date(2025, 4, 2))  # verified, not listed: never counts
        a.extra["people"] = people
    return a


def points_url(ts, **params):
    query = "&".join(f"{k}={v}" for k, v in {"period": "2025", **params}.items())
    return f"/t/{ts.tenant.slug}/api/v1/hr/points/?{query}"


def test_only_finalized_points_count(finalized):
    a = finalized
    rows = api(key_for(a, ["hr:read"])).get(points_url(a, limit=100)).json()["results"]
    by_number = {r["employee_number"]: r for r in rows}
    assert set(by_number) == {"ALPHA-UM", "P000", "P001", "P002", "P003", "P004"}
    assert by_number["P000"]["points"] == "48.20" and by_number["ALPHA-UM"]["points"] == "241.00"
    assert by_number["ALPHA-UM"]["contributions"] == 5
    assert api(key_for(a, ["hr:read"])).get(points_url(a, period="2024")).json()["results"] == []


def test_cursor_pages_stay_stable_while_data_changes(finalized):
    a = finalized
    client = api(key_for(a, ["hr:read"]))
    first = client.get(points_url(a, limit=3)).json()
    assert [r["employee_number"] for r in first["results"]] == ["ALPHA-UM", "P000", "P001"]
    with tenant_scope(a.tenant):  # someone sorting before the cursor gets final points meanwhile
        early = make_member(a.team, ["employee"], number="A000")
        make_qc(a, team=[(a.manager, D(50)), (early, D(50))], day=date(2025, 6, 1))
        listing = listings.listing_open(
            actor=a.lean_office, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30)
        )
        later = listing.closes_at + timedelta(days=1)
        listing = listings.listing_finalize(actor=a.lean_office, listing=listing, now=later)
    second = client.get(points_url(a, limit=3, cursor=first["next_cursor"])).json()
    assert [r["employee_number"] for r in second["results"]] == ["P002", "P003", "P004"]
    assert second["next_cursor"] is None
    since = (listing.finalized_at - timedelta(seconds=1)).isoformat().replace("+", "%2B")
    changed = client.get(points_url(a, updated_since=since)).json()["results"]
    # the second listing: A000's QC and the QC of April that waited (manager and employee)
    assert {r["employee_number"] for r in changed} == {"A000", "ALPHA-UM", "ALPHA-EM"}


def test_one_employees_points_and_the_unit_totals(finalized):
    a = finalized
    client = api(key_for(a, ["hr:read"]))
    person = client.get(f"/t/{a.tenant.slug}/api/v1/hr/employees/P001/?period=2025").json()
    assert person["points"] == "48.20" and len(person["by_listing"]) == 1
    assert client.get(f"/t/{a.tenant.slug}/api/v1/hr/employees/NOPE/?period=2025").status_code == 404
    units = client.get(f"/t/{a.tenant.slug}/api/v1/hr/points/units/?period=2025").json()["results"]
    assert {(u["unit_code"], u["points"], u["people"]) for u in units} == {("U1", "241.00", 1), ("U1-T1", "241.00", 5)}
    bad = client.get(f"/t/{a.tenant.slug}/api/v1/hr/points/?period=2025-13")
    assert bad.status_code == 400 and "period" in bad.json()["field_errors"]


def time_machine_at(day):
    return mock.patch("integrations.hr.points.timezone.localdate", return_value=day)


def test_an_archive_without_a_period_is_this_years(finalized):
    a = finalized
    client = api(key_for(a, ["hr:read"]))
    with time_machine_at(date(2025, 11, 3)):
        person = client.get(f"/t/{a.tenant.slug}/api/v1/hr/employees/P001/").json()
    assert person["points"] == "48.20"
    with time_machine_at(date(2026, 2, 1)):
        assert client.get(f"/t/{a.tenant.slug}/api/v1/hr/employees/P001/").json()["points"] == "0.00"


def test_the_points_list_runs_the_same_queries_at_two_sizes(finalized):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = finalized
    client = api(key_for(a, ["hr:read"]))
    client.get(points_url(a))  # the key's first use writes its last-used time
    with CaptureQueriesContext(connection) as small:
        client.get(points_url(a))
    with tenant_scope(a.tenant):
        more = [make_member(a.team, ["employee"]) for _ in range(30)]
        for person in more:
            make_qc(a, team=[(a.manager, D(50)), (person, D(50))], day=date(2025, 7, 1))
        listing = listings.listing_open(
            actor=a.lean_office, period_start=date(2025, 7, 1), period_end=date(2025, 7, 31)
        )
        listings.listing_finalize(actor=a.lean_office, listing=listing, now=listing.closes_at)
    with CaptureQueriesContext(connection) as large:
        response = client.get(points_url(a))
    assert len(response.json()["results"]) == 37  # + the 30, and the employee of the April QC
    assert len(large) == len(small)
