"""Services of the target tree: shortfall detection (direction, equality, period edges, corrections, target
changes), yearly target splits, copies, and the rules of readings."""

from decimal import Decimal

import pytest

from lean import periods
from lean.errors import ApplicationError
from lean.tenancy import tenant_scope
from targets import services
from targets.models import IndicatorTarget, Reading, Shortfall, TargetNode

from .factories import branch, make_indicator, read


@pytest.fixture
def a(tenant_a):
    with tenant_scope(tenant_a.tenant):
        tree = services.tree_create(year=2024)
        goal = services.node_create(parent=branch(tree), code="G", name="目标", owner_unit=tenant_a.hq)
        tenant_a.extra.update(
            tree=tree,
            goal=goal,
            up=make_indicator(goal, "UP", [tenant_a.unit], target=100),
            down=make_indicator(goal, "DOWN", [tenant_a.unit], direction="lower", target=50),
            total=make_indicator(goal, "SUM", [tenant_a.unit], aggregation="sum", target=100),
        )
    return tenant_a


def shortfalls(a, **filters):
    with tenant_scope(a.tenant):
        return list(
            Shortfall.objects.filter(resolved=False, **filters)
            .select_related("indicator__node")
            .order_by("period_start")
        )


def test_missing_the_target_is_a_shortfall_meeting_it_exactly_is_not(a):
    x = a.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["up"], a.unit, "2024-01", 100)  # equal: met
        read(a.lean_office, x["up"], a.unit, "2024-02", Decimal("99.99"))
        read(a.lean_office, x["down"], a.unit, "2024-01", 50)  # equal: met
        read(a.lean_office, x["down"], a.unit, "2024-02", Decimal("50.01"))  # lower is better: over is a miss
    found = shortfalls(a)
    assert sorted((s.indicator.code, str(s.period)) for s in found) == [("DOWN", "2024-02"), ("UP", "2024-02")]
    up = next(s for s in found if s.indicator.code == "UP")
    assert up.gap == Decimal("0.01") and up.achievement == Decimal("0.9999")


def test_shortfalls_keep_to_their_period_at_quarter_and_year_edges(a):
    x = a.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["up"], a.unit, "2024-03", 90)
        read(a.lean_office, x["up"], a.unit, "2024-04", 90)
        read(a.lean_office, x["up"], a.unit, "2024-12", 90)
        from targets.selectors import shortfall_list

        def count(text):
            return shortfall_list(period=periods.parse(text)).count()

        assert (count("2024-Q1"), count("2024-Q2"), count("2024-Q4"), count("2024"), count("2025")) == (1, 1, 1, 3, 0)
        assert count("2024-03") == 1 and count("2024-05") == 0


def test_correction_resolves_and_keeps_the_analysis_and_a_new_miss_reopens(a):
    x = a.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["up"], a.unit, "2024-01", 80)
        shortfall = Shortfall.objects.get()
        services.shortfall_update(actor=a.manager, shortfall=shortfall, analysis="停机", actions="预防性维护")
        read(a.manager, x["up"], a.unit, "2024-01", 101)
        shortfall.refresh_from_db()
        assert shortfall.resolved and shortfall.analysis == "停机"
        read(a.manager, x["up"], a.unit, "2024-01", 70)
        shortfall.refresh_from_db()
        assert not shortfall.resolved and shortfall.actual == 70 and shortfall.gap == 30
        assert Shortfall.objects.count() == 1
        reading = Reading.objects.get()
        assert [h.value for h in reading.history.order_by("history_date")] == [80, 101, 70]


def test_changing_a_target_reevaluates_the_shortfalls(a):
    x = a.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["up"], a.unit, "2024-01", 95)
        assert Shortfall.objects.filter(resolved=False).count() == 1
        services.target_set(indicator=x["up"], period=periods.parse("2024-01"), value=90, unit=a.unit)
        assert Shortfall.objects.filter(resolved=False).count() == 0  # the unit's own target wins


def test_yearly_split_adds_up_for_totals_and_repeats_for_rates(a):
    x = a.extra
    with tenant_scope(a.tenant):
        services.target_set_year(indicator=x["total"], value=Decimal("1000"))
        values = list(IndicatorTarget.objects.filter(indicator=x["total"]).order_by("period_start"))
        assert sum(t.value for t in values) == Decimal("1000") and values[0].value == Decimal("83.3333")
        assert set(IndicatorTarget.objects.filter(indicator=x["up"]).values_list("value", flat=True)) == {100}


def test_readings_are_all_or_nothing_with_every_error(a):
    x = a.extra
    items = [
        services.ReadingInput(x["up"], a.unit, periods.parse("2024-01"), Decimal(1)),
        services.ReadingInput(x["up"], a.hq, periods.parse("2024-01"), Decimal(1)),  # does not apply to HQ
        services.ReadingInput(x["up"], a.unit, periods.parse("2024-Q1"), Decimal(1)),  # monthly indicator
        services.ReadingInput(x["up"], a.unit, periods.parse("2023-12"), Decimal(1)),  # outside the tree's year
    ]
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            services.readings_save(actor=a.manager, items=items)
        assert set(error.value.field_errors) == {"1", "2", "3"}
        assert not Reading.objects.exists()


def test_a_manager_may_not_enter_readings_above_their_unit(a):
    x = a.extra
    with tenant_scope(a.tenant):
        services.indicator_update(indicator=x["up"], units=[a.unit, a.hq])
        with pytest.raises(ApplicationError) as error:
            read(a.manager, x["up"], a.hq, "2024-01", 1)
        assert "0" in error.value.field_errors


def test_nodes_and_weights(a):
    x = a.extra
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError):
            services.node_create(parent=x["goal"], code="G", name="重复", owner_unit=a.hq)
        with pytest.raises(ApplicationError):
            services.node_create(parent=x["goal"], code="Z", name="零权重", owner_unit=a.hq, weight=0)
        with pytest.raises(ApplicationError):
            services.node_create(parent=x["up"].node, code="Y", name="指标下", owner_unit=a.hq)
        read(a.lean_office, x["up"], a.unit, "2024-01", 1)
        with pytest.raises(ApplicationError):
            services.node_delete(node=x["goal"])
        services.node_delete(node=x["down"].node)
        assert not TargetNode.objects.filter(code="DOWN").exists()


def test_tree_copy_keeps_structure_and_history(a):
    x = a.extra
    with tenant_scope(a.tenant):
        copy = services.tree_copy(source=x["tree"], year=2025, actor=a.lean_office)
        nodes = {n.code: n for n in TargetNode.objects.filter(tree=copy)}
        assert nodes["UP"].parent == nodes["G"] and nodes["G"].parent.branch == "core"
        assert nodes["UP"].path.startswith(nodes["G"].path)
        assert nodes["UP"].history.first().history_user == a.lean_office.user
