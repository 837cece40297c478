"""Target trees with their indicators, the units they apply to, monthly targets, readings and the shortfalls the
readings imply; benchmark indicators with outside peers and their figures. All bulk inserted (the largest
tables through insert_rows)."""

import random
from decimal import Decimal

from benchmarking.models import BenchmarkIndicator, Peer, PeerValue
from config.demo.scale.base import Sizes, insert_objects, insert_rows, next_ids
from lean import periods
from targets import services
from targets.models import Indicator, IndicatorTarget, IndicatorUnit, Reading, Shortfall, TargetNode

CENT = Decimal("0.01")


def _bulk_nodes(tree, parents, count, make_code):
    """`count` children under each of `parents`, inserted in bulk with their materialised paths (their ids drawn
    first)."""
    nodes = [
        TargetNode(
            tenant=tree.tenant,
            tree=tree,
            parent=parent,
            branch=parent.branch,
            code=make_code(parent, i),
            name=f"{parent.name}-{i}",
            owner_unit_id=parent.owner_unit_id,
            weight=Decimal(1 + i % 3),
            position=i,
            path="",
        )
        for parent in parents
        for i in range(1, count + 1)
    ]
    for node, pk in zip(nodes, next_ids(TargetNode, len(nodes)), strict=True):
        node.pk, node.path = pk, f"{node.parent.path}{pk:010d}/"
    insert_objects(TargetNode, nodes, ids=True)
    return nodes


def tree_with_indicators(tenant, year: int, name: str, shape: tuple[int, int, int] = (5, 5, 20)) -> list:
    """A year's tree of 4 branches × goals × sub-goals × indicators (by default 5 × 5 × 20: 2,000 indicators),
    bulk inserted; a quarter of the indicators are "lower is better", a fifth are sums."""
    goals_per_branch, subgoals_per_goal, indicators_per_subgoal = shape
    tree = services.tree_create(year=year, name=name)
    branches = list(TargetNode.objects.filter(tree=tree, parent=None).select_related("tenant"))
    goals = _bulk_nodes(tree, branches, goals_per_branch, lambda p, i: f"{p.code}{i}")
    subgoals = _bulk_nodes(tree, goals, subgoals_per_goal, lambda p, i: f"{p.code}.{i}")
    leaves = _bulk_nodes(tree, subgoals, indicators_per_subgoal, lambda p, i: f"{p.code}.{i:02d}")
    indicators = [
        Indicator(
            tenant=tenant,
            node=node,
            measure_unit="%",
            direction="lower" if i % 4 == 0 else "higher",
            aggregation="sum" if i % 5 == 0 else "average",
            baseline=Decimal(90),
        )
        for i, node in enumerate(leaves)
    ]
    insert_objects(Indicator, indicators, ids=True)
    return indicators


PERIOD = ["period_kind", "period_start", "period_end"]
COLUMNS = {
    IndicatorUnit: ["tenant", "indicator", "unit"],
    IndicatorTarget: ["tenant", "indicator", "unit", *PERIOD, "value"],
    Reading: ["tenant", "indicator", "unit", *PERIOD, "value", "target", "source"],
    Shortfall: ["tenant", "indicator", "unit", *PERIOD, "actual", "target", "gap", "achievement"],
}
NAMES = {IndicatorUnit: "indicator-units", IndicatorTarget: "targets", Reading: "readings", Shortfall: "shortfalls"}


def fill_indicators(tenant, indicators, units, months, rng: random.Random, units_per_indicator: int = 5) -> dict:
    """Each indicator applies to `units_per_indicator` random units; for every month it has a target for every
    unit (one indicator in ten also has a unit of its own, 5 higher) and a reading per unit around it, which
    carries its applicable target; the readings that miss make the shortfalls. Copied in as it goes (insert_rows:
    over a million rows here), so they never sit in memory at once. Returns the counts."""
    rows = {model: [] for model in COLUMNS}
    links, targets, readings, shortfalls = rows.values()
    counts = dict.fromkeys(NAMES.values(), 0)
    spans = [(period.kind, period.start, period.end) for period in months]
    t = tenant.pk
    for number, indicator in enumerate(indicators, start=1):
        i, direction = indicator.pk, indicator.direction
        applies = rng.sample(units, units_per_indicator)
        links += [(t, i, unit.pk) for unit in applies]
        special = applies[0] if rng.random() < 0.1 else None
        higher = direction == "higher"
        for span in spans:
            common = Decimal(rng.randint(80, 120))
            targets.append((t, i, None, *span, common))
            if special is not None:
                targets.append((t, i, special.pk, *span, common + 5))
            for unit in applies:
                target = common + 5 if unit is special else common
                ratio = rng.gauss(1.035, 0.03) if higher else rng.gauss(0.965, 0.03)
                value = (target * Decimal(ratio)).quantize(CENT)
                readings.append((t, i, unit.pk, *span, value, target, "import"))
                if services.missed(direction, value, target):
                    gap, achieved = abs(target - value), services.achievement(direction, value, target)
                    shortfalls.append((t, i, unit.pk, *span, value, target, gap, achieved))
        if number % 250 == 0 or number == len(indicators):
            for model, pending in rows.items():
                counts[NAMES[model]] += insert_rows(model, COLUMNS[model], pending)
                pending.clear()
    return counts


def build_targets(tenant, units, sizes: Sizes, rng: random.Random) -> tuple[list, dict]:
    """A tree for each year with monthly targets, readings and shortfalls over `units`; the latest year's
    indicators and the counts."""
    counts: dict = {"trees": 0}
    latest = []
    for year in sizes.years:
        latest = tree_with_indicators(tenant, year, f"{year}年目标树", sizes.shape)
        months = periods.parse(str(year), periods.YEAR).split(periods.MONTH)
        made = fill_indicators(tenant, latest, units, months, rng, sizes.units_per_indicator)
        counts["trees"] += 1
        counts["indicators"] = counts.get("indicators", 0) + len(latest)
        for key, value in made.items():
            counts[key] = counts.get(key, 0) + value
    return latest, counts


def build_benchmarks(tenant, indicators, sizes: Sizes, rng: random.Random) -> dict:
    """The first `sizes.benchmarks` indicators of the latest tree benchmarked (every third monthly, the others per
    quarter) against `sizes.peers` outside peers, with their figures for the latest year."""
    benchmarks = BenchmarkIndicator.objects.bulk_create(
        [
            BenchmarkIndicator(
                tenant=tenant,
                code=indicator.node.code,
                name=indicator.node.name,
                measure_unit="%",
                direction=indicator.direction,
                aggregation=indicator.aggregation,
                frequency=periods.MONTH if i % 3 == 0 else periods.QUARTER,
                indicator=indicator,
            )
            for i, indicator in enumerate(indicators[: sizes.benchmarks])
        ]
    )
    peers = Peer.objects.bulk_create([Peer(tenant=tenant, name=f"对标企业{i}") for i in range(sizes.peers)])
    values = []
    year = periods.parse(str(max(sizes.years)), periods.YEAR)
    for benchmark in benchmarks:
        for period in year.split(benchmark.frequency):
            for peer in peers:
                value = PeerValue(
                    tenant=tenant, benchmark=benchmark, peer=peer, value=Decimal(rng.randint(85, 125)), source="年报"
                )
                value.period = period
                values.append(value)
    insert_objects(PeerValue, values)
    return {"benchmarks": len(benchmarks), "peers": len(peers), "peer values": len(values)}
