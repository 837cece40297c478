"""The project lifecycle as an explicit table: each action, the states it starts from, the state it leads to,
and who may take it. projects.services.project_transition is the only code that changes a project's state.

    draft ─submit→ submitted ─approve→ approved ─start→ in progress ─request_midterm→ midterm review
      ↑              │ ├─return→ returned ─submit→ …          ↑  │        (the panel's chair decides:
      └──────────────┘ ├─reject→ rejected                     │  │         pass → in progress, fail → in progress)
                       └─merge→  merged (into an integrated project)
    in progress (midterm passed) ─request_closing→ closing review ─(pass)→ closed and released ─file→ filed
                                                                  └(fail)→ in progress           (unit tier only)

Who:
- applicant: the project's leader, or a manager of the project's unit (or a unit above it);
- approver: the lean office for HQ-tier projects; a manager of the project's unit for unit-tier projects;
- chair: the chair of the open review (midterm and closing decisions are taken through the review).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lean.models import Role

from .models import State, Tier


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple
    target: str
    who: str
    needs_reason: bool = False
    tiers: tuple = (Tier.HQ, Tier.UNIT)
    by_review: bool = False  # taken by the chair's decision on a review, not by a button of its own


ACTIONS = {
    action.name: action
    for action in [
        Action("submit", _("Submit"), (State.DRAFT, State.RETURNED), State.SUBMITTED, "applicant"),
        Action("return", _("Return for changes"), (State.SUBMITTED,), State.RETURNED, "approver", needs_reason=True),
        Action("reject", _("Reject"), (State.SUBMITTED,), State.REJECTED, "approver", needs_reason=True),
        Action("merge", _("Merge into an integrated project"), (State.SUBMITTED,), State.MERGED, "approver"),
        Action("approve", _("Approve"), (State.SUBMITTED,), State.APPROVED, "approver"),
        Action("start", _("Start the work"), (State.APPROVED,), State.IN_PROGRESS, "applicant"),
        Action("request_midterm", _("Ask for the midterm review"), (State.IN_PROGRESS,), State.MIDTERM, "applicant"),
        Action("midterm_pass", _("Midterm passed"), (State.MIDTERM,), State.IN_PROGRESS, "chair", by_review=True),
        Action("midterm_fail", _("Midterm failed"), (State.MIDTERM,), State.IN_PROGRESS, "chair", by_review=True),
        Action("request_closing", _("Ask for the closing review"), (State.IN_PROGRESS,), State.CLOSING, "applicant"),
        Action("close", _("Close and release"), (State.CLOSING,), State.CLOSED, "chair", by_review=True),
        Action("closing_fail", _("Closing failed"), (State.CLOSING,), State.IN_PROGRESS, "chair", by_review=True),
        Action("file", _("File to HQ"), (State.CLOSED,), State.FILED, "applicant", tiers=(Tier.UNIT,)),
    ]
}

# States where the team may still change the proposal itself (title, problem, unit, tier, direction).
EDITABLE = {State.DRAFT, State.RETURNED}
# States where work goes on: PDCA, notes, attachments, indicators and team can be updated.
ACTIVE = {State.DRAFT, State.RETURNED, State.SUBMITTED, State.APPROVED, State.IN_PROGRESS, State.MIDTERM, State.CLOSING}
# The board's columns, in lifecycle order.
BOARD = [
    State.DRAFT,
    State.SUBMITTED,
    State.RETURNED,
    State.APPROVED,
    State.IN_PROGRESS,
    State.MIDTERM,
    State.CLOSING,
    State.CLOSED,
    State.FILED,
]


def manages(member, unit) -> bool:
    return member is not None and Role.UNIT_MANAGER in member.roles and unit.path.startswith(member.unit.path)


def is_applicant(member, project, leader_id=None) -> bool:
    if member is None or not member.active:
        return False
    if leader_id is None:
        leader_id = next((t.member_id for t in project.team.all() if t.role == "leader"), None)
    return member.pk == leader_id or manages(member, project.unit)


def is_approver(member, project) -> bool:
    if member is None or not member.active:
        return False
    if project.tier == Tier.HQ:
        return Role.LEAN_OFFICE in member.roles
    return manages(member, project.unit)


def is_organiser(member, project) -> bool:
    """Who sets up a review's panel: the approver of the tier."""
    return is_approver(member, project)


def allowed(member, project, action: Action, review=None) -> bool:
    """May `member` take `action` on `project` now (state, tier and role)?"""
    if project.state not in action.sources or project.tier not in action.tiers:
        return False
    if action.name == "request_closing" and not project.midterm_passed:
        return False
    if action.name == "request_midterm" and project.midterm_passed:
        return False
    if action.who == "applicant":
        return is_applicant(member, project)
    if action.who == "approver":
        return is_approver(member, project)
    if action.who == "chair":
        return review is not None and review.chair_id is not None and review.chair_id == getattr(member, "pk", None)
    return False


def available(member, project) -> list[Action]:
    """The buttons to show: actions of their own (not review decisions) this member may take now."""
    return [a for a in ACTIONS.values() if not a.by_review and allowed(member, project, a)]
