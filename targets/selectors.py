"""Reads of the target tree. Every function runs inside the caller's tenant scope, in a bounded number of
queries whatever the size of the tree."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Avg, BooleanField, Count, Exists, OuterRef, Q, Value
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lean import periods
from lean.access import ancestor_ids, in_subtree, subtree_q, units_in_reach
from lean.models import Membership, Unit

from .models import Assessment, Indicator, IndicatorTarget, Reading, Shortfall, TargetNode, TargetTree


def tree_list():
    return TargetTree.objects.annotate(indicator_count=Count("nodes__indicator")).order_by("-year")


def tree_get(*, target_tree_id: int) -> TargetTree:
    return get_object_or_404(TargetTree, pk=target_tree_id)


def tree_for(*, year: int | None = None) -> TargetTree | None:
    """The tree of `year`; without a year, this year's tree, else the latest one."""
    trees = TargetTree.objects.order_by("-year")
    if year:
        return trees.filter(year=year).first()
    return trees.filter(year__lte=timezone.localdate().year).first() or trees.first()


def default_period(tree: TargetTree) -> periods.Period:
    """The month to show first: the latest month with readings in the tree, else the tree's year."""
    latest = Reading.objects.filter(indicator__node__tree=tree, period_kind=periods.MONTH).order_by("-period_start")
    start = latest.values_list("period_start", flat=True).first()
    if start:
        return periods.Period(start, periods.MONTH)
    return periods.parse(str(tree.year), periods.YEAR)


def tree_nodes(*, tree: TargetTree, parent: TargetNode | None = None, depth: int | None = None):
    """Nodes of the tree with their indicator (one query). `parent`: only its children; `depth`: only the
    nodes down to that depth (0 = the branches)."""
    nodes = (
        TargetNode.objects.filter(tree=tree)
        .select_related("owner_unit", "indicator")
        .annotate(child_count=Count("children"))
        .order_by("path")
    )
    if parent is not None:
        nodes = nodes.filter(parent=parent)
    elif depth is not None:
        nodes = nodes.filter(path__regex=rf"^(/\d{{10}}){{1,{depth + 1}}}/$")
    return nodes


def node_get(*, target_node_id: int) -> TargetNode:
    return get_object_or_404(TargetNode.objects.select_related("tree", "owner_unit", "parent"), pk=target_node_id)


def node_ancestors(*, node: TargetNode) -> list[TargetNode]:
    ids = ancestor_ids(node)
    by_id = TargetNode.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def indicator_get(*, indicator_id: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related("node__tree", "node__owner_unit", "node__parent"), pk=indicator_id
    )


def indicator_list(*, tree: TargetTree | None = None, query: str = ""):
    indicators = Indicator.objects.select_related("node__tree", "node__owner_unit").order_by("node__path")
    if tree is not None:
        indicators = indicators.filter(node__tree=tree)
    if query:
        indicators = indicators.filter(Q(node__code__icontains=query) | Q(node__name__icontains=query))
    return indicators


def indicator_units(*, indicator: Indicator):
    return Unit.objects.filter(indicator_links__indicator=indicator).order_by("path")


@dataclass
class SeriesPoint:
    period: periods.Period
    actual: object
    target: object


def indicator_series(*, indicator: Indicator, unit: Unit | None = None) -> list[SeriesPoint]:
    """Target against actual for every period of the indicator's year (two queries). With no unit (or a unit
    with units below it), actuals and targets are the mean over the units in scope."""
    readings = Reading.objects.filter(indicator=indicator)
    targets = IndicatorTarget.objects.filter(indicator=indicator)
    if unit is not None:
        readings = in_subtree(readings, unit)
        targets = targets.filter(Q(unit=None) | subtree_q(unit))
    actual = dict(readings.values("period_start").annotate(v=Avg("value")).values_list("period_start", "v"))
    target = dict(targets.values("period_start").annotate(v=Avg("value")).values_list("period_start", "v"))
    year = periods.parse(str(indicator.node.tree.year), periods.YEAR)
    return [
        SeriesPoint(period, actual.get(period.start), target.get(period.start))
        for period in year.split(indicator.frequency)
    ]


