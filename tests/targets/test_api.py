"""The target tree's REST API: lists and filters, readings one by one and in bulk (all or nothing),
corrections with history, permissions per role, the stable error shape, query counts, the OpenAPI schema."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lean import periods
from lean.services import unit_create
from lean.tenancy import tenant_scope
from targets import selectors, services
from targets.models import Reading, Shortfall

from .factories import branch, make_indicator, read

API = "/t/alpha/api/v1"
T = f"{API}/targets"
ERROR_KEYS = {"code", "message", "field_errors"}


@pytest.fixture
def data(tenant_a):
    """A 2024 tree: A1.1 (unit and team, target 100), A1.2 (lower is better, unit), S1 (a sibling unit U2)."""
    a = tenant_a
    with tenant_scope(a.tenant):
        tree = services.tree_create(year=2024)
        sibling = unit_create(name="二分公司", code="U2", parent=a.hq)
        goal = services.node_create(parent=branch(tree), code="A1", name="安全", owner_unit=a.hq, weight=2)
        up = make_indicator(goal, "A1.1", [a.unit, a.team], target=100, name="可用率")
        cost = make_indicator(goal, "A1.2", [a.unit], direction="lower", target=50, name="成本")
        side = make_indicator(branch(tree, "support"), "S1", [sibling], target=10, name="外部")
        read(a.lean_office, up, a.unit, "2024-01", 90)  # a shortfall of the manager's unit
        read(a.lean_office, side, sibling, "2024-01", 5)  # a shortfall of another unit
    a.extra.update(tree=tree, sibling=sibling, goal=goal, up=up, cost=cost, side=side)
    return a


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def readings_count(a):
    with tenant_scope(a.tenant):
        return Reading.objects.count()


def shortfall_of(a, unit):
    with tenant_scope(a.tenant):
        return selectors.shortfall_get(shortfall_id=Shortfall.objects.get(unit=unit).pk)


# ---------------------------------------------------------------- trees and indicators


def test_tree_list_and_tree_with_scores(data, login):
    a, x = data, data.extra
    client = login(a.employee)
    trees = client.get(f"{T}/trees/").json()["results"]
    assert [(t["year"], t["indicator_count"]) for t in trees] == [(2024, 3)]

    body = client.get(f"{T}/trees/{x['tree'].pk}/", {"period": "2024-01"}).json()
    assert body["period"] == "2024-01" and body["unit_id"] is None
    nodes = {n["code"]: n for n in body["nodes"]}
    assert nodes["A1.1"]["is_indicator"] and nodes["A1.1"]["indicator_id"] == x["up"].pk
    assert nodes["A1.1"]["parent_id"] == x["goal"].pk and nodes["A1.1"]["depth"] == 2
    assert nodes["A1.1"]["score"] == {
        "achievement": "0.9000",
        "missed": 1,
        "units": 1,
        "level": "warn",
        "actual": "90.0000",
        "target": "100.0000",
    }
    assert nodes["A1"]["indicator_id"] is None and nodes["A1"]["owner_unit"] == "HQ"
    assert nodes["A1.2"]["score"] is None  # no reading: no score, not zero
    assert Decimal(body["overall"]) == Decimal("0.7")  # core 0.9 and support 0.5, equal weights

    only_unit = client.get(f"{T}/trees/{x['tree'].pk}/", {"period": "2024-Q1", "unit": a.unit.pk}).json()
    scored = {n["code"] for n in only_unit["nodes"] if n["score"]}
    assert scored == {"A", "A1", "A1.1"} and only_unit["unit_id"] == a.unit.pk


def test_the_tree_defaults_to_its_year(data, login):
    body = login(data.employee).get(f"{T}/trees/{data.extra['tree'].pk}/").json()
    assert body["period"] == "2024" and body["overall"] is not None


@pytest.mark.parametrize(
    "url",
    ["trees/{tree}/?period=2024-13", "readings/?period=soon", "shortfalls/?period=Q5", "trees/{tree}/?unit=999999"],
)
def test_bad_filters_answer_400_in_the_stable_shape(data, login, url):
    response = login(data.employee).get(f"{T}/" + url.format(tree=data.extra["tree"].pk))
    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == "invalid"
    assert set(body["field_errors"]) <= {"period", "unit"} and body["field_errors"]


def test_indicator_list_filters_and_detail(data, login):
    a, x = data, data.extra
    client = login(a.employee)
    codes = [i["code"] for i in client.get(f"{T}/indicators/", {"year": 2024}).json()["results"]]
    assert codes == ["A1.1", "A1.2", "S1"]
    assert client.get(f"{T}/indicators/", {"year": 2023}).json()["count"] == 0
    assert [i["code"] for i in client.get(f"{T}/indicators/", {"q": "成本"}).json()["results"]] == ["A1.2"]
    assert client.get(f"{T}/indicators/", {"tree": x["tree"].pk}).json()["count"] == 3

    detail = client.get(f"{T}/indicators/{x['up'].pk}/").json()
    assert detail["direction"] == "higher" and detail["frequency"] == "month" and detail["measure_unit"] == "%"
    assert [u["code"] for u in detail["units"]] == ["U1", "U1-T1"]
    assert len(detail["targets"]) == 12 and detail["targets"][0] == {
        "period": "2024-01",
        "unit_id": None,
        "value": "100.0000",
    }
    assert client.get(f"{T}/indicators/999999/").status_code == 404


# ---------------------------------------------------------------- readings


def test_create_one_reading_by_id_or_by_code(data, login):
    a, x = data, data.extra
    client = login(a.manager)
    response = post(
        client, f"{T}/readings/", {"indicator_id": x["up"].pk, "unit_id": a.team.pk, "period": "2024-02", "value": 101}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["unit_code"] == "U1-T1" and body["value"] == "101.0000" and body["source"] == "api"
    assert body["entered_by"] == a.manager.user.display_name

    by_code = {
        "indicator_code": "A1.2",
        "year": 2024,
        "unit_code": "U1",
        "period": "2024-03",
        "value": "60.5",
        "note": "估",
    }
    response = post(client, f"{T}/readings/", by_code)
    assert response.status_code == 201 and response.json()["note"] == "估"
    with tenant_scope(a.tenant):  # 60.5 against 50, lower is better: a shortfall was found at once
        assert Shortfall.objects.filter(indicator=x["cost"], period_start="2024-03-01").exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"unit_code": "U1", "period": "2024-02", "value": 1}, "indicator_id"),
        (
            {"indicator_code": "NOPE", "year": 2024, "unit_code": "U1", "period": "2024-02", "value": 1},
            "indicator_code",
        ),
        ({"indicator_code": "A1.1", "year": 2024, "unit_code": "XX", "period": "2024-02", "value": 1}, "unit_code"),
        ({"indicator_code": "A1.1", "year": 2024, "unit_code": "U1", "period": "2024-02", "value": "x"}, "value"),
        ({"indicator_code": "A1.1", "year": 2024, "unit_code": "U1", "period": "Feb", "value": 1}, "period"),
        (
            {"indicator_code": "A1.1", "year": 2024, "unit_code": "U1", "period": "2024-Q1", "value": 1},
            "non_field_errors",
        ),
    ],
)
def test_a_bad_reading_is_400_naming_its_field(data, login, body, field):
    response = post(login(data.lean_office), f"{T}/readings/", body)
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS and field in response.json()["field_errors"]
    assert readings_count(data) == 2


def test_reading_list_filters_and_pages(data, login):
    a, x = data, data.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["up"], a.team, "2024-01", 100)
        read(a.lean_office, x["up"], a.unit, "2024-02", 100)
    client = login(a.employee)
    everything = client.get(f"{T}/readings/").json()
    assert everything["count"] == 4 and everything["next"] is None
    assert [r["period"] for r in everything["results"]] == ["2024-02", "2024-01", "2024-01", "2024-01"]

    def units(**filters):
        return sorted(r["unit_code"] for r in client.get(f"{T}/readings/", filters).json()["results"])

    assert units(unit=a.unit.pk) == ["U1", "U1", "U1-T1"]  # the unit and the team below it
    assert units(unit=a.team.pk) == ["U1-T1"]
    assert units(period="2024-02") == ["U1"]
    assert units(period="2024-Q1", indicator=x["side"].pk) == ["U2"]
    assert units(tree=x["tree"].pk, period="2024") == ["U1", "U1", "U1-T1", "U2"]


def test_readings_are_paged_by_100(data, login):
    a, x = data, data.extra
    with tenant_scope(a.tenant):
        month = periods.parse("2024-01")
        extra = [unit_create(name=f"班组{i}", code=f"T{i}", parent=a.unit) for i in range(120)]
        services.indicator_update(indicator=x["up"], units=[a.unit, a.team, *extra])
        items = [services.ReadingInput(x["up"], unit, month, Decimal(100)) for unit in extra]
        services.readings_save(actor=a.lean_office, items=items)
    client = login(a.employee)
    first = client.get(f"{T}/readings/").json()
    assert first["count"] == 122 and len(first["results"]) == 100
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 22
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def row(indicator="A1.1", unit="U1", period="2024-02", value=95, **extra):
    return {"indicator_code": indicator, "year": 2024, "unit_code": unit, "period": period, "value": value, **extra}


def test_bulk_stores_all(data, login):
    a, x = data, data.extra
    rows = [row(), row(unit="U1-T1"), row(indicator="A1.2", value=40), row(period="2024-01", value=100)]
    response = post(login(a.lean_office), f"{T}/readings/bulk/", {"readings": rows})
    assert response.status_code == 201, response.json()
    assert response.json()["saved"] == 4 and len(response.json()["ids"]) == 4
    assert readings_count(a) == 5  # the January reading of A1.1 for U1 was corrected, not added
    with tenant_scope(a.tenant):  # ... which resolved its shortfall
        assert Shortfall.objects.get(indicator=x["up"], unit=a.unit, period_start="2024-01-01").resolved


def test_bulk_with_bad_items_stores_nothing_and_lists_every_error_by_index(data, login):
    a = data
    rows = [
        row(),
        row(indicator="NOPE"),  # unknown indicator
        row(period="2024-Q1"),  # the indicator is monthly
        row(value="lots"),  # not a number
        row(unit="U2"),  # A1.1 does not apply to U2
        row(unit="U1-T1"),
        row(),  # the same reading as item 0
        {"indicator_id": 1},  # no unit, period or value
    ]
    response = post(login(a.lean_office), f"{T}/readings/bulk/", {"readings": rows})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_rows" and set(body) == ERROR_KEYS
    assert sorted(body["field_errors"], key=int) == ["1", "2", "3", "4", "6", "7"]
    assert all(isinstance(m, str) for messages in body["field_errors"].values() for m in messages)
    assert any("value" in m for m in body["field_errors"]["3"])
    assert readings_count(a) == 2


def test_bulk_envelope_is_checked(data, login):
    client = login(data.lean_office)
    for body in ({}, {"readings": []}, {"readings": [row()] * 5001}, [row()]):
        response = post(client, f"{T}/readings/bulk/", body)
        assert response.status_code == 400 and set(response.json()) == ERROR_KEYS
    assert readings_count(data) == 2


def test_bulk_runs_the_same_number_of_queries_for_5_and_for_50_items(data, login):
    a, x = data, data.extra
    with tenant_scope(a.tenant):
        teams = [unit_create(name=f"班组{i}", code=f"T{i}", parent=a.unit) for i in range(100)]
        services.indicator_update(indicator=x["up"], units=[a.unit, a.team, *teams])
    client = login(a.lean_office)

    def queries(units, month):
        with CaptureQueriesContext(connection) as context:
            rows = [row(unit=unit.code, period=month) for unit in units]
            assert post(client, f"{T}/readings/bulk/", {"readings": rows}).status_code == 201
        return len(context)

    assert queries(teams[:5], "2024-03") == queries(teams[50:], "2024-04")


def test_a_correction_keeps_the_old_value_in_the_history(data, login):
    a, x = data, data.extra
    with tenant_scope(a.tenant):
        reading = Reading.objects.get(indicator=x["up"], unit=a.unit)
    client = login(a.manager)
    response = patch(client, f"{T}/readings/{reading.pk}/", {"value": "99.5"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["value"] == "99.5000" and body["source"] == "api"
    assert [h["value"] for h in body["history"]] == ["99.5000", "90.0000"]
    assert body["history"][0]["changed_by"] == a.manager.user.display_name

    assert patch(client, f"{T}/readings/{reading.pk}/", {"note": "复核"}).json()["value"] == "99.5000"
    assert client.get(f"{T}/readings/{reading.pk}/").json()["note"] == "复核"
    assert patch(client, f"{T}/readings/{reading.pk}/", {"value": "abc"}).status_code == 400
    assert client.get(f"{T}/readings/999999/").status_code == 404


# ---------------------------------------------------------------- who may enter readings


def test_a_manager_enters_readings_only_for_their_own_units(data, login):
    a, x = data, data.extra
    client = login(a.manager)
    other = {"indicator_id": x["side"].pk, "unit_id": x["sibling"].pk, "period": "2024-02", "value": 1}
    response = post(client, f"{T}/readings/", other)
    assert response.status_code == 403 and set(response.json()) == ERROR_KEYS

    response = post(client, f"{T}/readings/bulk/", {"readings": [row(unit="U1-T1"), row(indicator="S1", unit="U2")]})
    assert response.status_code == 400
    assert list(response.json()["field_errors"]) == ["1"]
    assert readings_count(a) == 2

    with tenant_scope(a.tenant):
        theirs = Reading.objects.get(unit=x["sibling"])
    assert patch(client, f"{T}/readings/{theirs.pk}/", {"value": 10}).status_code == 403


def test_an_employee_reads_but_cannot_enter_readings(data, login):
    a, x = data, data.extra
    client = login(a.employee)
    assert client.get(f"{T}/readings/").status_code == 200
    assert post(client, f"{T}/readings/", row(unit="U1-T1")).status_code == 403
    assert post(client, f"{T}/readings/bulk/", {"readings": [row(unit="U1-T1")]}).status_code == 403
    with tenant_scope(a.tenant):
        reading = Reading.objects.get(indicator=x["up"], unit=a.unit)
    assert client.get(f"{T}/readings/{reading.pk}/").status_code == 200
    assert patch(client, f"{T}/readings/{reading.pk}/", {"value": 1}).status_code == 403
    assert readings_count(a) == 2


# ---------------------------------------------------------------- shortfalls


def test_shortfall_list_filters(data, login):
    a, x = data, data.extra
    client = login(a.employee)

    def codes(**filters):
        response = client.get(f"{T}/shortfalls/", filters)
        assert response.status_code == 200, response.json()
        return [s["unit_code"] for s in response.json()["results"]]

    assert codes() == ["U1", "U2"]
    assert codes(unit=a.unit.pk) == ["U1"] and codes(unit=a.team.pk) == []
    assert codes(branch="support") == ["U2"]
    assert codes(period="2024-Q1") == ["U1", "U2"] and codes(period="2024-02") == []
    assert codes(tree=x["tree"].pk, source="target", uncovered="true") == ["U1", "U2"]
    assert codes(assessed="true") == [] and codes(assessed="false") == ["U1", "U2"]
    first = client.get(f"{T}/shortfalls/").json()["results"][0]
    assert first["indicator_code"] == "A1.1" and first["gap"] == "10.0000" and first["assessed"] is False
    with tenant_scope(a.tenant):
        read(a.lean_office, x["up"], a.unit, "2024-01", 100)  # met: the shortfall is resolved
    assert codes() == ["U2"] and codes(include_resolved="true") == ["U1", "U2"]


@pytest.mark.parametrize(
    "who, unit, change, status",
    [
        ("manager", "unit", {"analysis": "设备老化", "actions": "更换"}, 200),
        ("manager", "sibling", {"analysis": "不关我事"}, 403),
        ("manager", "unit", {"assessed": True}, 403),
        ("manager", "unit", {"analysis": "半途", "assessed": True}, 403),
        ("employee", "unit", {"analysis": "看看"}, 403),
        ("reviewer", "unit", {"assessed": True}, 403),
        ("lean_office", "sibling", {"assessed": True}, 200),
        ("lean_office", "unit", {"analysis": "精益办", "assessed": True}, 200),
    ],
)
def test_shortfall_patch_permissions(data, login, who, unit, change, status):
    a = data
    unit = a.unit if unit == "unit" else a.extra["sibling"]
    shortfall = shortfall_of(a, unit)
    response = patch(login(getattr(a, who)), f"{T}/shortfalls/{shortfall.pk}/", change)
    assert response.status_code == status
    after = shortfall_of(a, unit)
    if status == 200:
        body = response.json()
        assert all(body[field] == value for field, value in change.items())
        assert after.assessed == change.get("assessed", False) and after.analysis == change.get("analysis", "")
    else:
        assert set(response.json()) == ERROR_KEYS
        assert not after.assessed and after.analysis == ""  # nothing half saved


def test_shortfall_detail(data, login):
    shortfall = shortfall_of(data, data.unit)
    body = login(data.employee).get(f"{T}/shortfalls/{shortfall.pk}/").json()
    assert body["id"] == shortfall.pk and body["period"] == "2024-01" and body["achievement"] == "0.9000"


# ---------------------------------------------------------------- other tenants, query counts, schema


def test_another_tenants_rows_are_not_found(two_tenants, login):
    a, b = two_tenants
    with tenant_scope(b.tenant):
        reading = Reading.objects.first()
        shortfall = Shortfall.objects.first()
        indicator = b.extra["uptime"]
    client = login(a.lean_office)
    assert client.get(f"{T}/readings/{reading.pk}/").status_code == 404
    assert patch(client, f"{T}/readings/{reading.pk}/", {"value": 1}).status_code == 404
    assert patch(client, f"{T}/shortfalls/{shortfall.pk}/", {"assessed": True}).status_code == 404
    assert client.get(f"{T}/indicators/{indicator.pk}/").status_code == 404
    assert client.get(f"{T}/trees/{b.extra['tree'].pk}/").status_code == 404
    assert client.get(f"{T}/readings/", {"unit": b.unit.pk}).status_code == 400
    body = {"indicator_id": indicator.pk, "unit_id": a.unit.pk, "period": "2025-02", "value": 1}
    assert post(client, f"{T}/readings/", body).status_code == 400
    assert client.get(f"/t/beta/api/v1/targets/readings/{reading.pk}/").status_code == 404


@pytest.fixture
def sized(tenant_a):
    """grow(n) gives the 2023 tree n indicators in all, each with a missed January reading for the unit."""
    a = tenant_a
    month = periods.parse("2023-01")
    with tenant_scope(a.tenant):
        tree = services.tree_create(year=2023)
        goal = services.node_create(parent=branch(tree), code="G", name="目标", owner_unit=a.hq)
    made = []

    def grow(total):
        with tenant_scope(a.tenant):
            new = [make_indicator(goal, f"G.{i}", [a.unit]) for i in range(len(made), total)]
            for indicator in new:
                services.target_set(indicator=indicator, period=month, value=Decimal(100))
            items = [services.ReadingInput(indicator, a.unit, month, Decimal(80)) for indicator in new]
            services.readings_save(actor=a.lean_office, items=items)
        made.extend(new)
        return tree

    a.extra.update(grow=grow)
    return a


@pytest.mark.parametrize(
    "url",
    [
        "readings/?period=2023-01",
        "shortfalls/?period=2023",
        "indicators/?year=2023",
        "trees/",
        "trees/{tree}/?period=2023-01",
        "readings/{reading}/",
    ],
)
def test_lists_run_the_same_number_of_queries_for_5_and_for_50_rows(sized, login, url):
    a = sized
    client = login(a.employee)

    def queries(total):
        tree = a.extra["grow"](total)
        with tenant_scope(a.tenant):
            reading = Reading.objects.order_by("-pk").first()
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"{T}/" + url.format(tree=tree.pk, reading=reading.pk))
        assert response.status_code == 200
        body = response.json()
        if "count" in body:
            assert body["count"] == total
        return len(context)

    assert queries(5) == queries(50)


def test_the_schema_lists_our_operations_and_the_docs_come_from_the_sidecar(tenant_a, login, client):
    assert client.get(f"{API}/schema/").status_code == 404  # members only
    login(tenant_a.employee)
    response = client.get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    bulk = paths["/t/{tenant_slug}/api/v1/targets/readings/bulk/"]["post"]
    assert bulk["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReadingBulkInput")
    assert {"201", "400", "403"} <= set(bulk["responses"])
    listed = paths["/t/{tenant_slug}/api/v1/targets/shortfalls/"]["get"]
    assert {"unit", "branch", "period", "assessed", "uncovered", "page"} <= {p["name"] for p in listed["parameters"]}

    docs = client.get(f"{API}/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui-bundle" in html and "cdn" not in html.lower() and "?script" in html
    script = client.get(f"{API}/docs/", {"script": ""})  # the start-up script is a file (Content-Security-Policy)
    assert script.status_code == 200 and "../schema/" in script.content.decode()
