"""Pages of the target tree: who may open what, what they see, editing, and bounded queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lean.tenancy import tenant_scope
from targets.models import Assessment, Indicator, IndicatorTarget, Reading, Shortfall, TargetNode, TargetTree

from .factories import YEAR, bulk_indicators, make_targets

# role × page → expected status (GET)
PAGES = [
    "/targets/",
    "/targets/shortfalls/",
    "/targets/indicators/{uptime}/",
    "/targets/shortfalls/{shortfall}/",
    "/targets/readings/",
    "/targets/trees/new/",
    "/targets/indicators/{uptime}/edit/",
    "/targets/indicators/{uptime}/targets/",
    "/targets/nodes/{goal}/add/",
    "/targets/readings/{reading}/edit/",
]
EXPECTED = {
    "lean_office": [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    "manager": [200, 200, 200, 200, 200, 403, 403, 403, 403, 200],
    "reviewer": [200, 200, 200, 200, 403, 403, 403, 403, 403, 403],
    "employee": [200, 200, 200, 200, 403, 403, 403, 403, 403, 403],
}


@pytest.fixture
def data(tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        x = tenant_a.extra
        x["shortfall"] = Shortfall.objects.get(indicator=x["uptime"])
        x["reading"] = Reading.objects.get(indicator=x["uptime"])
    return tenant_a


@pytest.mark.parametrize("role", EXPECTED)
def test_role_page_table(client, data, login, role):
    login(getattr(data, role))
    x = data.extra
    ids = {
        "uptime": x["uptime"].pk,
        "shortfall": x["shortfall"].pk,
        "goal": x["goal"].pk,
        "reading": x["reading"].pk,
    }
    for page, expected in zip(PAGES, EXPECTED[role], strict=True):
        url = "/t/alpha" + page.format(**ids)
        assert client.get(url).status_code == expected, (role, url)


def test_tree_shows_branches_colours_and_the_shortfall(client, data, login):
    login(data.employee)
    body = client.get("/t/alpha/targets/", {"year": YEAR, "period": f"{YEAR}-01"}).content.decode()
    assert "核心指标" in body and "后台支持" in body
    assert "安全生产" in body  # the goal under the core branch is shown open
    assert "1 shortfall" in body or "1 个短板" in body
    # the goal: (95 reading 90 → 0.9474) and (cost 80 vs 100, lower is better → 1.2 capped) → mean 1.0737
    assert "107.4%" in body


def test_opening_a_node_loads_its_children_with_scores(client, data, login):
    login(data.employee)
    goal = data.extra["goal"]
    response = client.get(f"/t/alpha/targets/nodes/{goal.pk}/children/", {"period": f"{YEAR}-01"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "设备可用率" in body and "94.7%" in body and "lean-ach-warn" in body
    assert "单位成本" in body and "120.0%" in body


def test_unit_picker_and_htmx_partial(client, data, login):
    login(data.employee)
    response = client.get(
        "/t/alpha/targets/", {"year": YEAR, "period": f"{YEAR}-Q1", "unit": data.team.pk}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'id="tree-body"' in body and "<html" not in body
    assert "no data" in body or "无数据" in body  # the team has no readings


def test_bad_period_falls_back_to_the_default(client, data, login):
    login(data.employee)
    response = client.get("/t/alpha/targets/", {"period": "2025-13"})
    assert response.status_code == 200 and str(response.context["period"]) == f"{YEAR}-01"


def test_lean_office_adds_a_goal_and_an_indicator(client, data, login):
    login(data.lean_office)
    goal = data.extra["goal"]
    response = client.post(
        f"/t/alpha/targets/nodes/{goal.pk}/add/",
        {"kind": "goal", "code": "A1.9", "name": "质量", "owner_unit": data.unit.pk, "weight": "2"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/t/alpha/targets/nodes/{goal.pk}/add/",
        {
            "kind": "indicator",
            "code": "A1.10",
            "name": "合格率",
            "owner_unit": data.unit.pk,
            "weight": "1",
            "measure_unit": "%",
            "direction": "higher",
            "frequency": "month",
            "aggregation": "average",
            "units": [data.unit.pk, data.team.pk],
        },
    )
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        indicator = Indicator.objects.get(node__code="A1.10")
        assert set(indicator.units.values_list("code", flat=True)) == {"U1", "U1-T1"}
        assert indicator.node.parent == goal and indicator.node.history.count() >= 1


def test_duplicate_code_rerenders_and_stores_nothing(client, data, login):
    login(data.lean_office)
    goal = data.extra["goal"]
    with tenant_scope(data.tenant):
        before = TargetNode.objects.count()
    response = client.post(
        f"/t/alpha/targets/nodes/{goal.pk}/add/",
        {"kind": "goal", "code": "A1.1", "name": "重复", "owner_unit": data.unit.pk, "weight": "1"},
    )
    assert response.status_code == 400 and "A1.1" in response.content.decode()
    with tenant_scope(data.tenant):
        assert TargetNode.objects.count() == before


def test_new_year_as_a_copy(client, data, login):
    login(data.lean_office)
    with tenant_scope(data.tenant):
        source = TargetTree.objects.get(year=YEAR)
    response = client.post("/t/alpha/targets/trees/new/", {"year": YEAR + 1, "copy_from": source.pk})
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        copy = TargetTree.objects.get(year=YEAR + 1)
        assert copy.copied_from == source
        assert sorted(TargetNode.objects.filter(tree=copy).values_list("code", flat=True)) == sorted(
            TargetNode.objects.filter(tree=source).values_list("code", flat=True)
        )
        moved = IndicatorTarget.objects.filter(indicator__node__tree=copy, indicator__node__code="A1.1")
        assert moved.count() == 12 and {t.period_start.year for t in moved} == {YEAR + 1}
        assert not Reading.objects.filter(indicator__node__tree=copy).exists()
    assert client.post("/t/alpha/targets/trees/new/", {"year": YEAR}).status_code == 400  # already there


def test_split_yearly_target(client, data, login):
    login(data.lean_office)
    uptime = data.extra["uptime"]
    url = f"/t/alpha/targets/indicators/{uptime.pk}/targets/?unit={data.unit.pk}"
    assert client.post(url, {"mode": "year", "unit": data.unit.pk, "value": "90"}).status_code == 302
    with tenant_scope(data.tenant):
        assert IndicatorTarget.objects.filter(indicator=uptime, unit=data.unit, value=90).count() == 12
        # the unit's own target (90) now applies: the January reading of 90 meets it
        assert Shortfall.objects.get(indicator=uptime).resolved


def test_period_targets_with_a_bad_value_store_nothing(client, data, login):
    login(data.lean_office)
    uptime = data.extra["uptime"]
    response = client.post(
        f"/t/alpha/targets/indicators/{uptime.pk}/targets/", {"mode": "periods", "p-2025-01": "1", "p-2025-02": "x"}
    )
    assert response.status_code == 400
    with tenant_scope(data.tenant):
        assert IndicatorTarget.objects.get(indicator=uptime, period_start__month=1, unit=None).value == 95


def test_manager_enters_readings_for_their_unit(client, data, login):
    login(data.manager)
    x = data.extra
    url = f"/t/alpha/targets/readings/?unit={data.unit.pk}&period={YEAR}-02"
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["grid"]) == 2
    response = client.post(
        url, {f"v-{x['uptime'].pk}": "96.5", f"v-{x['cost'].pk}": "120", f"n-{x['cost'].pk}": "检修"}
    )
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        assert Reading.objects.get(indicator=x["uptime"], period_start__month=2).value == Decimal("96.5")
        cost = Shortfall.objects.get(indicator=x["cost"], period_start__month=2)  # lower is better: 120 > 100
        assert cost.gap == 20 and cost.actual == 120


def test_reading_entry_bad_number_stores_nothing(client, data, login):
    login(data.manager)
    x = data.extra
    url = f"/t/alpha/targets/readings/?unit={data.unit.pk}&period={YEAR}-03"
    response = client.post(url, {f"v-{x['uptime'].pk}": "96", f"v-{x['cost'].pk}": "abc"})
    assert response.status_code == 400 and "abc" in response.content.decode()
    with tenant_scope(data.tenant):
        assert not Reading.objects.filter(period_start__month=3).exists()


def test_manager_cannot_enter_readings_for_another_unit(client, data, login):
    login(data.manager)
    response = client.get(f"/t/alpha/targets/readings/?unit={data.hq.pk}&period={YEAR}-02")
    assert response.context["unit"] is None  # HQ is not among the units they may pick
    reading = data.extra["reading"]
    login(data.employee)
    assert client.post(f"/t/alpha/targets/readings/{reading.pk}/edit/", {"value": "1"}).status_code == 403


def test_correcting_a_reading_keeps_the_old_value_and_resolves_the_shortfall(client, data, login):
    login(data.manager)
    reading = data.extra["reading"]
    response = client.post(f"/t/alpha/targets/readings/{reading.pk}/edit/", {"value": "97", "note": "复核"})
    assert response.status_code == 302
    page = client.get(f"/t/alpha/targets/readings/{reading.pk}/edit/")
    values = [h.value for h in page.context["history"]]
    assert values == [Decimal("97"), Decimal("90")]
    with tenant_scope(data.tenant):
        shortfall = Shortfall.objects.get(pk=data.extra["shortfall"].pk)
        assert shortfall.resolved  # kept, with whatever analysis it had


def test_shortfall_list_filters(client, data, login):
    login(data.employee)
    base = {"year": YEAR}
    assert client.get("/t/alpha/targets/shortfalls/", base).context["page"].paginator.count == 1
    for extra, count in [
        ({"period": f"{YEAR}-Q1"}, 1),
        ({"period": f"{YEAR}-Q2"}, 0),
        ({"branch": "core"}, 1),
        ({"branch": "support"}, 0),
        ({"unit": data.unit.pk}, 1),
        ({"unit": data.hq.pk}, 1),  # HQ's subtree holds the unit
        ({"assessed": "yes"}, 0),
        ({"assessed": "no"}, 1),
        ({"uncovered": "on"}, 1),
        ({"source": "target"}, 1),
        ({"source": "benchmark"}, 0),
    ]:
        page = client.get("/t/alpha/targets/shortfalls/", {**base, **extra}).context["page"]
        assert page.paginator.count == count, extra
    partial = client.get("/t/alpha/targets/shortfalls/", base, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="shortfall-table"' in partial and "<html" not in partial


def test_manager_analyses_their_units_shortfall_but_cannot_assess(client, data, login):
    shortfall = data.extra["shortfall"]
    url = f"/t/alpha/targets/shortfalls/{shortfall.pk}/"
    login(data.manager)
    assert client.post(url, {"analysis": "备件不足", "actions": "建立备件库"}).status_code == 302
    assert client.post(url + "assess/", {"assessed": "1"}).status_code == 403
    login(data.employee)
    assert client.post(url, {"analysis": "x"}).status_code == 403
    login(data.lean_office)
    assert client.post(url + "assess/", {"assessed": "1"}).status_code == 302
    with tenant_scope(data.tenant):
        shortfall.refresh_from_db()
        assert shortfall.analysis == "备件不足" and shortfall.analysed_by == data.manager
        # The assessment is a record of the indicator × unit × year, not a change of the row.
        record = Assessment.objects.get(indicator_code="A1.1")
        assert (record.indicator_code, record.unit, record.year) == ("A1.1", data.unit, YEAR)
        assert record.assessed_by == data.lean_office and record.history.get().history_user == data.lean_office.user
        assert shortfall.history.count() == 2
    page = client.get(url)
    assert page.context["shortfall"].assessed and page.context["assessment"] == record
    changes = [record.changed for record in page.context["history"]]
    assert {str(label) for label in changes[0]} == {"分析", "改进措施"}
    assert page.context["history"][0].history_user == data.manager.user


def _count(client, url, params=None, **headers):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}, **headers).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_indicators(client, tenant_a, login):
    counts = {}
    with tenant_scope(tenant_a.tenant):
        goals = {size: bulk_indicators(tenant_a, size, year=year)[1] for size, year in [(10, 2023), (1000, 2024)]}
    login(tenant_a.lean_office)
    for size, goal in goals.items():
        year = goal.tree.year
        params = {"year": year, "period": f"{year}-01"}
        counts[size] = (
            _count(client, "/t/alpha/targets/", params),
            _count(client, f"/t/alpha/targets/nodes/{goal.pk}/children/", params),
            _count(client, "/t/alpha/targets/shortfalls/", {"year": year}),
        )
    assert counts[10] == counts[1000], counts
