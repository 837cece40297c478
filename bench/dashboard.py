"""Benchmark of the dashboard's tiles at the size of issue 9 (not a test). See bench/README.md.

Builds, in a fresh scratch tenant `bench-dashboard`, the large tenant of the scale data (config/demo/scale, the
same code and seed as `manage.py seed_scale`): 300 units, 30,000 employees, five yearly target trees (2022–2026)
of 2,000 indicators each applying to 5 units with monthly targets and readings (600,000 rows) and the shortfalls
they imply, 60 benchmark indicators with 5 outside peers, 5,000 projects with their transitions, teams, reviews
and shortfall links, 300,000 contributions with their credits, 20,000 suggestions and 60 listings, all bulk
inserted; then times every tile (the same code as its JSON endpoint: the scope, the row units, the tile's queries
and its presentation) for the whole tenant (the lean office) and for one unit with its 14 teams (its manager),
~20 runs each after 2 warm-up runs, and prints p50 and p95. `--slug scale --reuse` times the tenant that
`manage.py seed_scale` built, among its 200 small tenants.

    python -m lean.embedded --data .data/bench -- bash -c \\
        'python manage.py migrate -v0 && python bench/dashboard.py [--reuse] [--runs 20] [--slug bench-dashboard]'
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

# The repository on the path, and not this folder, whose http.py would stand in for the standard library's `http`.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(BENCH.parent)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from config.demo import scale  # noqa: E402  (the scale data's builders)
from insights.dashboard import tiles  # noqa: E402
from insights.dashboard.scope import scope_for  # noqa: E402
from lean.models import Membership, Tenant  # noqa: E402
from lean.tenancy import tenant_scope  # noqa: E402

SLUG = "bench-dashboard"


def build(rng: random.Random, size: float = 1.0) -> Tenant:
    steps = scale.Steps()
    with scale.keys_checked_at_the_end(steps):
        tenant = scale.build_large(SLUG, "看板基准测试集团", scale.LARGE.scaled(size), rng, steps)
    with steps.step("analyze"):
        scale.analyze()
    print(f"built in {steps.total():.0f} s", flush=True)
    return tenant


def measure(tenant: Tenant, runs: int):
    with tenant_scope(tenant):
        office = Membership.objects.select_related("unit").get(employee_number=scale.OFFICE)
        manager = Membership.objects.select_related("unit").get(employee_number=scale.MANAGER)
    results = []
    for who, member in (("tenant", office), ("one unit", manager)):
        for name in tiles.TILES:
            times = []
            for run in range(runs + 2):  # the first two warm the caches and are not counted
                with tenant_scope(tenant):
                    started = time.perf_counter()
                    scope = scope_for(member)
                    ctx = tiles.context(member=member, scope=scope, slug=tenant.slug)
                    tiles.build(name, ctx)
                    elapsed = (time.perf_counter() - started) * 1000
                if run >= 2:
                    times.append(elapsed)
            times.sort()
            p50 = times[len(times) // 2]
            p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
            results.append((f"{name}, {who}", p50, p95))
    return results


def per_query(tenant: Tenant) -> None:
    """Each tile's SQL statements with their time, for the whole tenant: where a slow tile spends it."""
    with tenant_scope(tenant):
        office = Membership.objects.select_related("unit").get(employee_number=scale.OFFICE)
    for name in tiles.TILES:
        timings = []

        def timed(execute, sql, params, many, context, timings=timings):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append(((time.perf_counter() - started) * 1000, " ".join(sql.split())[:90]))

        with tenant_scope(tenant), connection.execute_wrapper(timed):
            tiles.build(name, tiles.context(member=office, scope=scope_for(office), slug=tenant.slug))
        print(f"\n{name}: {len(timings)} statements, {sum(t for t, _s in timings):.0f} ms")
        for elapsed, sql in timings:
            print(f"  {elapsed:7.1f}  {sql}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench tenant instead of rebuilding")
    parser.add_argument("--queries", action="store_true", help="print each tile's statements with their time")
    parser.add_argument("--scale", type=float, default=1.0, help="build a smaller tenant (e.g. 0.1) to try it")
    parser.add_argument("--slug", default=SLUG, help="the tenant to time (`scale`: the one seed_scale built)")
    args = parser.parse_args()
    tenant = Tenant.objects.filter(slug=args.slug).first() if args.reuse or args.slug != SLUG else None
    if tenant is None and args.slug != SLUG:
        parser.error(f"there is no tenant {args.slug}: build it first (make seed-scale)")
    tenant = tenant or build(random.Random(2026), args.scale)
    print(f"\n{'tile, scope':30} {'p50 ms':>8} {'p95 ms':>8}")
    for name, p50, p95 in measure(tenant, args.runs):
        flag = "  slow (p95 > 300 ms)" if p95 > 300 else ""
        print(f"{name:30} {p50:8.1f} {p95:8.1f}{flag}")
    if args.queries:
        per_query(tenant)


if __name__ == "__main__":
    main()