def reading_list(
    *,
    tree: TargetTree | None = None,
    indicator: Indicator | None = None,
    unit: Unit | None = None,
    period: periods.Period | None = None,
):
    readings = Reading.objects.select_related("indicator__node", "unit", "entered_by__user")
    if tree is not None:
        readings = readings.filter(indicator__node__tree=tree)
    if indicator is not None:
        readings = readings.filter(indicator=indicator)
    readings = in_subtree(readings, unit)
    if period is not None:
        readings = readings.filter(period_start__gte=period.start, period_end__lte=period.end)
    return readings.order_by("-period_start", "indicator__node__path", "unit__path")


def reading_get(*, reading_id: int) -> Reading:
    return get_object_or_404(Reading.objects.select_related("indicator__node__tree", "unit"), pk=reading_id)


def reading_history(*, reading: Reading, limit: int = 20):
    return reading.history.select_related("history_user").order_by("-history_date")[:limit]


def shortfall_list(
    *,
    tree: TargetTree | None = None,
    indicator: Indicator | None = None,
    unit: Unit | None = None,
    branch: str = "",
    period: periods.Period | None = None,
    assessed: bool | None = None,
    uncovered: bool = False,
    include_resolved: bool = False,
    source: str = "",
):
    """Shortfalls with the filters of the shortfall list, each annotated with `assessed` (its indicator and unit
    are in the assessment of its year) and `covered` (a project covers it: projects/selectors/coverage.py)."""
    shortfalls = Shortfall.objects.select_related("indicator__node", "unit", "analysed_by__user").annotate(
        assessed=assessed_expression(), covered=_covered()
    )
    if tree is not None:
        shortfalls = shortfalls.filter(indicator__node__tree=tree)
    if indicator is not None:
        shortfalls = shortfalls.filter(indicator=indicator)
    if not include_resolved:
        shortfalls = shortfalls.filter(resolved=False)
    shortfalls = in_subtree(shortfalls, unit)
    if branch:
        shortfalls = shortfalls.filter(indicator__node__branch=branch)
    if period is not None:
        shortfalls = shortfalls.filter(period_start__gte=period.start, period_end__lte=period.end)
    if assessed is not None:
        shortfalls = shortfalls.filter(assessed=assessed)
    if source:
        shortfalls = shortfalls.filter(source=source)
    if uncovered:
        shortfalls = shortfalls.filter(covered=False)
    return shortfalls.order_by("-period_start", "unit__path", "indicator__node__path")


def assessed_expression():
    """A filter expression on Shortfall rows: its indicator (by code) and unit are in the annual performance
    assessment of the shortfall's year (an Assessment record)."""
    return Exists(
        Assessment.objects.filter(
            indicator_code=OuterRef("indicator__node__code"),
            unit_id=OuterRef("unit_id"),
            year=ExtractYear(OuterRef("period_start")),
        )
    )


@dataclass(frozen=True)
class Coverage:
    """Whether a project covers a shortfall is the projects app's rule (projects/selectors/coverage.py). targets
    sits below projects and cannot import it, so projects registers these four in its AppConfig.ready
    (`coverage_register`); until it does, nothing covers a shortfall, so every one is uncovered."""

    uncovered: Callable[[], Q]  # () → the filter of uncovered shortfalls
    covered: Callable[[], object]  # () → a boolean expression per shortfall row
    attacking: Callable  # (viewer, shortfall) → the projects covering it that the viewer may open
    proposed: Callable  # (viewer, shortfall) → the projects linked to it that do not cover it


_coverage: list[Coverage] = []


def coverage_register(coverage: Coverage) -> None:
    _coverage[:] = [coverage]


