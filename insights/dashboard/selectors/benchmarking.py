"""The benchmarking tile's quartile strip: per active benchmark indicator, its latest compared period of the year
and the number of the scope's units in each quartile, from benchmarking's comparisons."""

from datetime import date

from django.db.models import Max

from benchmarking.comparison import active_benchmarks, comparisons
from insights.dashboard.scope import Scope
from lean import periods
from lean.access import subtree_q
from lean.models import Unit
from targets.models import Reading


def _comparison_window(kind: str, latest: date) -> tuple[periods.Period, date]:
    """The period holding `latest`, and the start of the one before it (a period still running has no
    comparison yet, so the one before is looked at too)."""
    months = periods.MONTHS_IN[kind]
    start = date(latest.year, (latest.month - 1) // months * months + 1, 1)
    current = periods.Period(start, kind)
    before = periods._add_months(start, -months)
    return current, before


def benchmark_positions(scope: Scope, units_in_scope=None) -> list[dict]:
    """For every active benchmark indicator, its latest compared period in the year with the number of the
    scope's units in each quartile (1 best … 4 worst) and without a quartile. Per comparison kind in use: one
    query for the latest reading and two for the comparison (comparison.comparisons), plus one."""
    benchmarks = list(active_benchmarks())
    if not benchmarks:
        return []
    year_start, year_end = date(scope.year, 1, 1), date(scope.year + 1, 1, 1)
    prefix = scope.prefix
    in_scope = dict(Unit.objects.filter(subtree_q(prefix, field="")).values_list("pk", "path")) if scope.unit else None
    out = []
    for kind in sorted({b.frequency for b in benchmarks}):
        group = [b for b in benchmarks if b.frequency == kind]
        latest = (
            Reading.objects.filter(
                indicator__node__code__in={b.code for b in group},
                period_start__gte=year_start,
                period_end__lte=year_end,
                period_kind__in=[k for k, n in periods.MONTHS_IN.items() if n <= periods.MONTHS_IN[kind]],
            )
            .order_by()
            .aggregate(latest=Max("period_start"))["latest"]
        )
        found = {}
        if latest is not None:
            current, before = _comparison_window(kind, latest)
            found = comparisons(benchmarks=group, start=max(before, year_start), end=current.end, kind=kind)
        for benchmark in group:
            buckets = sorted((start for (pk, start) in found if pk == benchmark.pk), reverse=True)
            comparison, period = None, None
            for start in buckets:
                comparison, period = found[(benchmark.pk, start)], periods.Period(start, kind)
                if comparison.thresholds:
                    break
            quartiles = {1: 0, 2: 0, 3: 0, 4: 0, None: 0}
            if comparison is not None:
                for (who, pk), position in comparison.positions.items():
                    if who == "unit" and (in_scope is None or pk in in_scope):
                        quartiles[position.quartile] += 1
            out.append(
                {
                    "benchmark": benchmark,
                    "period": period,
                    "participants": comparison.count if comparison else 0,
                    "quartiles": quartiles,
                    "units": sum(quartiles.values()),
                }
            )
    return sorted(out, key=lambda row: row["benchmark"].code)
