"""Benchmark of the target tree's reads at enterprise size (not a test). See bench/README.md.

Builds, in a fresh scratch tenant `bench-targets`, a tree under 300 units with 2,000 indicators, each applying
to 5 units, and 24 months of readings (240,000 rows, bulk inserted), with targets and the shortfalls they
imply; then times the roll-up (month, quarter, year; whole tenant and one unit), the tree's top levels and the
first page of the shortfall list, ~20 runs each, and prints p50 and p95.

    python -m lean.embedded --data .data/bench -- bash -c \\
        'python manage.py migrate -v0 && python bench/targets_tree.py [--reuse] [--runs 20] [--explain]'
"""

import argparse
import os
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lean.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from lean.db_roles import as_owner  # noqa: E402
from lean.models import Tenant, Unit  # noqa: E402
from lean.rls import tenant_models  # noqa: E402
from lean.services import tenant_create, unit_create  # noqa: E402
from lean.tenancy import tenant_scope  # noqa: E402
from targets import periods, rollup, selectors, services  # noqa: E402
from targets.models import (  # noqa: E402
    Indicator,
    IndicatorTarget,
    IndicatorUnit,
    Reading,
    Shortfall,
    TargetNode,
    TargetTree,
)

SLUG = "bench-targets"
YEAR = 2026
MONTHS = [periods.Period(date(year, month, 1), periods.MONTH) for year in (YEAR - 1, YEAR) for month in range(1, 13)]
UNITS, TEAMS_PER_UNIT = 20, 14  # 20 units with 14 teams each: 300 units under HQ
GOALS_PER_BRANCH, SUBGOALS_PER_GOAL, INDICATORS_PER_SUBGOAL = 5, 5, 20  # 4 × 5 × 5 × 20 = 2,000 indicators
UNITS_PER_INDICATOR = 5
BATCH = 5000


def drop_tenant(slug: str) -> None:
    """Remove an earlier run's tenant, table by table, in one transaction (one DELETE each; the foreign keys are
    deferred)."""
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        return
    with tenant_scope(tenant), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in tenant_models():
            cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE tenant_id = %s', [tenant.pk])
        cursor.execute("DELETE FROM lean_tenant WHERE id = %s", [tenant.pk])


def _bulk_nodes(tree, parents, count, make_code):
    """`count` children under each of `parents`, inserted in bulk, with their materialised paths."""
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
    TargetNode.objects.bulk_create(nodes, batch_size=BATCH)
    for node in nodes:
        node.path = f"{node.parent.path}{node.pk:010d}/"
    TargetNode.objects.bulk_update(nodes, ["path"], batch_size=BATCH)
    return nodes


def tree_with_indicators(tenant, year: int, name: str) -> list:
    """A year's tree of 4 branches × 5 goals × 5 sub-goals × 20 indicators (2,000), bulk inserted; a quarter of
    the indicators are "lower is better", a fifth are sums."""
    tree = services.tree_create(year=year, name=name)
    branches = list(TargetNode.objects.filter(tree=tree, parent=None).select_related("tenant"))
    goals = _bulk_nodes(tree, branches, GOALS_PER_BRANCH, lambda p, i: f"{p.code}{i}")
    subgoals = _bulk_nodes(tree, goals, SUBGOALS_PER_GOAL, lambda p, i: f"{p.code}.{i}")
    leaves = _bulk_nodes(tree, subgoals, INDICATORS_PER_SUBGOAL, lambda p, i: f"{p.code}.{i:02d}")
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
    Indicator.objects.bulk_create(indicators, batch_size=BATCH)
    return indicators


def build(rng: random.Random) -> Tenant:
    started = time.perf_counter()
    drop_tenant(SLUG)
    tenant = tenant_create(name="基准测试集团", slug=SLUG)
    with tenant_scope(tenant):
        hq = unit_create(name="总部", code="HQ", kind=Unit.Kind.HQ)
        units = []
        for u in range(1, UNITS + 1):
            unit = unit_create(name=f"单位{u}", code=f"U{u:02d}", parent=hq)
            units.append(unit)
            for t in range(1, TEAMS_PER_UNIT + 1):
                code = f"U{u:02d}-{t:02d}"
                units.append(unit_create(name=f"单位{u}班组{t}", code=code, kind=Unit.Kind.TEAM, parent=unit))
        indicators = tree_with_indicators(tenant, YEAR, "基准目标树")
        links, targets, readings, shortfalls = [], [], [], []
        counts = dict.fromkeys(("links", "targets", "readings", "shortfalls"), 0)
        for number, indicator in enumerate(indicators, start=1):
            applies = rng.sample(units, UNITS_PER_INDICATOR)
            links += [IndicatorUnit(tenant=tenant, indicator=indicator, unit=unit) for unit in applies]
            # One unit in ten indicators has its own target; the rest use the target for every unit.
            special = applies[0] if rng.random() < 0.1 else None
            for period in MONTHS:
                common = Decimal(rng.randint(80, 120))
                targets.append(_target(tenant, indicator, None, period, common))
                if special is not None:
                    targets.append(_target(tenant, indicator, special, period, common + 5))
                for unit in applies:
                    target = common + 5 if unit is special else common
                    ratio = rng.gauss(1.035, 0.03) if indicator.direction == "higher" else rng.gauss(0.965, 0.03)
                    value = (target * Decimal(ratio)).quantize(Decimal("0.01"))
                    reading = Reading(
                        tenant=tenant, indicator=indicator, unit=unit, value=value, target=target, source="import"
                    )
                    reading.period = period
                    readings.append(reading)
                    if services.missed(indicator.direction, value, target):
                        shortfalls.append(shortfall_row(reading, indicator.direction, target))
            # Insert as we go, so 240,000 readings never sit in memory at once.
            if number % 100 == 0 or number == len(indicators):
                for key, model, rows in (
                    ("links", IndicatorUnit, links),
                    ("targets", IndicatorTarget, targets),
                    ("readings", Reading, readings),
                    ("shortfalls", Shortfall, shortfalls),
                ):
                    model.objects.bulk_create(rows, batch_size=BATCH)
                    counts[key] += len(rows)
                    rows.clear()
    # Fresh statistics, as autovacuum would have them after a while in production; ANALYZE needs the owner.
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"built {len(units)} units, {len(indicators)} indicators, {counts['links']} indicator-units, "
        f"{counts['targets']} targets, {counts['readings']} readings, {counts['shortfalls']} shortfalls "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return tenant


