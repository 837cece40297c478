"""Target-tree test data, built through the services."""

from decimal import Decimal

from targets import periods, services
from targets.models import Branch, ReadingImport, TargetNode

YEAR = 2025


def branch(tree, which=Branch.CORE) -> TargetNode:
    return TargetNode.objects.get(tree=tree, parent=None, branch=which)


def make_indicator(parent, code, units, *, weight=1, direction="higher", aggregation="average", target=None, **extra):
    indicator = services.indicator_create(
        parent=parent,
        code=code,
        name=extra.pop("name", f"指标{code}"),
        owner_unit=units[0],
        weight=weight,
        measure_unit=extra.pop("measure_unit", "%"),
        direction=direction,
        aggregation=aggregation,
        units=units,
        **extra,
    )
    if target is not None:
        services.target_set_year(indicator=indicator, value=target)
    return indicator


def read(actor, indicator, unit, period: str, value):
    return services.reading_save(
        actor=actor, indicator=indicator, unit=unit, period=periods.parse(period), value=Decimal(str(value))
    )


def make_targets(ts, year=YEAR):
    """A small tree for a TenantSet: one goal with two indicators, readings, one shortfall, one import."""
    tree = services.tree_create(year=year)
    goal = services.node_create(parent=branch(tree), code="A1", name="安全生产", owner_unit=ts.hq, weight=2)
    uptime = make_indicator(goal, "A1.1", [ts.unit], target=95, name="设备可用率")
    cost = make_indicator(goal, "A1.2", [ts.unit], direction="lower", target=100, name="单位成本")
    read(ts.lean_office, uptime, ts.unit, f"{year}-01", 90)  # missed: a shortfall
    read(ts.lean_office, cost, ts.unit, f"{year}-01", 80)
    ReadingImport.objects.create(tenant=ts.tenant, uploaded_by=ts.lean_office, file_name="readings.csv", rows=[])
    ts.extra.update(tree=tree, goal=goal, uptime=uptime, cost=cost)
    return tree
