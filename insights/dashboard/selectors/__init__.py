"""The figures of the dashboard's tiles. Each function is a fixed number of aggregate queries (GROUP BY in the
database, Count/Sum/Avg with filters) whatever the size of the tenant; Python only folds the grouped rows,
never the tenant's rows. Rows of a tile are the scope's child units (each with its subtree), named by the
prefix of their materialised path, plus the scope's own unit for what is recorded on it directly.

Split by the domain a tile reads, every name importable from here: `rows.py` (a tile's row units and the
folding of grouped rows), `targets.py`, `benchmarking.py`, `projects.py`, `innovation.py`.
"""

from .benchmarking import benchmark_positions
from .innovation import ADOPTED, innovation_figures, suggestion_adoption
from .projects import BENEFIT_STATES, FUNNEL_STATES, project_funnel, scope_projects, verified_benefits
from .rows import ZERO, row_units, unit_paths
from .targets import MISSED, achievement_heatmap, shortfall_counts

__all__ = [
    "ZERO",
    "row_units",
    "unit_paths",
    "MISSED",
    "achievement_heatmap",
    "shortfall_counts",
    "benchmark_positions",
    "BENEFIT_STATES",
    "FUNNEL_STATES",
    "scope_projects",
    "project_funnel",
    "verified_benefits",
    "ADOPTED",
    "innovation_figures",
    "suggestion_adoption",
]
