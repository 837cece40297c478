"""Achievement and its weighted roll-up through the target tree, computed by PostgreSQL in one statement.

Rules (they are also printed in the tree page's legend):
- A unit's achievement of an indicator over a span: its readings in the span against the targets of the same
  periods (the unit's own target, else the target for every unit), combined by the indicator's aggregation
  (sum or average); each reading carries its target (Reading.target, kept by the services). Higher is
  better: actual / target; lower is better: target / actual. Capped at 120% so
  one indicator far over target cannot hide others. Periods with no target are left out.
- An indicator's achievement in a scope (a unit and the units below it, or the whole tenant) is the mean of
  its units' achievements.
- A node's achievement is the weighted mean of its children's, counting only children that have data (their
  weights are scaled up to 100%). It is done without a query per node: each node's weight share among its
  siblings with data is multiplied down the path (`cum`), and a node's achievement is
  Σ cum(leaf)·achievement(leaf) / cum(node) over the indicators below it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from lean.periods import Period

CAP = Decimal("1.2")

_SQL = """
WITH nodes AS (
    SELECT n.id, n.parent_id, n.path, n.weight::float8 AS weight
    FROM targets_targetnode n WHERE n.tree_id = %(tree)s
),
pairs AS (
    SELECT r.indicator_id, r.unit_id, i.node_id, i.direction, i.aggregation, r.value, r.target
    FROM targets_reading r
    JOIN targets_indicator i ON i.id = r.indicator_id
    JOIN nodes n ON n.id = i.node_id
    JOIN lean_unit u ON u.id = r.unit_id
    WHERE r.period_start >= %(start)s AND r.period_end <= %(end)s AND u.path LIKE %(prefix)s
),
per_unit AS (
    SELECT node_id, unit_id, direction,
           CASE WHEN aggregation = 'sum' THEN SUM(value) ELSE AVG(value) END AS actual,
           CASE WHEN aggregation = 'sum' THEN SUM(target) ELSE AVG(target) END AS target
    FROM pairs WHERE target IS NOT NULL
    GROUP BY node_id, unit_id, direction, aggregation
),
unit_ach AS (
    SELECT node_id, unit_id, actual, target,
           CASE WHEN direction = 'higher' THEN actual < target ELSE actual > target END AS missed,
           LEAST(%(cap)s, CASE
               WHEN direction = 'higher' AND target > 0 THEN actual / target
               WHEN direction = 'lower' AND target > 0 AND actual > 0 THEN target / actual
               WHEN direction = 'higher' THEN CASE WHEN actual >= target THEN 1 ELSE 0 END
               ELSE CASE WHEN actual <= target THEN 1 ELSE 0 END
           END)::float8 AS achievement
    FROM per_unit
),
leaves AS (
    SELECT node_id, AVG(achievement) AS achievement, COUNT(*) AS units, COUNT(*) FILTER (WHERE missed) AS missed,
           CASE WHEN COUNT(*) = 1 THEN MIN(actual) END AS actual,
           CASE WHEN COUNT(*) = 1 THEN MIN(target) END AS target
    FROM unit_ach GROUP BY node_id
),
ancestry AS (
    SELECT n.id AS node_id, part::bigint AS ancestor_id
    FROM nodes n, unnest(string_to_array(trim(both '/' from n.path), '/')) AS part
),
with_data AS (
    SELECT DISTINCT a.ancestor_id AS id FROM ancestry a JOIN leaves l ON l.node_id = a.node_id
),
shares AS (
    SELECT n.id, n.weight / NULLIF(SUM(n.weight) OVER (PARTITION BY n.parent_id), 0) AS share
    FROM nodes n JOIN with_data d ON d.id = n.id
),
cum AS (
    SELECT a.node_id AS id, EXP(SUM(LN(s.share))) AS cum
    FROM ancestry a JOIN shares s ON s.id = a.ancestor_id
    GROUP BY a.node_id
)
SELECT x.id,
       SUM(lc.cum * l.achievement) / MIN(x.cum) AS achievement,
       SUM(l.missed) AS missed,
       SUM(l.units) AS units,
       MIN(own.actual) AS actual,
       MIN(own.target) AS target
FROM cum x
JOIN ancestry a ON a.ancestor_id = x.id
JOIN leaves l ON l.node_id = a.node_id
JOIN cum lc ON lc.id = a.node_id
LEFT JOIN leaves own ON own.node_id = x.id
GROUP BY x.id
"""


@dataclass(frozen=True)
class Score:
    achievement: Decimal
    missed: int  # (indicator, unit) pairs below the node that missed their target
    units: int  # (indicator, unit) pairs below the node with data
    actual: Decimal | None = None  # an indicator's own actual and target, when exactly one unit is in scope
    target: Decimal | None = None

    @property
    def level(self) -> str:
        """The colour band of the tree page."""
        shown = round(self.achievement, 3)  # the page shows one decimal of a percent: colour what it shows
        if shown >= 1:
            return "good"
        if shown >= Decimal("0.9"):
            return "warn"
        return "bad"


def _quantize(value) -> Decimal:
    return Decimal(str(round(value, 4)))


def tree_scores(*, tree, period: Period, unit=None) -> dict[int, Score]:
    """node id → Score for every node of `tree` with data in `period`, in `unit`'s subtree (or the tenant)."""
    params = {
        "tree": tree.pk,
        "start": period.start,
        "end": period.end,
        "prefix": (unit.path if unit else "/") + "%",
        "cap": CAP,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        return {
            node_id: Score(_quantize(achievement), int(missed), int(units), actual, target)
            for node_id, achievement, missed, units, actual, target in cursor.fetchall()
        }


def overall(scores: dict[int, Score], branches) -> Decimal | None:
    """The whole tree's achievement: the branches' weighted mean (branches with data only). No query."""
    scored = [(b.weight, scores[b.pk].achievement) for b in branches if b.pk in scores]
    total_weight = sum(weight for weight, _ in scored)
    if not total_weight:
        return None
    return _quantize(sum(weight * value for weight, value in scored) / total_weight)
