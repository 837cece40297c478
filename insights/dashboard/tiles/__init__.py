"""A tile's figures as the page and its JSON endpoint show them: headline figures, a chart (Chart.js data),
tables (the accessible alternative to the chart, and where each figure links to the list behind it).

Every label goes through gettext, so the JSON comes in the language of the request. Links carry the same
filters the tile used (year, unit, state, tier …): the list they open counts what the tile counted.

The tiles by the domain they show, every name importable from here: `cells.py` (cells, figures and links),
`targets.py`, `benchmarking.py`, `portfolio.py` (projects and benefits), `participation.py` (innovation and
suggestions); here, the tiles in their order and what their builders share.
"""

from insights.dashboard import selectors
from insights.dashboard.scope import Scope

from .benchmarking import benchmarks
from .cells import Links, cell, level, num, percent
from .participation import innovation, suggestions
from .portfolio import benefits, projects
from .targets import achievement, shortfalls

TILES = ["achievement", "shortfalls", "benchmarks", "projects", "benefits", "innovation", "suggestions"]


BUILDERS = {
    "achievement": achievement,
    "shortfalls": shortfalls,
    "benchmarks": benchmarks,
    "projects": projects,
    "benefits": benefits,
    "innovation": innovation,
    "suggestions": suggestions,
}


def context(*, member, scope: Scope, slug: str, units=None) -> dict:
    """What the tile builders share: the member, the scope, the link maker and the row units (one query)."""
    return {
        "member": member,
        "scope": scope,
        "links": Links(slug, scope),
        "units": units if units is not None else selectors.row_units(scope),
    }


def build(name: str, ctx: dict) -> dict:
    tile = BUILDERS[name](ctx)
    tile["name"] = name
    return tile


__all__ = [
    "TILES",
    "BUILDERS",
    "Links",
    "achievement",
    "benchmarks",
    "benefits",
    "build",
    "cell",
    "context",
    "innovation",
    "level",
    "num",
    "percent",
    "projects",
    "shortfalls",
    "suggestions",
]
