"""Reads of benchmarking, each in a bounded number of queries whatever the number of indicators, units and peers."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lean import periods
from lean.access import in_subtree, subtree_q
from lean.models import Membership, Role, Unit
from targets.models import Shortfall
from targets.selectors import assessed_expression

from .comparison import Comparison, comparisons
from .models import BenchmarkIndicator, Peer, PeerValue, Practice, Proposal


def benchmark_list(*, active_only: bool = True):
    benchmarks = BenchmarkIndicator.objects.select_related("indicator__node").annotate(
        peer_value_count=Count("peer_values")
    )
    return benchmarks.filter(active=True) if active_only else benchmarks


def benchmark_get(*, benchmark_indicator_id: int) -> BenchmarkIndicator:
    return get_object_or_404(
        BenchmarkIndicator.objects.select_related("indicator__node__tree"), pk=benchmark_indicator_id
    )


def latest_period(kind: str) -> periods.Period:
    """The last complete period of `kind` before today (the board's default)."""
    today = periods.parse(timezone.localdate())
    return today.containing(kind).previous()


@dataclass
class BoardCell:
    comparison: Comparison | None
    position: object  # Position or None


def board(*, kind: str, period: periods.Period, units):
    """Rows of (benchmark, [BoardCell per unit]) for every active benchmark compared per `kind`: 3 queries."""
    benchmarks = list(BenchmarkIndicator.objects.filter(active=True, frequency=kind).order_by("code"))
    results = comparisons(benchmarks=benchmarks, start=period.start, end=period.end, kind=kind)
    rows = []
    for benchmark in benchmarks:
        result = results.get((benchmark.pk, period.start))
        cells = [BoardCell(result, result.positions.get(("unit", unit.pk)) if result else None) for unit in units]
        rows.append((benchmark, result, cells))
    return rows


def board_units():
    """The units compared on the board: every active unit below the top (HQ itself has no readings)."""
    return list(Unit.objects.filter(active=True).exclude(parent=None).exclude(kind=Unit.Kind.TEAM).order_by("path"))


@dataclass
class SeriesPoint:
    period: periods.Period
    comparison: Comparison | None
    position: object


def benchmark_series(*, benchmark: BenchmarkIndicator, unit: Unit | None, last: periods.Period, count: int = 8):
    """The comparison of each of the last `count` periods, and the unit's position in each (2 queries)."""
    span = periods.months_back(last, count)
    results = comparisons(benchmarks=[benchmark], start=span[0].start, end=last.end, kind=benchmark.frequency)
    return [
        SeriesPoint(
            period,
            results.get((benchmark.pk, period.start)),
            results.get((benchmark.pk, period.start)).positions.get(("unit", unit.pk))
            if unit is not None and results.get((benchmark.pk, period.start))
            else None,
        )
        for period in span
    ]


def participant_names(comparison: Comparison | None) -> dict:
    """participant key → display name for one comparison (2 queries)."""
    if comparison is None:
        return {}
    unit_ids = [pk for who, pk in comparison.positions if who == "unit"]
    peer_ids = [pk for who, pk in comparison.positions if who == "peer"]
    names = {("unit", u.pk): u.name for u in Unit.objects.filter(pk__in=unit_ids)}
    names.update({("peer", p.pk): p.name for p in Peer.objects.filter(pk__in=peer_ids)})
    return names


def peer_list():
    return Peer.objects.annotate(value_count=Count("values")).order_by("-active", "name")


def peer_get(*, peer_id: int) -> Peer:
    return get_object_or_404(Peer, pk=peer_id)


def peer_value_list(*, benchmark=None, peer=None, period: periods.Period | None = None):
    values = PeerValue.objects.select_related("benchmark", "peer", "entered_by__user")
    if benchmark is not None:
        values = values.filter(benchmark=benchmark)
    if peer is not None:
        values = values.filter(peer=peer)
    if period is not None:
        values = values.filter(period_start__gte=period.start, period_end__lte=period.end)
    return values.order_by("-period_start", "benchmark__code", "peer__name")


def proposal_list(*, viewer: Membership, status: str = ""):
    proposals = Proposal.objects.select_related("unit", "indicator__node", "proposed_by__user", "decided_by__user")
    if not viewer.has_role(Role.LEAN_OFFICE):
        proposals = proposals.filter(subtree_q(viewer.unit) | Q(proposed_by=viewer))
    if status:
        proposals = proposals.filter(status=status)
    return proposals.order_by("-created_at")


def proposal_get(*, proposal_id: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("unit", "indicator__node__tree", "proposed_by__user", "benchmark"),
        pk=proposal_id,
    )


def practice_list(*, benchmark=None, unit=None):
    practices = Practice.objects.select_related("benchmark", "unit", "peer", "peer_unit", "recorded_by__user")
    if benchmark is not None:
        practices = practices.filter(benchmark=benchmark)
    practices = in_subtree(practices, unit)
    return practices.order_by("-created_at")


def shortfall_candidates(*, limit: int = 50):
    """Target-tree indicators with open target shortfalls and no benchmark yet, most-missed first: the board
    offers these first when the lean office adds a benchmark indicator."""
    benchmarked = BenchmarkIndicator.objects.values("code")
    return (
        Shortfall.objects.filter(source=Shortfall.Source.TARGET, resolved=False)
        .exclude(indicator__node__code__in=benchmarked)
        .alias(in_assessment=assessed_expression())
        .values("indicator_id", "indicator__node__code", "indicator__node__name", "indicator__node__tree__year")
        .annotate(misses=Count("pk"), assessed=Count("pk", filter=Q(in_assessment=True)))
        .order_by("-assessed", "-misses", "indicator__node__code")[:limit]
    )


# ---------------------------------------------------------------- added for the pages


def proposal_pending_count() -> int:
    return Proposal.objects.filter(status=Proposal.Status.PENDING).count()


def proposable_indicators(*, unit: Unit, tree):
    """The indicators of `tree` that apply to `unit` (or a unit below it), not benchmarked and not already
    waiting for a decision: what a unit manager may propose."""
    from targets.models import Indicator

    if tree is None:
        return Indicator.objects.none()
    taken = BenchmarkIndicator.objects.filter(active=True).values("code")
    pending = Proposal.objects.filter(status=Proposal.Status.PENDING).values("indicator__node__code")
    return (
        Indicator.objects.filter(subtree_q(unit, field="unit_links__unit"), node__tree=tree)
        .exclude(node__code__in=taken)
        .exclude(node__code__in=pending)
        .select_related("node")
        .distinct()
        .order_by("node__path")
    )


def practice_get(*, practice_id: int) -> Practice:
    return get_object_or_404(
        Practice.objects.select_related("benchmark", "unit", "peer", "peer_unit", "recorded_by__user"), pk=practice_id
    )
