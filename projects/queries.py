"""Reads of the lean office's pages: the portfolio board and table, the review queue and a review's sheet, the
case library, the criteria and the guides. Every function starts from `selectors.visible_projects` (the one
rule of who sees which project) and runs a fixed number of queries whatever the amount of data."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, NullIf, RowNumber, StrIndex
from django.utils import timezone

from lean.access import in_subtree, subtree_q, units_in_reach, within
from lean.models import Membership, Role, Unit
from targets.models import Branch, Indicator, Shortfall, TargetNode, TargetTree

from . import services, workflow
from .models import (
    Attachment,
    Criterion,
    Direction,
    DirectionSource,
    Guide,
    Project,
    ProjectIndicator,
    Review,
    ReviewAssignment,
    Score,
    State,
    TeamMember,
    Tier,
)
from .selectors import CASE_STATES, of_units_q, visible_projects

# ---------------------------------------------------------------- the portfolio (board and table)

BOARD_CAP = 50  # cards per column; the rest are counted and reached through the table
STALE_DAYS = 30  # a card this long in an active state is shown as waiting
HIDDEN_STATES = (State.REJECTED, State.MERGED)  # counted under the board, not given a column


def portfolio_scope(viewer: Membership):
    """The projects of the portfolio: every project for the lean office; for a unit manager the projects of
    their unit subtree and those their units take part in (never just the library's cases of other units)."""
    return within(visible_projects(viewer), viewer, subtree=False, otherwise=of_units_q(viewer.unit))


def portfolio_units(viewer: Membership):
    """The units the viewer's portfolio can be filtered by."""
    return units_in_reach(viewer, subtree=True)


def portfolio_filter(
    projects, *, year=None, tier: str = "", unit: Unit | None = None, direction=None, state: str = "", q: str = ""
):
    """The filters of the board and the table; a unit means its whole subtree."""
    if year:
        projects = projects.filter(year=year)
    if tier:
        projects = projects.filter(tier=tier)
    projects = in_subtree(projects, unit)
    if direction is not None:
        projects = projects.filter(direction=direction)
    if state:
        projects = projects.filter(state=state)
    q = (q or "").strip()
    if q:
        projects = projects.filter(Q(code__icontains=q) | Q(title__icontains=q))
    return projects


def _leader_name():
    leader = TeamMember.objects.filter(project=OuterRef("pk"), role=TeamMember.Role.LEADER)
    return Subquery(
        leader.values(name=Coalesce(NullIf("member__user__full_name", Value("")), "member__user__username"))[:1]
    )


def with_card_fields(projects):
    """What a card or a table row shows, in the same query: unit, direction, the leader's name and since when
    the project is in its state."""
    return projects.select_related("unit", "direction").annotate(
        leader_name=_leader_name(), in_state_since=Coalesce("state_changed_at", "created_at")
    )


def _mark_days(projects, now=None):
    now = now or timezone.now()
    for project in projects:
        project.days_in_state = max((now - project.in_state_since).days, 0)
        project.waiting = project.days_in_state >= STALE_DAYS and project.state in workflow.ACTIVE
    return projects


@dataclass
class Column:
    state: str
    label: str
    count: int = 0
    cards: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


@dataclass
class Board:
    columns: list[Column]
    hidden: list[Column]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.columns) + sum(c.count for c in self.hidden)


def board(projects) -> Board:
    """The kanban of `projects` (already scoped and filtered): one column per state of workflow.BOARD, at most
    BOARD_CAP cards each (longest in the state first), and the counts of rejected and merged proposals.
    Two queries whatever the number of projects: the counts, and the cards ranked per state by a window."""
    counts = dict(projects.order_by().values_list("state").annotate(n=Count("pk")))
    ranked = (
        with_card_fields(projects.filter(state__in=workflow.BOARD))
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("state")], order_by=[F("in_state_since").asc(), F("pk").asc()])
        )
        .filter(rank__lte=BOARD_CAP)
        .order_by("state", "rank")
    )
    labels = dict(State.choices)
    columns = {state: Column(state, labels[state], counts.get(state, 0)) for state in workflow.BOARD}
    for project in _mark_days(list(ranked)):
        columns[project.state].cards.append(project)
    hidden = [Column(state, labels[state], counts.get(state, 0)) for state in HIDDEN_STATES]
    return Board(columns=list(columns.values()), hidden=hidden)


