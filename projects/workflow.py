"""The project lifecycle as an explicit table: each action, the states it starts from, the state it leads to,
and who may take it. projects.services.project_transition is the only code that changes a project's state.

    draft ─submit→ submitted ─approve→ approved ─start→ in progress ─request_midterm→ midterm review
      ↑              │ ├─return→ returned ─submit→ …          ↑  │        (the panel's chair decides:
      └──────────────┘ ├─reject→ rejected                     │  │         pass → in progress, fail → in progress)
                       └─merge→  merged (into an integrated project)
    in progress (midterm passed) ─request_closing→ closing review ─(pass)→ closed and released ─file→ filed
                                                                  └(fail)→ in progress           (unit tier only)
    filed ─acknowledge_filing→ filed (备案 received: who and when are kept)
          └return_filing→ closed (with the reason; the applicant corrects and files again)

Who:
- applicant: the project's leader, or a manager of the project's unit (or a unit above it);
- approver: the lean office for HQ-tier projects; a manager of the project's unit for unit-tier projects;
- chair: the chair of the open review (midterm and closing decisions are taken through the review);
- filing office: the lean office, for a filed unit-tier project not yet acknowledged.

Separation of duties: the project's own people (`own_people`: whoever filed it, its leader and its team) never
approve, return, reject or merge it, never sit on its panel or chair it, and never acknowledge its filing. A unit
manager's own unit-tier proposal therefore goes to another manager of the unit or of a unit above it, and when
there is none, up to the lean office, which then acts as approver and organiser for it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lean.access import ancestor_paths, is_within
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
        Action(
            "acknowledge_filing",
            _("Acknowledge the filing"),
            (State.FILED,),
            State.FILED,
            "filing_office",
            tiers=(Tier.UNIT,),
        ),
        Action(
            "return_filing",
            _("Return the filing for correction"),
            (State.FILED,),
            State.CLOSED,
            "filing_office",
            needs_reason=True,
            tiers=(Tier.UNIT,),
        ),
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


def in_correction(project) -> bool:
    """A filing the lean office returned: the project is closed again, and its team may correct the plan and
    its attachments before filing it again."""
    return project.state == State.CLOSED and bool(project.filing_return_reason)


def manages(member, unit) -> bool:
    return member is not None and Role.UNIT_MANAGER in member.roles and is_within(unit, member.unit)


def is_applicant(member, project, leader_id=None) -> bool:
    if member is None or not member.active:
        return False
    if leader_id is None:
        leader_id = next((t.member_id for t in project.team.all() if t.role == "leader"), None)
    return member.pk == leader_id or manages(member, project.unit)


def own_people(project) -> set[int]:
    """The membership ids of the project's own people: whoever filed it, its leader and its team members."""
    return {project.created_by_id} | {t.member_id for t in project.team.all()}


def is_own(member, project) -> bool:
    """Is `member` one of the project's own people (they never judge it)?"""
    return member is not None and member.pk in own_people(project)


def independent_managers(project):
    """The active managers of the project's unit or of a unit above it who are not its own people."""
    from lean.models import Membership

    paths = ancestor_paths(project.unit)
    managers = Membership.objects.filter(roles__contains=[Role.UNIT_MANAGER], active=True, unit__path__in=paths)
    return managers.exclude(pk__in=own_people(project))


def escalated(project) -> bool:
    """A unit-tier project with no manager free to judge it goes up to the lean office."""
    return project.tier == Tier.UNIT and not independent_managers(project).exists()


def is_approver(member, project) -> bool:
    if member is None or not member.active or is_own(member, project):
        return False
    if project.tier == Tier.HQ:
        return Role.LEAN_OFFICE in member.roles
    if manages(member, project.unit):
        return True
    return Role.LEAN_OFFICE in member.roles and escalated(project)


def is_organiser(member, project) -> bool:
    """Who sets up a review's panel: the approver of the tier."""
    return is_approver(member, project)


def may_review(member, project) -> bool:
    """May `member` sit on (or chair) the project's panel? Not one of its own people, and not from its unit or a
    unit below it."""
    if member is None or not member.active or is_own(member, project):
        return False
    return not is_within(member.unit, project.unit)


def is_filing_office(member, project) -> bool:
    """The lean office receives a filing (备案), except someone who is one of the project's own people."""
    if member is None or not member.active or Role.LEAN_OFFICE not in member.roles:
        return False
    return not is_own(member, project)


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
        if review is None or review.chair_id is None or review.chair_id != getattr(member, "pk", None):
            return False
        return not is_own(member, project)
    if action.who == "filing_office":
        return project.filing_acknowledged_at is None and is_filing_office(member, project)
    return False


def refusal(member, project, action: Action) -> str | None:
    """Why separation of duties refuses `member` an action their role would allow, or None."""
    if not is_own(member, project):
        return None
    could = {
        "approver": Role.LEAN_OFFICE in member.roles or manages(member, project.unit),
        "filing_office": Role.LEAN_OFFICE in member.roles,
        "chair": True,
    }.get(action.who, False)
    return str(OWN_PROJECT[action.who]) if could else None


OWN_PROJECT = {
    "approver": _("You filed this project or are on its team, so you cannot approve, return, reject or merge it."),
    "chair": _("You filed this project or are on its team, so you cannot decide its review."),
    "filing_office": _("You filed this project or are on its team, so you cannot acknowledge or return its filing."),
}


def available(member, project) -> list[Action]:
    """The buttons to show: actions of their own (not review decisions) this member may take now."""
    return [a for a in ACTIONS.values() if not a.by_review and allowed(member, project, a)]
