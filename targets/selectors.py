"""Reads of the target tree. Every function runs inside the caller's tenant scope, in a bounded number of
queries whatever the size of the tree."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404

from lean.models import Membership, Role, Unit

from . import periods
from .models import Indicator, IndicatorTarget, Reading, Shortfall, TargetNode, TargetTree


def tree_list():
    return TargetTree.objects.annotate(indicator_count=Count("nodes__indicator")).order_by("-year")


def tree_get(*, target_tree_id: int) -> TargetTree:
    return get_object_or_404(TargetTree, pk=target_tree_id)


def tree_for(*, year: int | None = None) -> TargetTree | None:
    """The tree of `year`; without a year, this year's tree, else the latest one."""
    trees = TargetTree.objects.order_by("-year")
    if year:
        return trees.filter(year=year).first()
    return trees.filter(year__lte=date.today().year).first() or trees.first()


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
    ids = [int(part) for part in node.path.strip("/").split("/") if part]
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
        readings = readings.filter(unit__path__startswith=unit.path)
        targets = targets.filter(Q(unit=None) | Q(unit__path__startswith=unit.path))
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
    if unit is not None:
        readings = readings.filter(unit__path__startswith=unit.path)
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
    """Shortfalls with the filters of the shortfall list. "Uncovered" means no project attacks it; projects
    link to shortfalls in the projects app, so until a project exists every shortfall is uncovered."""
    shortfalls = Shortfall.objects.select_related("indicator__node", "unit", "analysed_by__user")
    if tree is not None:
        shortfalls = shortfalls.filter(indicator__node__tree=tree)
    if indicator is not None:
        shortfalls = shortfalls.filter(indicator=indicator)
    if not include_resolved:
        shortfalls = shortfalls.filter(resolved=False)
    if unit is not None:
        shortfalls = shortfalls.filter(unit__path__startswith=unit.path)
    if branch:
        shortfalls = shortfalls.filter(indicator__node__branch=branch)
    if period is not None:
        shortfalls = shortfalls.filter(period_start__gte=period.start, period_end__lte=period.end)
    if assessed is not None:
        shortfalls = shortfalls.filter(assessed=assessed)
    if source:
        shortfalls = shortfalls.filter(source=source)
    if uncovered:
        shortfalls = shortfalls.filter(_uncovered())
    return shortfalls.order_by("-period_start", "unit__path", "indicator__node__path")


# Set by the projects app (projects/apps.py): the filter that keeps only the shortfalls no live project attacks.
# Until it is set, nothing attacks a shortfall, so every one is uncovered.
uncovered_filter = None


# Set by the projects app: (viewer, shortfall) → the projects attacking it that the viewer may open.
attacking_projects = None


def shortfall_attackers(*, viewer, shortfall) -> list:
    return list(attacking_projects(viewer, shortfall)) if attacking_projects else []


def _uncovered():
    return uncovered_filter() if uncovered_filter else Q()


def shortfall_get(*, shortfall_id: int) -> Shortfall:
    return get_object_or_404(
        Shortfall.objects.select_related("indicator__node__tree", "unit", "analysed_by__user"), pk=shortfall_id
    )


def shortfall_counts(*, tree: TargetTree, unit: Unit | None = None) -> dict:
    shortfalls = Shortfall.objects.filter(indicator__node__tree=tree, resolved=False)
    if unit is not None:
        shortfalls = shortfalls.filter(unit__path__startswith=unit.path)
    return shortfalls.aggregate(
        total=Count("pk"), assessed=Count("pk", filter=Q(assessed=True)), analysed=Count("pk", filter=~Q(analysis=""))
    )


def entry_units(*, member: Membership):
    """Units a member may enter readings for: every unit for the lean office, a manager's subtree."""
    units = Unit.objects.filter(active=True).order_by("path")
    if member.has_role(Role.LEAN_OFFICE):
        return units
    if member.has_role(Role.UNIT_MANAGER):
        return units.filter(path__startswith=member.unit.path)
    return units.none()


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
