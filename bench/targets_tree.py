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
from pathlib import Path

# The repository on the path, and not this folder, whose http.py would stand in for the standard library's `http`.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(BENCH.parent)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from config.demo.scale.base import Sizes, analyze, drop_tenant  # noqa: E402
from config.demo.scale.org import build_units  # noqa: E402  (the scale data's builders)
from config.demo.scale.trees import fill_indicators, tree_with_indicators  # noqa: E402
from lean import periods  # noqa: E402
from lean.models import Tenant, Unit  # noqa: E402
from lean.services import tenant_create  # noqa: E402
from lean.tenancy import tenant_scope  # noqa: E402
from targets import rollup, selectors  # noqa: E402
from targets.models import TargetTree  # noqa: E402

SLUG = "bench-targets"
YEAR = 2026
MONTHS = [periods.Period(date(year, month, 1), periods.MONTH) for year in (YEAR - 1, YEAR) for month in range(1, 13)]
UNITS_PER_INDICATOR = 5


def build(rng: random.Random) -> Tenant:
    """300 units under HQ (20 units with 14 teams each), one 2026 tree of 2,000 indicators, each applying to 5
    units, with 24 months of targets, readings and shortfalls (config/demo/scale builds them)."""
    started = time.perf_counter()
    drop_tenant(SLUG)
    tenant = tenant_create(name="基准测试集团", slug=SLUG)
    with tenant_scope(tenant):
        _hq, units = build_units(Sizes())
        indicators = tree_with_indicators(tenant, YEAR, "基准目标树")
        counts = fill_indicators(tenant, indicators, units, MONTHS, rng, UNITS_PER_INDICATOR)
    # Fresh statistics, as autovacuum would have them after a while in production.
    analyze()
    print(
        f"built {len(units)} units, {len(indicators)} indicators, {counts['indicator-units']} indicator-units, "
        f"{counts['targets']} targets, {counts['readings']} readings, {counts['shortfalls']} shortfalls "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return tenant


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
