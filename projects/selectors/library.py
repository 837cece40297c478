"""Reads of the case library (excellent closed projects) and of the yearly improvement guides with their
directions. Every function runs a fixed number of queries whatever the amount of data."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from lean.access import in_subtree
from lean.models import Membership, Role, Unit
from projects.models import (
    Direction,
    DirectionSource,
    Guide,
    Project,
    ProjectIndicator,
)
from projects.selectors import CASE_STATES, visible_projects
from projects.selectors.portfolio import with_card_fields
from targets.models import Branch, Indicator, Shortfall, TargetNode, TargetTree

# ---------------------------------------------------------------- the case library


def case_list(viewer: Membership, *, q: str = "", unit: Unit | None = None, year=None, indicator=None):
    """Excellent cases (优秀案例): closed or filed projects the closing review marked excellent, searched in
    the title, problem and case summary; a unit means its subtree, an indicator one the project attacked."""
    cases = visible_projects(viewer).filter(excellent=True, state__in=CASE_STATES)
    q = (q or "").strip()
    if q:
        cases = cases.filter(Q(title__icontains=q) | Q(problem__icontains=q) | Q(case_summary__icontains=q))
    cases = in_subtree(cases, unit)
    if year:
        cases = cases.filter(year=year)
    if indicator is not None:
        cases = cases.filter(pk__in=ProjectIndicator.objects.filter(indicator=indicator).values("project_id"))
    return (
        with_card_fields(cases)
        .prefetch_related(Prefetch("indicator_links", ProjectIndicator.objects.select_related("indicator__node")))
        .order_by("-year", "-state_changed_at", "-pk")
    )


def case_years() -> list[int]:
    cases = Project.objects.filter(excellent=True, state__in=CASE_STATES)
    return list(cases.order_by("-year").values_list("year", flat=True).distinct())


def case_indicators():
    """The indicators some excellent case attacked, to search the library by."""
    attacked = ProjectIndicator.objects.filter(project__excellent=True, project__state__in=CASE_STATES)
    return Indicator.objects.filter(pk__in=attacked.values("indicator_id")).select_related("node__tree")


# ---------------------------------------------------------------- guides


def guide_list(viewer: Membership):
    """Guides by year with their numbers of directions and projects; drafts only for the lean office."""
    guides = Guide.objects.all()
    if Role.LEAN_OFFICE not in viewer.roles:
        guides = guides.filter(published_at__isnull=False)
    directions = Direction.objects.filter(guide=OuterRef("pk")).order_by().values("guide")
    projects = Project.objects.filter(direction__guide=OuterRef("pk")).order_by().values("direction__guide")
    return guides.select_related("published_by__user").annotate(
        direction_count=Coalesce(Subquery(directions.annotate(n=Count("pk")).values("n")), 0),
        project_count=Coalesce(Subquery(projects.annotate(n=Count("pk")).values("n")), 0),
    )


def guide_get(*, viewer: Membership, guide_id: int) -> Guide | None:
    guide = Guide.objects.select_related("published_by__user").filter(pk=guide_id).first()
    if guide is None or (not guide.is_published and Role.LEAN_OFFICE not in viewer.roles):
        return None
    return guide


def guide_directions(*, viewer: Membership, guide: Guide) -> list[Direction]:
    """The guide's directions with their sources and the projects filed against each that the viewer may see."""
    return list(
        guide.directions.select_related("from_shortfall__unit", "from_shortfall__indicator__node")
        .prefetch_related(
            Prefetch(
                "source_links",
                DirectionSource.objects.select_related("node__indicator").order_by("node__path"),
            ),
            Prefetch(
                "projects",
                visible_projects(viewer).select_related("unit").order_by("code"),
                to_attr="visible_project_list",
            ),
        )
        .order_by("position", "code")
    )


def direction_source_choices(year: int) -> tuple[list, list]:
    """The nodes a direction of `year` can come from: the annual-priority branch's nodes, and the indicators
    with open shortfalls (two lists of TargetNode, the second with `open_shortfalls` counted)."""
    tree = TargetTree.objects.filter(year=year).first()
    if tree is None:
        return [], []
    priorities = list(
        TargetNode.objects.filter(tree=tree, branch=Branch.PRIORITY, parent__isnull=False).order_by("path")
    )
    open_shortfalls = Shortfall.objects.filter(resolved=False)
    indicators = list(
        TargetNode.objects.filter(tree=tree, indicator__isnull=False)
        .exclude(branch=Branch.PRIORITY)
        .filter(indicator__in=open_shortfalls.values("indicator_id"))
        .annotate(
            open_shortfalls=Count(
                "indicator__shortfalls", filter=Q(indicator__shortfalls__resolved=False), distinct=True
            )
        )
        .order_by("path")
    )
    return priorities, indicators


def direction_get(*, direction_id: int) -> Direction | None:
    return Direction.objects.select_related("guide").filter(pk=direction_id).first()


def next_direction_code(guide: Guide) -> str:
    codes = set(Direction.objects.filter(guide=guide).values_list("code", flat=True))
    number = len(codes) + 1
    while f"D{number:02d}" in codes:
        number += 1
    return f"D{number:02d}"


def shortfall_guide(shortfall: Shortfall) -> Guide | None:
    """The guide of the shortfall's year (its target tree's year)."""
    return Guide.objects.filter(year=shortfall.indicator.node.tree.year).first()
