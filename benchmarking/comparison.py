"""The arithmetic of benchmarking: rank, best, median, quartiles and gaps of a unit among its peers.

Rules:
- The participants of a benchmark indicator in a period are the units with a value (their readings of the
  indicator with that code, combined over the period by its aggregation; only when the readings cover the
  whole period, so a quarter still running or with a missing month gives the unit no value) and the outside
  peers with a value for that period.
- Quartile thresholds are the 25th, 50th and 75th percentiles of all participants' values (inclusive method,
  linear interpolation). "Better" follows the direction. Quartile 1 is the best: at or better than the best
  threshold; quartile 4 is the worst: strictly worse than the 25% threshold on the bad side. Equal values
  always land in the same quartile and share a rank (1 + the number of strictly better participants).
- Quartiles need at least MIN_PARTICIPANTS values; with fewer, ranks and gaps are given but no quartile, and
  nobody is a benchmark shortfall.
- Gaps are how much worse than the best (never negative) and than the median (negative when better).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear

from lean import periods
from targets.models import Direction, Reading

from .models import BenchmarkIndicator, PeerValue

MIN_PARTICIPANTS = 4
TRUNC = {periods.MONTH: TruncMonth, periods.QUARTER: TruncQuarter, periods.YEAR: TruncYear}


@dataclass(frozen=True)
class Position:
    value: Decimal
    rank: int
    quartile: int | None
    gap_to_best: Decimal
    gap_to_median: Decimal


@dataclass(frozen=True)
class Comparison:
    count: int
    best: Decimal | None
    median: Decimal | None
    thresholds: tuple | None  # (25th, 50th, 75th percentile) in value order, low to high
    positions: dict  # participant key → Position

    def band(self, direction: str):
        """(worse edge, better edge) of the middle half, for the chart's quartile band."""
        if not self.thresholds:
            return None, None
        low, _mid, high = self.thresholds
        return (low, high) if direction == Direction.HIGHER else (high, low)


def _q(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def compare(values: dict, direction: str) -> Comparison:
    """Rank every participant (key → value) against all the others."""
    if not values:
        return Comparison(0, None, None, None, {})
    higher = direction == Direction.HIGHER
    ordered = sorted(values.values(), reverse=higher)  # best first
    best = ordered[0]
    median = _q(statistics.median(ordered))
    thresholds = None
    if len(ordered) >= MIN_PARTICIPANTS:
        thresholds = tuple(_q(t) for t in statistics.quantiles([float(v) for v in ordered], n=4, method="inclusive"))

    def better(a, b):
        return a > b if higher else a < b

    def quartile(value):
        if thresholds is None:
            return None
        low, mid, high = thresholds
        edges = (high, mid, low) if higher else (low, mid, high)  # best edge first
        for number, edge in enumerate(edges, start=1):
            if value == edge or better(value, edge):
                return number
        return 4

    positions = {}
    for key, value in values.items():
        positions[key] = Position(
            value=value,
            rank=1 + sum(1 for other in ordered if better(other, value)),
            quartile=quartile(value),
            gap_to_best=_q(abs(best - value)),
            gap_to_median=_q(median - value if higher else value - median),
        )
    return Comparison(len(values), best, median, thresholds, positions)


def unit_values(*, benchmarks, start, end, kind: str, unit_ids=None) -> dict:
    """(benchmark id, unit id, comparison period start) → the unit's value, from the readings: one query."""
    by_code = {b.code: b for b in benchmarks}
    if not by_code:
        return {}
    readings = Reading.objects.filter(
        indicator__node__code__in=by_code, period_start__gte=start, period_end__lte=end
    ).order_by()
    if unit_ids is not None:
        readings = readings.filter(unit_id__in=unit_ids)
    rows = (
        readings.annotate(bucket=TRUNC[kind]("period_start"))
        .values("indicator__node__code", "unit_id", "bucket", "period_kind")
        .annotate(total=Sum("value"), mean=Avg("value"), n=Count("id"))
    )
    found = {}
    for row in rows:
        benchmark = by_code[row["indicator__node__code"]]
        if periods.MONTHS_IN[row["period_kind"]] > periods.MONTHS_IN[kind]:
            continue  # a yearly reading says nothing about one quarter
        needed = periods.MONTHS_IN[kind] // periods.MONTHS_IN[row["period_kind"]]
        if row["n"] < needed:
            continue  # a period still running, or with gaps, is not compared with complete ones
        value = row["total"] if benchmark.aggregation == "sum" else row["mean"]
        bucket = row["bucket"]
        bucket = bucket.date() if hasattr(bucket, "date") else bucket
        found[(benchmark.pk, row["unit_id"], bucket)] = _q(value)
    return found


def peer_values(*, benchmarks, start, end, kind: str) -> dict:
    """(benchmark id, peer id, period start) → an outside peer's value: one query."""
    rows = PeerValue.objects.filter(
        benchmark__in=benchmarks, period_kind=kind, period_start__gte=start, period_end__lte=end, peer__active=True
    ).values_list("benchmark_id", "peer_id", "period_start", "value")
    return {(b, p, s): v for b, p, s, v in rows}


def comparisons(*, benchmarks, start, end, kind: str) -> dict:
    """(benchmark id, period start) → Comparison of every unit and peer with a value, for all the benchmarks
    of one comparison period kind between `start` and `end`: two queries whatever their number."""
    participants = defaultdict(dict)
    for (benchmark_id, unit_id, bucket), value in unit_values(
        benchmarks=benchmarks, start=start, end=end, kind=kind
    ).items():
        participants[(benchmark_id, bucket)][("unit", unit_id)] = value
    for (benchmark_id, peer_id, bucket), value in peer_values(
        benchmarks=benchmarks, start=start, end=end, kind=kind
    ).items():
        participants[(benchmark_id, bucket)][("peer", peer_id)] = value
    direction = {b.pk: b.direction for b in benchmarks}
    return {key: compare(values, direction[key[0]]) for key, values in participants.items()}


def active_benchmarks(kind: str | None = None):
    benchmarks = BenchmarkIndicator.objects.filter(active=True).order_by("code")
    if kind:
        benchmarks = benchmarks.filter(frequency=kind)
    return benchmarks
