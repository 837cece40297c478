"""Roll-up arithmetic: weights, direction, missing readings, the cap, and scopes (unit / whole tenant)."""

from decimal import Decimal

import pytest

from lean import periods
from lean.services import unit_create
from lean.tenancy import tenant_scope
from targets import rollup, services

from .factories import branch, make_indicator, read

JAN = periods.parse("2024-01")
Q1 = periods.parse("2024-Q1")


@pytest.fixture
def tree(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        tree = services.tree_create(year=2024)
        core, support = branch(tree, "core"), branch(tree, "support")
        goal = services.node_create(parent=core, code="A1", name="目标", owner_unit=a.hq, weight=3)
        a.extra.update(
            tree=tree,
            core=core,
            support=support,
            goal=goal,
            up=make_indicator(goal, "A1.1", [a.unit, a.team], weight=2, target=100),  # higher is better
            cost=make_indicator(goal, "A1.2", [a.unit], weight=1, direction="lower", target=50),
            lonely=make_indicator(support, "D1", [a.unit], target=10),
            total=make_indicator(core, "A2", [a.unit], aggregation="sum", target=1200),  # 100 a month
        )
    return a


def scores(a, period=JAN, unit=None):
    with tenant_scope(a.tenant):
        return rollup.tree_scores(tree=a.extra["tree"], period=period, unit=unit)


def test_weighted_rollup_respects_direction_and_weights(tree):
    a, x = tree, tree.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["up"], a.unit, "2024-01", 90)  # 0.9
        read(a.lean_office, x["cost"], a.unit, "2024-01", 40)  # lower is better: 50/40 = 1.25 → capped 1.2
    s = scores(a, unit=a.unit)
    assert s[x["up"].node_id].achievement == Decimal("0.9")
    assert s[x["cost"].node_id].achievement == Decimal("1.2")
    # goal = (2 × 0.9 + 1 × 1.2) / 3 = 1.0
    assert s[x["goal"].pk].achievement == Decimal("1")
    # the core branch has one child with data (A2 has none): its achievement is the goal's
    assert s[x["core"].pk].achievement == Decimal("1")
    assert s[x["up"].node_id].missed == 1 and s[x["goal"].pk].missed == 1
    assert x["support"].pk not in s  # no reading below it: no score, not zero


def test_missing_readings_leave_the_weights_of_the_rest(tree):
    a, x = tree, tree.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["cost"], a.unit, "2024-01", 100)  # 50/100 = 0.5
        read(a.lean_office, x["lonely"], a.unit, "2024-01", 10)  # 1.0
    s = scores(a)
    assert s[x["goal"].pk].achievement == Decimal("0.5")  # A1.1 has no reading: left out
    assert x["up"].node_id not in s
    # tenant total: core (25) at 0.5 and support (25) at 1.0
    with tenant_scope(a.tenant):
        branches = list(a.extra["tree"].nodes.filter(parent=None))
    assert rollup.overall(s, branches) == Decimal("0.75")


def test_tenant_scope_is_the_mean_of_the_units(tree):
    a, x = tree, tree.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["up"], a.unit, "2024-01", 80)
        read(a.lean_office, x["up"], a.team, "2024-01", 100)
    assert scores(a)[x["up"].node_id].achievement == Decimal("0.9")
    team_only = scores(a, unit=a.team)[x["up"].node_id]
    assert team_only.achievement == Decimal("1") and team_only.missed == 0
    assert team_only.actual == Decimal("100") and team_only.target == Decimal("100")


def test_sum_indicators_add_up_over_a_quarter_against_the_targets_of_the_same_months(tree):
    a, x = tree, tree.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["total"], a.unit, "2024-01", 120)
        read(a.lean_office, x["total"], a.unit, "2024-02", 60)
    q1 = scores(a, period=Q1)[x["total"].node_id]
    # two months in: 180 against 200 (March has no reading yet, so its target does not count)
    assert q1.actual == Decimal("180") and q1.target == Decimal("200")
    assert q1.achievement == Decimal("0.9")


def test_a_reading_outside_the_period_does_not_count(tree):
    a, x = tree, tree.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["up"], a.unit, "2024-04", 10)
    assert scores(a, period=Q1) == {}


def test_units_outside_the_scope_do_not_count(tree):
    a, x = tree, tree.extra
    with tenant_scope(a.tenant):
        other = unit_create(name="二分公司", code="U2", parent=a.hq)
        services.indicator_update(indicator=x["up"], units=[a.unit, a.team, other])
        read(a.lean_office, x["up"], other, "2024-01", 50)
        read(a.lean_office, x["up"], a.unit, "2024-01", 100)
    assert scores(a, unit=a.unit)[x["up"].node_id].achievement == Decimal("1")
    assert scores(a)[x["up"].node_id].achievement == Decimal("0.75")
