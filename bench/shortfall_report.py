"""Benchmark of the shortfall report job at enterprise size (not a test). See bench/README.md.

Uses the target-tree benchmark's scratch tenant (`bench-targets`: 300 units, 2,000 indicators on 5 units each,
24 months of readings and their ~29,000 shortfalls; built by bench/targets_tree.py's `build` unless `--reuse`
finds it), then makes the reports of one month and of one quarter, each run inside a transaction that is rolled
back (a period's reports are made once, so every run must start from none), and prints the time and the number
of SQL queries per run: the job must stay at a bounded number of queries per unit, none per indicator.

    python -m lean.embedded --data .data/bench -- bash -c \\
        'python manage.py migrate -v0 && python bench/shortfall_report.py [--reuse] [--runs 5]'
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import targets_tree  # noqa: E402  (sets Django up)
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from insights.reports import shortfall_reports_make  # noqa: E402
from lean import periods  # noqa: E402
from lean.models import Tenant  # noqa: E402
from lean.tenancy import tenant_scope  # noqa: E402
from targets.models import Shortfall  # noqa: E402


class Rollback(Exception):
    pass


def one_run(tenant, period):
    """(ms, queries, reports, shortfalls listed) of making the period's reports from nothing."""
    with tenant_scope(tenant):
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                reports = shortfall_reports_make(period=period)
                elapsed = (time.perf_counter() - started) * 1000
                outcome = (elapsed, len(queries), len(reports), reports[0].shortfalls)
                raise Rollback
        except Rollback:
            return outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench tenant instead of rebuilding")
    args = parser.parse_args()
    tenant = Tenant.objects.filter(slug=targets_tree.SLUG).first() if args.reuse else None
    tenant = tenant or targets_tree.build(random.Random(2026))
    with tenant_scope(tenant):
        print(f"tenant: {Shortfall.objects.count()} shortfalls")
    print(f"\n{'period':10} {'units':>6} {'listed':>7} {'queries':>8} {'q/unit':>7} {'p50 ms':>8} {'max ms':>8}")
    for text in (f"{targets_tree.YEAR}-06", f"{targets_tree.YEAR}-Q2"):
        period = periods.parse(text)
        one_run(tenant, period)  # warm-up
        runs = sorted((one_run(tenant, period) for _ in range(args.runs)), key=lambda r: r[0])
        ms, queries, reports, listed = runs[len(runs) // 2]
        units = reports - 1  # the summary is not a unit's
        print(f"{text:10} {units:6} {listed:7} {queries:8} {queries / max(units, 1):7.2f} {ms:8.0f} {runs[-1][0]:8.0f}")


if __name__ == "__main__":
    main()
