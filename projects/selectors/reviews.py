"""Reads of the review pages: the review queue, a review's roles and sheet, the panel candidates and the
criteria. Every function runs a fixed number of queries whatever the amount of data."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import StrIndex

from lean.access import subtree_q
from lean.models import Membership, Role
from projects import services, workflow
from projects.models import (
    Attachment,
    Criterion,
    Project,
    ProjectIndicator,
    Review,
    ReviewAssignment,
    Score,
    TeamMember,
    Tier,
)

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
