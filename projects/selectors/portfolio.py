"""Reads of the portfolio: the board (a column per state) and the table of the lean office's and a manager's
projects. Every function starts from `visible_projects` and runs a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, NullIf, RowNumber
from django.utils import timezone

from lean.access import in_subtree, units_in_reach, within
from lean.models import Membership, Unit
from projects import workflow
from projects.models import (
    Direction,
    State,
    TeamMember,
)
from projects.selectors import of_units_q, visible_projects

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