# Sort keys of the table: key → order_by expressions (ascending); "-key" sorts descending.
_STATE_ORDER = Case(
    *[When(state=state, then=Value(i)) for i, state in enumerate([*workflow.BOARD, *HIDDEN_STATES])],
    output_field=IntegerField(),
)
TABLE_SORTS = {
    "code": ["code"],
    "title": ["title"],
    "unit": ["unit__path"],
    "tier": ["tier"],
    "state": [_STATE_ORDER],
    "year": ["year"],
    "days": ["-in_state_since"],
}


def table(projects, sort: str = ""):
    """The rows of the portfolio table, sorted by one of TABLE_SORTS (the code by default)."""
    key = (sort or "code").lstrip("-")
    orders = TABLE_SORTS.get(key, TABLE_SORTS["code"])
    descending = sort.startswith("-")
    expressions = []
    for order in orders:
        if isinstance(order, str):
            flipped = order.startswith("-") != descending
            expressions.append(F(order.lstrip("-")).desc() if flipped else F(order.lstrip("-")).asc())
        else:
            expressions.append(order.desc() if descending else order.asc())
    return with_card_fields(projects).order_by(*expressions, "-pk" if descending else "pk")


def mark_days(projects):
    """Days in the state of each project of a page of the table (no query)."""
    return _mark_days(projects)


def portfolio_years(projects) -> list[int]:
    return list(projects.order_by("-year").values_list("year", flat=True).distinct())


def directions():
    return Direction.objects.select_related("guide").order_by("-guide__year", "position", "code")


# ---------------------------------------------------------------- reviews


def _organised_q(viewer: Membership) -> Q:
    """The reviews this member organises (workflow.is_organiser as a filter): the lean office for HQ-tier
    projects, a unit manager for the unit-tier projects of their subtree."""
    q = Q(pk__in=[])
    if not viewer.active:
        return q
    if Role.LEAN_OFFICE in viewer.roles:
        q |= Q(project__tier=Tier.HQ) | Q(project__tier=Tier.UNIT, project__in=escalated_projects())
    if Role.UNIT_MANAGER in viewer.roles:
        q |= Q(subtree_q(viewer.unit, field="project__unit"), project__tier=Tier.UNIT)
    own = Q(project__created_by=viewer) | Q(project__in=TeamMember.objects.filter(member=viewer).values("project_id"))
    return q & ~own


def escalated_projects():
    """The unit-tier projects no manager may judge (workflow.escalated as one subquery): every active manager of
    the unit or of a unit above it filed the project or is on its team, so the lean office judges it."""
    free_manager = (
        Membership.objects.filter(roles__contains=[Role.UNIT_MANAGER], active=True)
        .alias(at=StrIndex(OuterRef("unit__path"), F("unit__path")))
        .filter(at=1)  # the manager's unit path starts the project's unit path: their unit or one above it
        .exclude(pk=OuterRef("created_by_id"))
        .exclude(pk__in=TeamMember.objects.filter(project_id=OuterRef(OuterRef("pk"))).values("member_id"))
    )
    return Project.objects.filter(tier=Tier.UNIT).exclude(Exists(free_manager)).values("pk")


def _review_rows(reviews):
    return reviews.select_related("project__unit", "chair__user").annotate(
        panel_size=Count("assignments", distinct=True),
        scored=Count("assignments", filter=Q(assignments__submitted_at__isnull=False), distinct=True),
    )


@dataclass
class Queue:
    to_score: list
    scored: list
    decided: list
    to_decide: list
    needs_panel: list
    with_panel: list

    @property
    def is_empty(self) -> bool:
        return not any([self.to_score, self.scored, self.decided, self.to_decide, self.needs_panel, self.with_panel])


