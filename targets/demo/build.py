"""Builds one tenant's demo target trees from a Plan: nodes, indicators and targets through the services, then
generated monthly readings (one `readings_save` per month, so the services find the shortfalls), then the
analyses and assessment marks the lean office and the unit managers would have written.

Readings are made from the target: each (indicator, unit) pair sits a few noise widths on the good side of its
target, except in the months a Plan's story (or a short random episode) says it slips. A seeded
`random.Random` makes every run produce the same numbers.
"""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from lean import periods
from lean.models import Membership, Role, Unit
from targets import services
from targets.models import Aggregation, Branch, Direction, Indicator, Shortfall, TargetNode, TargetTree

UP, DOWN = Direction.HIGHER, Direction.LOWER
SUM, AVG = Aggregation.SUM, Aggregation.AVERAGE
BRANCH_NAMES = {
    Branch.CORE: "核心指标",
    Branch.PRIORITY: "年度重点",
    Branch.BUSINESS: "主营业务",
    Branch.SUPPORT: "后台支持",
}
GOOD_MARGIN = (1.6, 2.6)  # how many noise widths a healthy pair sits on the good side of its target
EPISODE_DEPTH = 1.0  # a random bad episode: the month misses about 84% of the time


@dataclass(frozen=True)
class Spec:
    """One indicator of the catalogue. Targets are yearly: `target` for every unit, `per_unit` overrides."""

    code: str
    name: str
    measure: str
    direction: str
    aggregation: str
    units: tuple[str, ...]
    target: float | None
    baseline: float
    source: str
    spread: float = 0.01  # month-to-month noise, relative to the target
    places: int = 1
    weight: int = 1
    per_unit: dict = field(default_factory=dict)
    events: bool = False  # counted events (outages): zero in a good month
    since: int = 0  # first tree year that has it (a new indicator of a copied tree)


@dataclass(frozen=True)
class Goal:
    """A goal node under one of the four branches, with its indicators."""

    branch: str
    code: str
    name: str
    owner: str
    weight: int
    specs: list[Spec]


@dataclass(frozen=True)
class Story:
    """A pair that keeps missing: the months it slips and how far (in noise widths past the target)."""

    unit: str
    code: str
    months: frozenset[str]
    depth: float = 2.0


@dataclass(frozen=True)
class Plan:
    """One tenant's demo: its tree(s), the months with readings, and the story its shortfalls tell."""

    lean_office: str  # employee number of the lean office member who enters readings and assesses
    year: int  # the first tree
    goals: list[Goal]
    last_month: str
    stories: list[Story]
    analyses: dict  # (unit code, indicator code) → [(analysis, actions)], newest shortfall first
    assessed: list[tuple[str, str]]  # (unit code, indicator code): in the assessment of its newest shortfall's year
    copy_year: int | None = None  # a second tree copied from the first, with these changes:
    changes: dict = field(default_factory=dict)  # code → {unit code or "*": yearly target}
    weights: dict = field(default_factory=dict)  # goal code → weight
    episodes: int = 0  # short random bad spells on other pairs
    seed: int = 2026


def month_range(first: str, last: str) -> list[str]:
    months, period, end = [], periods.parse(first), periods.parse(last)
    while period <= end:
        months.append(str(period))
        period = period.next()
    return months


def months(*spans: str) -> frozenset[str]:
    """Spans like "2025-05..2026-10" or "2025-07" as one set of month strings."""
    found = set()
    for span in spans:
        first, _, last = span.partition("..")
        found.update(month_range(first, last or first))
    return frozenset(found)


def _decimal(value, places=4) -> Decimal:
    return Decimal(str(round(value, places)))


def _rename_branches(tree: TargetTree) -> None:
    for node in TargetNode.objects.filter(tree=tree, parent=None):
        services.node_update(
            node=node, code=node.code, name=BRANCH_NAMES[node.branch], owner_unit=node.owner_unit, weight=node.weight
        )


def _set_targets(indicator: Indicator, targets: dict, units: dict) -> None:
    for unit_code, value in targets.items():
        services.target_set_year(
            indicator=indicator, value=_decimal(value), unit=None if unit_code == "*" else units[unit_code]
        )


def _add_indicator(goal_node: TargetNode, goal: Goal, spec: Spec, units: dict) -> Indicator:
    owner = spec.units[0] if len(spec.units) == 1 else goal.owner
    indicator = services.indicator_create(
        parent=goal_node,
        code=spec.code,
        name=spec.name,
        owner_unit=units[owner],
        weight=spec.weight,
        measure_unit=spec.measure,
        direction=spec.direction,
        aggregation=spec.aggregation,
        baseline=_decimal(spec.baseline),
        data_source=spec.source,
        units=[units[code] for code in spec.units],
    )
    common = {} if spec.target is None else {"*": spec.target}
    _set_targets(indicator, {**common, **spec.per_unit}, units)
    return indicator


def _build_tree(plan: Plan, units: dict) -> TargetTree:
    tree = services.tree_create(year=plan.year, name=f"{plan.year}年度目标树")
    _rename_branches(tree)
    branches = {node.branch: node for node in TargetNode.objects.filter(tree=tree, parent=None)}
    for goal in plan.goals:
        node = services.node_create(
            parent=branches[goal.branch],
            code=goal.code,
            name=goal.name,
            owner_unit=units[goal.owner],
            weight=goal.weight,
        )
        for spec in goal.specs:
            if spec.since <= plan.year:
                _add_indicator(node, goal, spec, units)
    return tree


