"""Target-tree test data, built through the services."""

from decimal import Decimal

from django.utils import timezone

from lean import periods
from targets import services
from targets.models import Assessment, Branch, ReadingImport, TargetNode

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
    # The cost indicator (on target, so no shortfall shows it) in the unit's assessment of the year.
    Assessment.objects.create(
        tenant=ts.tenant,
        indicator_code="A1.2",
        unit=ts.unit,
        year=year,
        assessed_by=ts.lean_office,
        assessed_at=timezone.now(),
    )
    ts.extra.update(tree=tree, goal=goal, uptime=uptime, cost=cost)
    return tree


def bulk_indicators(ts, count: int, year: int = 2024, month: str = "01"):
    """`count` indicators under one goal with a target and a missed reading each, inserted in bulk (fast
    enough for the query-count tests at 1,000 indicators)."""
    from targets.models import Indicator, IndicatorTarget, IndicatorUnit, Reading

    tree = services.tree_create(year=year)
    goal = services.node_create(parent=branch(tree), code="BULK", name="批量目标", owner_unit=ts.hq)
    nodes = TargetNode.objects.bulk_create(
        [
            TargetNode(
                tenant=ts.tenant,
                tree=tree,
                parent=goal,
                branch=goal.branch,
                code=f"B{i}",
                name=f"指标{i}",
                owner_unit=ts.unit,
                path="",
            )
            for i in range(count)
        ]
    )
    for node in nodes:
        node.path = f"{goal.path}{node.pk:010d}/"
    TargetNode.objects.bulk_update(nodes, ["path"])
    indicators = Indicator.objects.bulk_create(
        [Indicator(tenant=ts.tenant, node=node, measure_unit="%") for node in nodes]
    )
    IndicatorUnit.objects.bulk_create([IndicatorUnit(tenant=ts.tenant, indicator=i, unit=ts.unit) for i in indicators])
    period = periods.parse(f"{year}-{month}")
    targets, readings = [], []
    for indicator in indicators:
        target = IndicatorTarget(tenant=ts.tenant, indicator=indicator, value=100)
        target.period = period
        targets.append(target)
        reading = Reading(tenant=ts.tenant, indicator=indicator, unit=ts.unit, value=90)
        reading.period = period
        readings.append(reading)
    IndicatorTarget.objects.bulk_create(targets)
    Reading.objects.bulk_create(readings)
    services.shortfall_refresh(indicator_ids=[i.pk for i in indicators])
    return tree, goal
