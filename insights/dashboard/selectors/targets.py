"""The targets' tiles: the achievement heat map (per month of the year's tree, by branch and by unit, in one
statement) and the open shortfalls per unit (uncovered, by source, in the assessment), one query each."""

from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Least

from insights.dashboard.scope import Scope
from lean import periods
from lean.access import in_subtree, subtree_q
from lean.models import Unit
from targets import selectors as target_selectors
from targets.models import Branch, Direction, Reading, Shortfall
from targets.rollup import CAP

from .rows import ZERO, _fold, _key


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


def shortfall_counts(scope: Scope, units: list[Unit]) -> dict:
    """Open shortfalls of the year's tree per unit: all of them, those no approved or running project covers
    (uncovered, projects/selectors/coverage.py), by what found them (target missed, benchmark worst quartile), and
    those in the year's performance assessment. One query."""
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