def _copy_tree(plan: Plan, source: TargetTree, units: dict, actor: Membership) -> TargetTree:
    """Next year's tree as the lean office starts it: a copy, then a new indicator, new weights and targets."""
    tree = services.tree_copy(source=source, year=plan.copy_year, actor=actor)
    # tree_copy names the tree in the active language; the demo's data is Chinese whatever runs the seed.
    tree.name = f"{plan.copy_year}年度目标树"
    tree.save(update_fields=["name"])
    nodes = {node.code: node for node in TargetNode.objects.filter(tree=tree).select_related("owner_unit")}
    for goal in plan.goals:
        node = nodes[goal.code]
        if goal.code in plan.weights:
            services.node_update(
                node=node,
                code=node.code,
                name=node.name,
                owner_unit=node.owner_unit,
                weight=plan.weights[goal.code],
                description=node.description,
            )
        for spec in goal.specs:
            if spec.since == plan.copy_year:
                _add_indicator(node, goal, spec, units)
    indicators = {i.code: i for i in Indicator.objects.filter(node__tree=tree).select_related("node__tree")}
    for code, targets in plan.changes.items():
        _set_targets(indicators[code], targets, units)
    return tree


def yearly_target(plan: Plan, spec: Spec, unit: str, year: int) -> float:
    changes = plan.changes.get(spec.code, {}) if year == plan.copy_year else {}
    own = {**spec.per_unit, **{code: value for code, value in changes.items() if code != "*"}}
    return own.get(unit, changes.get("*", spec.target))


def _reading(spec: Spec, target: float, z: float) -> Decimal:
    relative = spec.spread * z
    value = target * (1 + relative) if spec.direction == UP else target * (1 - relative)
    if spec.measure == "%":
        value = min(value, 100)
    return _decimal(max(value, 0), spec.places)


def generate(plan: Plan) -> dict[tuple[str, str, str], Decimal]:
    """(month, indicator code, unit code) → reading, the same on every run."""
    rng = random.Random(plan.seed)
    specs = [spec for goal in plan.goals for spec in goal.specs]
    all_months = month_range(f"{plan.year}-01", plan.last_month)
    bad = {(story.unit, story.code): (story.months, story.depth) for story in plan.stories}
    others = [(unit, spec.code) for spec in specs for unit in spec.units if (unit, spec.code) not in bad]
    for pair in rng.sample(others, plan.episodes):
        start = rng.randrange(len(all_months) - 2)
        bad[pair] = (frozenset(all_months[start : start + rng.randint(2, 5)]), EPISODE_DEPTH)
    values = {}
    for spec in specs:
        for unit in spec.units:
            slips, depth = bad.get((unit, spec.code), (frozenset(), 0))
            margin = rng.uniform(*GOOD_MARGIN)
            for month in all_months:
                year = int(month[:4])
                if spec.since > year:
                    continue
                if spec.events:
                    # An outage is rare in a good month; a bad month has one, now and then two.
                    count = (1 + (rng.random() < 0.2)) if month in slips else int(rng.random() < 0.03)
                    values[(month, spec.code, unit)] = Decimal(count)
                    continue
                target = yearly_target(plan, spec, unit, year)
                if spec.aggregation == SUM:
                    target /= 12
                z = (-depth if month in slips else margin) + rng.gauss(0, 1)
                values[(month, spec.code, unit)] = _reading(spec, target, z)
    return values


def _save_readings(plan: Plan, units: dict, actor: Membership) -> None:
    indicators = {(i.node.tree.year, i.code): i for i in Indicator.objects.select_related("node__tree", "tenant").all()}
    by_month: dict[str, list] = {}
    for (month, code, unit), value in generate(plan).items():
        indicator = indicators[(int(month[:4]), code)]
        by_month.setdefault(month, []).append(
            services.ReadingInput(indicator=indicator, unit=units[unit], period=periods.parse(month), value=value)
        )
    for month in sorted(by_month):
        services.readings_save(actor=actor, items=by_month[month], source="import")


def _newest_shortfalls(tree: TargetTree, unit: Unit, code: str, count: int) -> list[Shortfall]:
    shortfalls = Shortfall.objects.filter(indicator__node__tree=tree, indicator__node__code=code, unit=unit)
    return list(shortfalls.filter(resolved=False).select_related("unit").order_by("-period_start")[:count])


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _write_analyses(plan: Plan, tree: TargetTree, units: dict, lean_office: Membership) -> None:
    managers = {
        m.unit.code: m
        for m in Membership.objects.filter(roles__contains=[Role.UNIT_MANAGER]).select_related("unit", "user")
    }
    for (unit_code, code), texts in plan.analyses.items():
        author = managers.get(unit_code, lean_office)
        for shortfall, (analysis, actions) in zip(
            _newest_shortfalls(tree, units[unit_code], code, len(texts)), texts, strict=False
        ):
            start = shortfall.period_start
            facts = {
                "period": f"{start.year}年{start.month}月",
                "actual": _plain(shortfall.actual),
                "target": _plain(shortfall.target),
            }
            services.shortfall_update(
                actor=author, shortfall=shortfall, analysis=analysis.format(**facts), actions=actions
            )
    for unit_code, code in plan.assessed:
        # Into the assessment of the newest shortfall's year: every shortfall of the pair in that year follows.
        for shortfall in _newest_shortfalls(tree, units[unit_code], code, 1):
            services.assessment_set(actor=lean_office, shortfall=shortfall, assessed=True)


def seed_plan(plan: Plan) -> None:
    """Run inside the tenant's scope, on a tenant that has no target tree yet."""
    units = {unit.code: unit for unit in Unit.objects.all()}
    lean_office = Membership.objects.select_related("user", "unit").get(employee_number=plan.lean_office)
    first = _build_tree(plan, units)
    trees = {plan.year: first}
    if plan.copy_year:
        trees[plan.copy_year] = _copy_tree(plan, first, units, lean_office)
    _save_readings(plan, units, lean_office)
    _write_analyses(plan, trees[max(trees)], units, lean_office)