def review_queue(viewer: Membership, decided_limit: int = 20) -> Queue:
    """What waits for this member: as a reviewer their assigned reviews (to score, scored, decided), as a chair
    the reviews whose scores are all in, as an organiser the reviews without a panel or still being scored.
    Five queries whatever the number of reviews."""
    mine = (
        ReviewAssignment.objects.filter(reviewer=viewer)
        .select_related("review__project__unit", "review__chair__user")
        .order_by("-review__created_at", "-pk")
    )
    open_mine = list(mine.filter(review__result=""))
    decided = list(mine.exclude(review__result="")[:decided_limit])
    chaired = _review_rows(Review.objects.filter(chair=viewer, result="")).order_by("created_at", "pk")
    organised = _review_rows(Review.objects.filter(_organised_q(viewer), result="")).order_by("created_at", "pk")
    organised = list(organised)
    return Queue(
        to_score=[a for a in open_mine if a.submitted_at is None],
        scored=[a for a in open_mine if a.submitted_at is not None],
        decided=decided,
        to_decide=[r for r in chaired if r.panel_size and r.scored == r.panel_size],
        needs_panel=[r for r in organised if r.chair_id is None],
        with_panel=[r for r in organised if r.chair_id is not None],
    )


@dataclass
class ReviewRoles:
    on_panel: bool
    chair: bool
    organiser: bool

    @property
    def any(self) -> bool:
        return self.on_panel or self.chair or self.organiser


def review_get(*, viewer: Membership, review_id: int) -> tuple[Review, ReviewRoles] | tuple[None, None]:
    """A review with what the viewer is to it; (None, None) when they are none of panel member, chair or
    organiser (the view answers 404: not assigned is not found)."""
    review = (
        Review.objects.select_related("project__unit", "project__direction", "chair__user", "decided_by__user")
        .filter(pk=review_id)
        .first()
    )
    if review is None or viewer is None or not viewer.active:
        return None, None
    roles = ReviewRoles(
        on_panel=ReviewAssignment.objects.filter(review=review, reviewer=viewer).exists(),
        chair=review.chair_id == viewer.pk,
        organiser=workflow.is_organiser(viewer, review.project),
    )
    return (review, roles) if roles.any else (None, None)


def review_project(review: Review) -> Project:
    """The project under review with what the panel reads: indicators, team, attachments, earlier reviews."""
    return (
        Project.objects.select_related("unit", "direction")
        .prefetch_related(
            Prefetch("indicator_links", ProjectIndicator.objects.select_related("indicator__node")),
            Prefetch("team", TeamMember.objects.select_related("member__user").order_by("role", "-share")),
            Prefetch("attachments", Attachment.objects.order_by("-created_at")),
            Prefetch(
                "reviews",
                Review.objects.exclude(pk=review.pk).exclude(result="").order_by("created_at"),
                to_attr="earlier_reviews",
            ),
        )
        .get(pk=review.project_id)
    )


def active_criteria():
    return Criterion.objects.filter(active=True).order_by("position", "code")


@dataclass
class SheetRow:
    assignment: ReviewAssignment
    scores: dict  # criterion id → value
    weighted: Decimal | None


def review_sheet(review: Review) -> list[SheetRow]:
    """Each panel member's scores and weighted score (services.weighted), in three queries."""
    assignments = list(
        ReviewAssignment.objects.filter(review=review).select_related("reviewer__user").order_by("reviewer__pk")
    )
    weights = {c.pk: c.weight for c in Criterion.objects.all()}
    scores: dict[int, dict] = {}
    for score in Score.objects.filter(assignment__review=review):
        scores.setdefault(score.assignment_id, {})[score.criterion_id] = score.value
    rows = []
    for assignment in assignments:
        mine = scores.get(assignment.pk, {})
        value = services.weighted(mine, weights) if mine and assignment.submitted_at else None
        rows.append(SheetRow(assignment, mine, value))
    return rows


def panel_candidates(review: Review):
    """Active members with the reviewer role, except the project's own people (whoever filed it, its team) and
    the members of its unit and the units below it (workflow.may_review as a filter)."""
    project = review.project
    team = TeamMember.objects.filter(project_id=project.pk).values("member_id")
    return (
        Membership.objects.filter(active=True, roles__contains=[Role.REVIEWER])
        .exclude(pk__in=team)
        .exclude(pk=project.created_by_id)
        .exclude(subtree_q(project.unit))
        .select_related("user", "unit")
        .order_by("unit__path", "employee_number")
    )


def criteria_with_shares():
    """Every criterion, each active one with its share of the active weights (a fraction of 1)."""
    criteria = list(Criterion.objects.order_by("position", "code"))
    total = sum((c.weight for c in criteria if c.active), Decimal(0))
    for criterion in criteria:
        criterion.share = (criterion.weight / total) if criterion.active and total else None
    return criteria


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