def _target(tenant, indicator, unit, period, value):
    target = IndicatorTarget(tenant=tenant, indicator=indicator, unit=unit, value=value)
    target.period = period
    return target


def shortfall_row(reading, direction, target):
    shortfall = Shortfall(
        tenant=reading.tenant,
        indicator=reading.indicator,
        unit=reading.unit,
        actual=reading.value,
        target=target,
        gap=abs(target - reading.value),
        achievement=services.achievement(direction, reading.value, target),
    )
    shortfall.period = reading.period
    return shortfall


def measure(tenant: Tenant, runs: int) -> list[tuple[str, float, float, int]]:
    with tenant_scope(tenant):
        tree = TargetTree.objects.get(year=YEAR)
        unit = Unit.objects.get(code="U07")
    month, quarter, year = periods.parse(f"{YEAR}-06"), periods.parse(f"{YEAR}-Q2"), periods.parse(str(YEAR))
    cases = [
        ("tree_scores month, tenant", lambda: rollup.tree_scores(tree=tree, period=month)),
        ("tree_scores quarter, tenant", lambda: rollup.tree_scores(tree=tree, period=quarter)),
        ("tree_scores year, tenant", lambda: rollup.tree_scores(tree=tree, period=year)),
        ("tree_scores month, one unit", lambda: rollup.tree_scores(tree=tree, period=month, unit=unit)),
        ("tree_scores quarter, one unit", lambda: rollup.tree_scores(tree=tree, period=quarter, unit=unit)),
        ("tree_scores year, one unit", lambda: rollup.tree_scores(tree=tree, period=year, unit=unit)),
        ("tree_nodes depth=1", lambda: list(selectors.tree_nodes(tree=tree, depth=1))),
        ("shortfall_list first 50", lambda: list(selectors.shortfall_list(tree=tree)[:50])),
        ("shortfall_list first 50, one unit", lambda: list(selectors.shortfall_list(tree=tree, unit=unit)[:50])),
    ]
    results = []
    for name, call in cases:
        times, size = [], 0
        for run in range(runs + 2):  # the first two warm the caches and are not counted
            with tenant_scope(tenant):
                started = time.perf_counter()
                size = len(call())
                elapsed = (time.perf_counter() - started) * 1000
            if run >= 2:
                times.append(elapsed)
        times.sort()
        p50 = times[len(times) // 2]
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        results.append((name, p50, p95, size))
    return results


def explain(tenant: Tenant) -> None:
    """EXPLAIN ANALYZE of the roll-up for the year, whole tenant: where a slow figure spends its time."""
    with tenant_scope(tenant):
        tree = TargetTree.objects.get(year=YEAR)
        period = periods.parse(str(YEAR))
        params = {"tree": tree.pk, "start": period.start, "end": period.end, "prefix": "/%", "cap": rollup.CAP}
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + rollup._SQL, params)
            print("\n".join(row[0] for row in cursor.fetchall()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench tenant instead of rebuilding")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the year's roll-up")
    args = parser.parse_args()
    tenant = Tenant.objects.filter(slug=SLUG).first() if args.reuse else None
    tenant = tenant or build(random.Random(2026))
    print(f"\n{'':36} {'p50 ms':>8} {'p95 ms':>8} {'rows':>6}")
    for name, p50, p95, size in measure(tenant, args.runs):
        flag = "  slow (p95 > 300 ms)" if p95 > 300 else ""
        print(f"{name:36} {p50:8.1f} {p95:8.1f} {size:6}{flag}")
    if args.explain:
        explain(tenant)


if __name__ == "__main__":
    main()