def shortfall_attackers(*, viewer, shortfall) -> list:
    return list(_coverage[0].attacking(viewer, shortfall)) if _coverage else []


def shortfall_proposals(*, viewer, shortfall) -> list:
    return list(_coverage[0].proposed(viewer, shortfall)) if _coverage else []


def uncovered_q() -> Q:
    """The filter of the shortfalls no project covers."""
    return _coverage[0].uncovered() if _coverage else Q()


def _uncovered():
    return uncovered_q()


def _covered():
    return _coverage[0].covered() if _coverage else Value(False, output_field=BooleanField())


def shortfall_get(*, shortfall_id: int) -> Shortfall:
    return get_object_or_404(
        Shortfall.objects.select_related("indicator__node__tree", "unit", "analysed_by__user").annotate(
            assessed=assessed_expression(), covered=_covered()
        ),
        pk=shortfall_id,
    )


def shortfall_counts(*, tree: TargetTree, unit: Unit | None = None) -> dict:
    shortfalls = in_subtree(Shortfall.objects.filter(indicator__node__tree=tree, resolved=False), unit)
    return shortfalls.alias(in_assessment=assessed_expression()).aggregate(
        total=Count("pk"),
        assessed=Count("pk", filter=Q(in_assessment=True)),
        analysed=Count("pk", filter=~Q(analysis="")),
    )


def assessment_for(*, shortfall: Shortfall) -> Assessment | None:
    """The assessment record that puts `shortfall` in the assessment of its year, if any."""
    return (
        Assessment.objects.select_related("assessed_by__user")
        .filter(indicator_code=shortfall.indicator.node.code, unit=shortfall.unit_id, year=shortfall.period_start.year)
        .first()
    )


def assessment_list(*, year: int | None = None, unit: Unit | None = None):
    """The assessment records (纳入年度绩效考核), with their unit and who made them, in a stable order."""
    records = Assessment.objects.select_related("unit", "assessed_by__user")
    if year is not None:
        records = records.filter(year=year)
    records = in_subtree(records, unit)
    return records.order_by("year", "unit__code", "indicator_code", "pk")


def assessment_keys(*, keys) -> set[tuple[str, int, int]]:
    """Which of the (indicator code, unit id, year) keys are in the assessment: one query."""
    keys = set(keys)
    if not keys:
        return set()
    found = Assessment.objects.filter(
        indicator_code__in={k[0] for k in keys}, unit_id__in={k[1] for k in keys}, year__in={k[2] for k in keys}
    ).values_list("indicator_code", "unit_id", "year")
    return {key for key in found if key in keys}


def entry_units(*, member: Membership):
    """Units a member may enter readings for: every unit for the lean office, a manager's subtree."""
    return units_in_reach(member)


def indicator_targets(*, indicator: Indicator):
    return IndicatorTarget.objects.filter(indicator=indicator).select_related("unit").order_by("period_start", "unit")


def indicator_lookup(*, ids=(), codes=()) -> tuple[dict[int, Indicator], dict[tuple[str, int], Indicator]]:
    """Indicators by id and by (code, tree year) in one query, to resolve a batch of references (API, files)."""
    codes = set(codes)
    found = Indicator.objects.select_related("node__tree").filter(
        Q(pk__in=set(ids))
        | Q(node__code__in={code for code, _year in codes}, node__tree__year__in={year for _code, year in codes})
    )
    by_id, by_code = {}, {}
    for indicator in found:
        by_id[indicator.pk] = indicator
        by_code[(indicator.node.code, indicator.node.tree.year)] = indicator
    return by_id, by_code


def unit_lookup(*, ids=(), codes=()) -> tuple[dict[int, Unit], dict[str, Unit]]:
    """Units by id and by code in one query."""
    found = list(Unit.objects.filter(Q(pk__in=set(ids)) | Q(code__in=set(codes))))
    return {unit.pk: unit for unit in found}, {unit.code: unit for unit in found}
