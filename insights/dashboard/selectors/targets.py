"""The figures of the dashboard's tiles. Each function is a fixed number of aggregate queries (GROUP BY in the
database, Count/Sum/Avg with filters) whatever the size of the tenant; Python only folds the grouped rows,
never the tenant's rows. Rows of a tile are the scope's child units (each with its subtree), named by the
prefix of their materialised path, plus the scope's own unit for what is recorded on it directly."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, DecimalField, F, Max, Q, Sum, Value, When, Window
from django.db.models.functions import Coalesce, Lag, Least, Substr

from benchmarking.comparison import active_benchmarks, comparisons
from innovation.models import Contribution, Credit, Suggestion
from insights.dashboard.scope import Scope
from lean import periods
from lean.access import in_subtree, subtree_q
from lean.models import Membership, Unit
from projects.finance import signed_q
from projects.models import State, Tier, Transition
from projects.selectors.portfolio import portfolio_filter, portfolio_scope
from projects.workflow import BOARD
from targets import selectors as target_selectors
from targets.models import Branch, Direction, Reading, Shortfall
from targets.rollup import CAP

ZERO = Decimal("0")
BENEFIT_STATES = (State.CLOSED, State.FILED)  # verified benefits count once a project is closed and released
ADOPTED = (Suggestion.State.ADOPTED, Suggestion.State.IMPLEMENTED)


def row_units(scope: Scope) -> list[Unit]:
    """The units the tiles' rows stand for: the scope's child units, then its own unit. One query."""
    if scope.group is None:
        return list(Unit.objects.filter(parent__isnull=True).order_by("path"))
    children = list(Unit.objects.filter(parent=scope.group).order_by("path"))
    return children + [scope.group]


def unit_paths(scope: Scope) -> dict[int, str]:
    """Unit id → path of every unit in the scope (at most the tenant's units). One query."""
    return dict(Unit.objects.filter(subtree_q(scope.prefix, field="")).values_list("pk", "path"))


def _key(field: str, scope: Scope):
    return Substr(field, 1, scope.child_length)


def _fold(rows: list[dict], units: list[Unit], scope: Scope) -> list[dict]:
    """Grouped rows keyed by path prefix → one row per unit of `units`, in their order (`own` marks the scope's
    own unit, whose row holds only what is recorded on it directly)."""
    by_key = {row["key"]: row for row in rows}
    out = []
    for unit in units:
        own = scope.group is not None and unit.pk == scope.group.pk
        out.append({"unit": unit, "own": own, **by_key.get(unit.path, {})})
    return out


# ---------------------------------------------------------------- targets: achievement heat map


def _achievement():
    """A reading's achievement against its target, as in targets/rollup.py (capped at 120%)."""
    higher = Q(indicator__direction=Direction.HIGHER)
    return Least(
        Value(CAP),
        Case(
            When(higher & Q(target__gt=0), then=F("value") / F("target")),
            When(~higher & Q(target__gt=0, value__gt=0), then=F("target") / F("value")),
            When(higher & Q(value__gte=F("target")), then=Value(Decimal(1))),
            When(~higher & Q(value__lte=F("target")), then=Value(Decimal(1))),
            default=Value(ZERO),
            output_field=DecimalField(),
        ),
    )


MISSED = Q(indicator__direction=Direction.HIGHER, value__lt=F("target")) | Q(
    indicator__direction=Direction.LOWER, value__gt=F("target")
)


_HEATMAP_SQL = """
SELECT g.branch, SUBSTRING(u.path, 1, %s) AS key, g.period_start, SUM(g.total), SUM(g.pairs), SUM(g.missed)
FROM ({inner}) AS g(branch, unit_id, period_start, total, pairs, missed)
JOIN lean_unit u ON u.id = g.unit_id
GROUP BY 1, 2, 3
"""


def achievement_heatmap(scope: Scope, units: list[Unit]) -> dict:
    """Achievement per month of the year's tree, by branch and by unit: the mean of the monthly readings'
    achievements (each reading against its target), with the number of (indicator, unit) pairs that missed.
    One query."""
    months = periods.parse(str(scope.year), periods.YEAR).split(periods.MONTH)
    if scope.tree is None:
        return {"months": months, "branches": [], "units": []}
    readings = Reading.objects.filter(
        indicator__node__tree=scope.tree, period_kind=periods.MONTH, target__isnull=False
    ).order_by()
    readings = in_subtree(readings, scope.unit)
    # One statement: the year's readings grouped by branch, unit and month (grouping by the unit's id lets
    # PostgreSQL hash the groups rather than sort the year's readings), then those groups by row unit. The
    # branch rows and the unit rows are sums of its rows (a mean is kept as its sum and count).
    inner, params = (
        readings.values("indicator__node__branch", "unit_id", "period_start")
        .annotate(total=Sum(_achievement()), pairs=Count("id"), missed=Count("id", filter=MISSED))
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(_HEATMAP_SQL.format(inner=inner), [scope.child_length, *params])
        groups = cursor.fetchall()
    sums: dict = {}
    for branch, key, start, total, pairs, missed in groups:
        for cell_key in (("branch", branch, start), ("unit", key, start)):
            bucket = sums.setdefault(cell_key, {"total": ZERO, "pairs": 0, "missed": 0})
            bucket["total"] += total
            bucket["pairs"] += int(pairs)
            bucket["missed"] += int(missed)
    cells = {
        key: {"achievement": bucket["total"] / bucket["pairs"], "pairs": bucket["pairs"], "missed": bucket["missed"]}
        for key, bucket in sums.items()
    }
    branches = [
        {"branch": value, "label": label, "cells": [cells.get(("branch", value, m.start)) for m in months]}
        for value, label in Branch.choices
    ]
    unit_rows = [
        {
            "unit": unit,
            "own": scope.group is not None and unit.pk == scope.group.pk,
            "cells": [cells.get(("unit", unit.path, m.start)) for m in months],
        }
        for unit in units
    ]
    return {"months": months, "branches": branches, "units": unit_rows}


# ---------------------------------------------------------------- targets: shortfalls


def shortfall_counts(scope: Scope, units: list[Unit]) -> dict:
    """Open shortfalls of the year's tree per unit: all of them, those no approved or running project covers
    (uncovered, projects/selectors/coverage.py), by what found them (target missed, benchmark worst quartile), and those in
    the year's performance assessment. One query."""
    names = ("total", "uncovered", "target", "benchmark", "assessed")
    if scope.tree is None:
        return {"rows": _fold([], units, scope), **dict.fromkeys(names, 0)}
    uncovered = target_selectors._uncovered()
    rows = list(
        Shortfall.objects.filter(subtree_q(scope.prefix), indicator__node__tree=scope.tree, resolved=False)
        .alias(in_assessment=target_selectors.assessed_expression())
        .annotate(key=_key("unit__path", scope))
        .values("key")
        .annotate(
            total=Count("id"),
            uncovered=Count("id", filter=uncovered),
            target=Count("id", filter=Q(source=Shortfall.Source.TARGET)),
            benchmark=Count("id", filter=Q(source=Shortfall.Source.BENCHMARK)),
            assessed=Count("id", filter=Q(in_assessment=True)),
        )
        .order_by()
    )
    totals = {name: sum(row[name] for row in rows) for name in names}
    return {"rows": _fold(rows, units, scope), **totals}


# ---------------------------------------------------------------- benchmarking: quartile strip


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


# ---------------------------------------------------------------- projects: funnel, days per stage, benefits

FUNNEL_STATES = [*BOARD, State.REJECTED, State.MERGED]  # the board's lifecycle order, then the dead ends


def scope_projects(member: Membership, scope: Scope):
    """The projects of the scope: the member's portfolio (projects.selectors.portfolio.portfolio_scope), narrowed to the
    scope's unit like the portfolio table's unit filter does."""
    return portfolio_filter(portfolio_scope(member), unit=scope.unit)


_STAGE_SQL = """
SELECT from_state, AVG(EXTRACT(EPOCH FROM (created_at - entered))) / 86400.0 AS days, COUNT(*) AS n
FROM ({inner}) AS t
GROUP BY from_state
"""


def project_funnel(member: Membership, scope: Scope) -> dict:
    """The year's projects by state and tier, and the average days spent in each state (from entering it to
    the transition out of it, over the transitions of those projects). Two queries."""
    projects = scope_projects(member, scope).filter(year=scope.year)
    counts = {
        (row["state"], row["tier"]): row["n"]
        for row in projects.order_by().values("state", "tier").annotate(n=Count("id"))
    }
    transitions = (
        Transition.objects.filter(project__in=projects.values("pk"))
        .annotate(
            entered=Coalesce(
                Window(Lag("created_at"), partition_by=[F("project_id")], order_by=[F("created_at"), F("id")]),
                F("project__created_at"),
            )
        )
        .values("from_state", "created_at", "entered")
        .order_by()
    )
    inner, params = transitions.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_STAGE_SQL.format(inner=inner), params)
        days = {state: (Decimal(str(round(d, 1))), n) for state, d, n in cursor.fetchall()}
    labels = dict(State.choices)
    rows = [
        {
            "state": state,
            "label": labels[state],
            "hq": counts.get((state, Tier.HQ), 0),
            "unit": counts.get((state, Tier.UNIT), 0),
            "days": days.get(state, (None, 0))[0],
            "left": days.get(state, (None, 0))[1],
        }
        for state in FUNNEL_STATES
    ]
    for row in rows:
        row["total"] = row["hq"] + row["unit"]
    return {"rows": rows, "total": sum(row["total"] for row in rows)}


def verified_benefits(member: Membership, scope: Scope, units: list[Unit]) -> dict:
    """Verified benefits (CNY) to date of the closed and filed projects, per unit and state. Only the benefits
    finance signed off (财务核验) count; the others — above all those of projects in their closing review, which
    cannot close before the sign-off — are summed apart as not yet verified by finance. One query."""
    signed = Q(signed=True)
    rows = list(
        scope_projects(member, scope)
        .filter(state__in=[*BENEFIT_STATES, State.CLOSING])
        .annotate(key=_key("unit__path", scope), signed=signed_q())
        .values("key", "state")
        .annotate(
            n=Count("id"),
            benefit=Sum("verified_benefit", filter=signed, default=ZERO),
            pending_n=Count("id", filter=~signed & Q(verified_benefit__isnull=False)),
            pending=Sum("verified_benefit", filter=~signed, default=ZERO),
        )
        .order_by()
    )
    grouped: dict = {}
    for row in rows:
        bucket = grouped.setdefault(row["key"], {"key": row["key"], "pending": ZERO})
        if row["state"] in BENEFIT_STATES:
            bucket[row["state"]] = {"n": row["n"], "benefit": row["benefit"]}
        bucket["pending"] += row["pending"]
    by_state = {
        state: {
            "n": sum(r["n"] for r in rows if r["state"] == state),
            "benefit": sum((r["benefit"] for r in rows if r["state"] == state), ZERO),
        }
        for state in BENEFIT_STATES
    }
    return {
        "rows": _fold(list(grouped.values()), units, scope),
        "by_state": by_state,
        "total": sum((s["benefit"] for s in by_state.values()), ZERO),
        "projects": sum(s["n"] for s in by_state.values()),
        "pending": sum((r["pending"] for r in rows), ZERO),
        "pending_projects": sum(r["pending_n"] for r in rows),
    }


# ---------------------------------------------------------------- innovation: participation, points, adoption


def _year_bounds(scope: Scope) -> tuple[date, date]:
    return date(scope.year, 1, 1), date(scope.year, 12, 31)


def innovation_figures(scope: Scope, units: list[Unit]) -> dict:
    """The year's participation rate (active people with a verified contribution credited, over the active
    people) and verified points by type and by unit. Four queries."""
    start, end = _year_bounds(scope)
    people = list(
        Membership.objects.filter(subtree_q(scope.prefix), active=True)
        .annotate(key=_key("unit__path", scope))
        .values("key")
        .annotate(people=Count("id"))
        .order_by()
    )
    # Participants from the year's verified credits (not from every person joined to all their credits).
    # Grouped by the person's unit (their id, not an expression over the path, so no sort of every credit);
    # a person has one unit, so the units' distinct counts add up.
    paths = unit_paths(scope)
    credits = Credit.objects.filter(
        contribution__status=Contribution.Status.VERIFIED,
        contribution__occurred_on__gte=start,
        contribution__occurred_on__lte=end,
        member__active=True,
    ).order_by()
    credits = in_subtree(credits, scope.unit, field="member__unit")
    participants_by_key: dict = {}
    for unit_id, n in (
        credits.values("member__unit_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("member__unit_id", "n")
    ):
        key = paths[unit_id][: scope.child_length]
        participants_by_key[key] = participants_by_key.get(key, 0) + n
    for row in people:
        row["participants"] = participants_by_key.get(row["key"], 0)
    verified = Contribution.objects.filter(
        subtree_q(scope.prefix),
        status=Contribution.Status.VERIFIED,
        occurred_on__gte=start,
        occurred_on__lte=end,
    ).order_by()
    # One grouping by type and row unit; the type rows and the unit rows are its sums.
    groups = (
        verified.annotate(key=_key("unit__path", scope))
        .values("type_id", "type__name", "type__position", "key")
        .annotate(count=Count("id"), points=Sum("points"))
    )
    types, by_unit = {}, {}
    for group in groups:
        kind = types.setdefault(
            group["type_id"],
            {k: group[k] for k in ("type_id", "type__name", "type__position")} | {"count": 0, "points": ZERO},
        )
        unit = by_unit.setdefault(group["key"], {"key": group["key"], "count": 0, "points": ZERO})
        for bucket in (kind, unit):
            bucket["count"] += group["count"]
            bucket["points"] += group["points"]
    by_type = sorted(types.values(), key=lambda row: (row["type__position"], row["type_id"]))
    for row in people:
        row.update({k: v for k, v in by_unit.pop(row["key"], {}).items() if k != "key"})
    rows = _fold(people + list(by_unit.values()), units, scope)
    for row in rows:
        row["rate"] = Decimal(row["participants"]) / row["people"] if row.get("people") else None
    total_people = sum(row.get("people", 0) for row in people)
    participants = sum(row.get("participants", 0) for row in people)
    return {
        "rows": rows,
        "by_type": by_type,
        "people": total_people,
        "participants": participants,
        "rate": Decimal(participants) / total_people if total_people else None,
        "points": sum((row["points"] for row in by_type), ZERO),
        "count": sum(row["count"] for row in by_type),
        "start": start,
        "end": end,
    }


def suggestion_adoption(scope: Scope, units: list[Unit]) -> dict:
    """The year's suggestions (by submission date) per unit and state; the adoption rate is adopted (and
    implemented) over decided (adopted, implemented, not adopted). One query."""
    start, end = _year_bounds(scope)
    rows = list(
        Suggestion.objects.filter(subtree_q(scope.prefix), submitted_at__date__gte=start, submitted_at__date__lte=end)
        .annotate(key=_key("unit__path", scope))
        .values("key", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(row["key"], {"key": row["key"], "states": {}})["states"][row["state"]] = row["n"]
    total = {"states": {state: sum(r["n"] for r in rows if r["state"] == state) for state in Suggestion.State.values}}
    out = _fold(list(grouped.values()), units, scope)
    for row in [*out, total]:
        states = row.setdefault("states", {})
        adopted = sum(states.get(s, 0) for s in ADOPTED)
        decided = adopted + states.get(Suggestion.State.NOT_ADOPTED, 0)
        row.update(adopted=adopted, decided=decided, all=sum(states.values()))
        row["rate"] = Decimal(adopted) / decided if decided else None
    return {"rows": out, "total": total, "rate": total["rate"]}
