"""The rows the API operations show, each prefetched so that a page of any length runs the same number of
queries. Who may see which project is projects.selectors.visible_projects; who may see which review is
`visible_reviews` below (a reviewer their assigned reviews, an organiser those of the projects they organise)."""

from django.db.models import F, Max, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from lean.access import in_subtree, subtree_q
from lean.models import Membership, Role
from projects import selectors
from projects.models import (
    Direction,
    DirectionSource,
    Guide,
    Project,
    Review,
    ReviewAssignment,
    Score,
    State,
    TeamMember,
    Tier,
)
from projects.selectors import CASE_STATES, visible_projects


def _leaders():
    return Prefetch(
        "team",
        queryset=TeamMember.objects.filter(role=TeamMember.Role.LEADER).select_related("member__user"),
        to_attr="leaders",
    )


# ---------------------------------------------------------------- guides


def guide_list(*, viewer: Membership, year: int | None = None):
    """The guides with their directions and the target-tree nodes they come from (three queries). Drafts are the
    lean office's work in progress: the others see published guides only."""
    sources = DirectionSource.objects.select_related("node").order_by("node__path")
    directions = Direction.objects.select_related("from_shortfall").prefetch_related(
        Prefetch("source_links", queryset=sources)
    )
    guides = Guide.objects.prefetch_related(Prefetch("directions", queryset=directions))
    if Role.LEAN_OFFICE not in viewer.roles:
        guides = guides.filter(published_at__isnull=False)
    if year is not None:
        guides = guides.filter(year=year)
    return guides.order_by("-year", "pk")


def guide_get(*, viewer: Membership, guide_id: int) -> Guide:
    return get_object_or_404(guide_list(viewer=viewer), pk=guide_id)


# ---------------------------------------------------------------- projects


def project_list(
    *,
    viewer: Membership,
    state: str = "",
    tier: str = "",
    unit=None,
    year: int | None = None,
    direction=None,
    query: str = "",
):
    """The projects the viewer may see, filtered; `unit` takes its whole subtree, as applicant or participant."""
    projects = visible_projects(viewer).select_related("unit", "direction").prefetch_related(_leaders())
    if state:
        projects = projects.filter(state=state)
    if tier:
        projects = projects.filter(tier=tier)
    if unit is not None:
        projects = projects.filter(selectors.of_units_q(unit))
    if year is not None:
        projects = projects.filter(year=year)
    if direction is not None:
        projects = projects.filter(direction=direction)
    if query:
        projects = projects.filter(Q(code__icontains=query) | Q(title__icontains=query) | Q(problem__icontains=query))
    return projects.order_by("-created_at", "-pk")


def project_detail(*, viewer: Membership, project_id: int) -> Project:
    """The page's project (selectors.project_detail, 404 when not visible), with what the API adds read off the
    prefetched rows: its leaders and its reviews oldest first (no extra query)."""
    project = selectors.project_detail(viewer=viewer, project_id=project_id)
    project.leaders = [member for member in project.team.all() if member.role == TeamMember.Role.LEADER]
    project.reviews_in_order = sorted(project.reviews.all(), key=lambda review: (review.created_at, review.pk))
    return project


# ---------------------------------------------------------------- reviews


def visible_reviews(viewer: Membership):
    """A reviewer sees the reviews they sit on; an organiser (the lean office for HQ-tier projects, a unit's
    manager for the unit-tier projects of their units) the reviews they organise."""
    if viewer is None or not viewer.active:
        return Review.objects.none()
    q = Q(pk__in=ReviewAssignment.objects.filter(reviewer=viewer).values("review_id"))
    if Role.LEAN_OFFICE in viewer.roles:
        from projects.selectors.reviews import (
            escalated_projects,  # a unit-tier project no manager may judge goes up to HQ
        )

        q |= Q(project__tier=Tier.HQ) | Q(project__in=escalated_projects())
    if Role.UNIT_MANAGER in viewer.roles:
        q |= Q(subtree_q(viewer.unit, field="project__unit"), project__tier=Tier.UNIT)
    return Review.objects.filter(q)


def review_list(*, viewer: Membership, kind: str = "", undecided: bool | None = None, project=None):
    reviews = (
        visible_reviews(viewer)
        .select_related("project__unit", "chair__user", "decided_by__user")
        .prefetch_related(
            Prefetch("assignments", queryset=ReviewAssignment.objects.select_related("reviewer__user").order_by("pk"))
        )
    )
    if kind:
        reviews = reviews.filter(kind=kind)
    if undecided is not None:
        reviews = reviews.filter(result="") if undecided else reviews.exclude(result="")
    if project is not None:
        reviews = reviews.filter(project=project)
    return reviews.order_by("-created_at", "-pk")


def review_detail(*, viewer: Membership, review_id: int) -> Review:
    assignments = (
        ReviewAssignment.objects.select_related("reviewer__user")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .order_by("pk")
    )
    reviews = (
        visible_reviews(viewer)
        .select_related("project__unit", "chair__user", "decided_by__user")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
    )
    return get_object_or_404(reviews, pk=review_id)


# ---------------------------------------------------------------- the case library


def case_list(
    *, viewer: Membership, query: str = "", year: int | None = None, tier: str = "", unit=None, direction=None
):
    """优秀案例: excellent projects closed and released (or filed), with their closing score; open to every member."""
    closing = Review.objects.filter(project=OuterRef("pk"), kind=Review.Kind.CLOSING).exclude(result="")
    cases = (
        visible_projects(viewer)
        .filter(excellent=True, state__in=CASE_STATES)
        .select_related("unit", "direction")
        .prefetch_related(_leaders())
        .annotate(
            closing_score=Subquery(closing.order_by("-round").values("score")[:1]),
            closed_at=Max("transitions__created_at", filter=Q(transitions__to_state=State.CLOSED)),
        )
    )
    if query:
        cases = cases.filter(
            Q(code__icontains=query)
            | Q(title__icontains=query)
            | Q(problem__icontains=query)
            | Q(case_summary__icontains=query)
            | Q(unit__name__icontains=query)
            | Q(direction__title__icontains=query)
        )
    if year is not None:
        cases = cases.filter(year=year)
    if tier:
        cases = cases.filter(tier=tier)
    cases = in_subtree(cases, unit)
    if direction is not None:
        cases = cases.filter(direction=direction)
    return cases.order_by(F("closed_at").desc(nulls_last=True), "-pk")
