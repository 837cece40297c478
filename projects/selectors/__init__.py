"""Reads of projects. Every function runs inside the caller's tenant scope in a bounded number of queries.

`visible_projects(viewer)` is THE rule of who may see which project; every page, list and download starts from
it, so a project someone may not see is "not found" everywhere.
"""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from lean.access import ancestor_paths, subtree_q, units_in_reach
from lean.models import Membership, Role
from projects.models import (
    Attachment,
    Direction,
    ProgressNote,
    Project,
    ProjectIndicator,
    ProjectShortfall,
    ProjectUnit,
    Review,
    ReviewAssignment,
    State,
    TeamMember,
    Transition,
)
from targets.models import Indicator, Shortfall, TargetTree

# The case library (优秀案例) is open to every member: excellent projects once closed and released.
CASE_STATES = (State.CLOSED, State.FILED)


def of_units_q(root) -> Q:
    """The projects of `root`'s subtree (a Unit or a path), as applicant or as a unit taking part: one filter."""
    taking_part = ProjectUnit.objects.filter(subtree_q(root)).values("project_id")
    return subtree_q(root) | Q(pk__in=taking_part)


def visible_q(viewer: Membership) -> Q:
    """Who sees what, as one filter on Project:
    - the lean office: every project;
    - a unit manager: the projects of their unit and the units below it, and those their units take part in;
    - a reviewer: the projects of the reviews they are assigned to;
    - every member: their own unit's projects (as applicant or participant) and the projects whose team they
      are on;
    - everyone: the excellent cases of the case library."""
    if viewer is None or not viewer.active:
        return Q(pk__in=[])
    if Role.LEAN_OFFICE in viewer.roles:
        return Q()
    q = Q(excellent=True, state__in=CASE_STATES)
    q |= Q(pk__in=TeamMember.objects.filter(member=viewer).values("project_id"))
    if {Role.UNIT_MANAGER, Role.LEADER}.intersection(viewer.roles):  # a leader reads their subtree
        q |= of_units_q(viewer.unit)
    else:
        q |= Q(unit_id=viewer.unit_id)
        q |= Q(pk__in=ProjectUnit.objects.filter(unit_id=viewer.unit_id).values("project_id"))
    if Role.FINANCE in viewer.roles:  # 财务核验: a verifier reads the projects whose benefits they sign off
        from projects.finance import finance_scope

        q |= subtree_q(finance_scope(viewer))
    if Role.REVIEWER in viewer.roles:
        q |= Q(pk__in=ReviewAssignment.objects.filter(reviewer=viewer).values("review__project_id"))
    return q


def visible_projects(viewer: Membership):
    """The projects `viewer` may see (a queryset without duplicates, to filter and order further)."""
    return Project.objects.filter(visible_q(viewer))


def project_get(*, viewer: Membership, project_id: int) -> Project:
    """One project the viewer may see, else 404 (exactly like a missing one or another tenant's)."""
    return get_object_or_404(
        visible_projects(viewer).select_related("unit", "direction__guide", "created_by__user", "merged_into"),
        pk=project_id,
    )


def may_edit(viewer: Membership, project: Project) -> bool:
    """May `viewer` change the project's proposal and work (the applicant, or the lean office)?"""
    from projects import workflow

    return workflow.is_applicant(viewer, project) or (viewer is not None and Role.LEAN_OFFICE in viewer.roles)


def may_contribute(viewer: Membership, project: Project) -> bool:
    """May `viewer` write progress notes and attach files (team, applicant, approver, lean office)?"""
    from projects import workflow

    if viewer is None or not viewer.active:
        return False
    on_team = any(t.member_id == viewer.pk for t in project.team.all())
    return (
        on_team
        or Role.LEAN_OFFICE in viewer.roles
        or workflow.is_applicant(viewer, project)
        or workflow.is_approver(viewer, project)
    )


# ---------------------------------------------------------------- my projects


def my_projects(*, viewer: Membership, year: int | None = None):
    """The projects of my unit (a manager: of my unit and those below it) and those whose team I am on, each
    with its leader (three queries whatever the number)."""
    mine = Q(pk__in=TeamMember.objects.filter(member=viewer).values("project_id"))
    if Role.UNIT_MANAGER in viewer.roles:
        mine |= subtree_q(viewer.unit)
    else:
        mine |= Q(unit_id=viewer.unit_id)
    projects = (
        visible_projects(viewer)
        .filter(mine)
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "team",
                queryset=TeamMember.objects.filter(role=TeamMember.Role.LEADER).select_related("member__user"),
                to_attr="leaders",
            )
        )
        .order_by("-year", "-created_at")
    )
    if year:
        projects = projects.filter(year=year)
    return projects


def group_by_state(projects) -> list[dict]:
    """[{state, label, projects}] in lifecycle order, only the states that have projects."""
    order = [
        State.DRAFT,
        State.RETURNED,
        State.SUBMITTED,
        State.APPROVED,
        State.IN_PROGRESS,
        State.MIDTERM,
        State.CLOSING,
        State.CLOSED,
        State.FILED,
        State.MERGED,
        State.REJECTED,
    ]
    groups = {state: [] for state in order}
    for project in projects:
        groups.setdefault(project.state, []).append(project)
    labels = dict(State.choices)
    return [{"state": s, "label": labels[s], "projects": groups[s]} for s in order if groups[s]]


# ---------------------------------------------------------------- filing


def fileable_units(*, viewer: Membership):
    """The units a member may file for: their own, those below it and those above it (the lean office: all)."""
    above = Q(path__in=ancestor_paths(viewer.unit))
    return units_in_reach(viewer, subtree=False, otherwise=subtree_q(viewer.unit, field="") | above)


def guide_directions():
    """The directions of the published guides, newest year first (one query)."""
    return list(
        Direction.objects.filter(guide__published_at__isnull=False)
        .select_related("guide")
        .order_by("-guide__year", "position", "code")
    )


def filing_years(directions, today_year: int, project: Project | None = None) -> list[int]:
    years = {today_year, today_year + 1} | {d.guide.year for d in directions}
    if project is not None:
        years.add(project.year)
    return sorted(years, reverse=True)


def default_year(directions, today_year: int) -> int:
    """The year of the newest published guide that is not in the past, else this year."""
    current = [d.guide.year for d in directions if d.guide.year >= today_year]
    return min(current) if current else today_year


def year_indicators(*, year: int) -> dict[int, Indicator]:
    """The indicators of the year's target tree by id, in tree order (one query)."""
    tree = TargetTree.objects.filter(year=year).first()
    if tree is None:
        return {}
    indicators = Indicator.objects.filter(node__tree=tree).select_related("node").order_by("node__path")
    return {i.pk: i for i in indicators}


def unit_shortfalls(*, project: Project, indicator_ids=()) -> list[Shortfall]:
    """The open shortfalls of the project's unit (and the units below it) in the year's tree, plus those the
    project already attacks; those of `indicator_ids` first (one query)."""
    linked = ProjectShortfall.objects.filter(project=project).values("shortfall_id")
    shortfalls = (
        Shortfall.objects.filter(
            Q(subtree_q(project.unit), indicator__node__tree__year=project.year, resolved=False) | Q(pk__in=linked)
        )
        .select_related("indicator__node", "unit")
        .order_by("-period_start", "indicator__node__path")[:200]
    )
    chosen = set(indicator_ids)
    return sorted(shortfalls, key=lambda s: s.indicator_id not in chosen)


def member_search(*, query: str, limit: int = 10):
    """Active members whose employee number or name matches (for picking team members)."""
    query = query.strip()
    if len(query) < 1:
        return Membership.objects.none()
    return (
        Membership.objects.filter(active=True)
        .filter(
            Q(employee_number__icontains=query) | Q(user__full_name__icontains=query) | Q(user__username__iexact=query)
        )
        .select_related("user", "unit")
        .order_by("employee_number")[:limit]
    )


FILING_STATES = (State.DRAFT, State.RETURNED)


def filing_steps(*, project: Project | None, current: str, tenant_slug: str) -> list[dict]:
    """The step bar: basics → indicators → team → plan → submit, each with whether it is complete. The
    project's indicator links and team must be prefetched (no query here)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    def url(name):
        if project is None:
            return ""
        return reverse(name, kwargs={"tenant_slug": tenant_slug, "project_id": project.pk})

    if project is None:
        done = {"basics": False, "indicators": False, "team": False, "plan": False}
    else:
        team = list(project.team.all())
        done = {
            "basics": bool(
                project.title
                and project.problem
                and project.management_base
                and project.capability
                and project.expected_effect
            ),
            "indicators": bool(list(project.indicator_links.all())),
            "team": sum((t.share for t in team), 0) == 100 and sum(t.role == "leader" for t in team) == 1,
            "plan": bool(project.planned_start and project.planned_end),
        }
    steps = [
        {"key": "basics", "label": _("Basics"), "url": url("projects-edit") if project else ""},
        {"key": "indicators", "label": _("Indicators"), "url": url("projects-indicators")},
        {"key": "team", "label": pgettext("project", "Team"), "url": url("projects-team")},
        {"key": "plan", "label": _("Plan"), "url": url("projects-plan")},
        {"key": "submit", "label": _("Submit"), "url": url("projects-detail") + "#actions" if project else ""},
    ]
    submitted = project is not None and project.state not in FILING_STATES
    for number, step in enumerate(steps, 1):
        step["number"] = number
        step["current"] = step["key"] == current
        step["complete"] = submitted if step["key"] == "submit" else done[step["key"]]
    return steps


def filing_project(*, viewer: Membership, project_id: int) -> Project:
    """A project for the filing steps, with what the step bar needs."""
    return get_object_or_404(
        visible_projects(viewer)
        .select_related("unit", "direction__guide")
        .prefetch_related(
            Prefetch(
                "team", queryset=TeamMember.objects.select_related("member__user").order_by("role", "-share", "pk")
            ),
            "indicator_links__indicator__node",
        ),
        pk=project_id,
    )


# ---------------------------------------------------------------- similar proposals and merging

SIMILAR_STATES = (
    State.SUBMITTED,
    State.RETURNED,
    State.APPROVED,
    State.IN_PROGRESS,
    State.MIDTERM,
    State.CLOSING,
    State.CLOSED,
    State.FILED,
)
MERGE_TARGET_STATES = (State.SUBMITTED, State.APPROVED, State.IN_PROGRESS)


def similar_proposals(*, viewer: Membership, project: Project, limit: int = 5) -> list[Project]:
    """Proposals of the same year from other units most like `project`, best first, each with `.similarity`
    (0–1), `.visible` (may the viewer open it) and `.mergeable` (a possible merge target). Three queries."""
    from projects import similarity

    if not project.tokens:
        return []
    scores = dict(similarity.similar_ids(project=project, states=SIMILAR_STATES, limit=limit * 3))
    if not scores:
        return []
    found = Project.objects.filter(pk__in=scores).exclude(unit_id=project.unit_id).select_related("unit")
    visible = set(visible_projects(viewer).filter(pk__in=scores).values_list("pk", flat=True))
    result = sorted(found, key=lambda p: (-scores[p.pk], p.pk))[:limit]
    for p in result:
        p.similarity = scores[p.pk]
        p.visible = p.pk in visible
        p.mergeable = p.state in MERGE_TARGET_STATES and p.year == project.year
    return result


def merge_targets(*, viewer: Membership, project: Project, limit: int = 100):
    """Projects `project` may be merged into: submitted, approved or running projects of the same year."""
    return (
        visible_projects(viewer)
        .filter(year=project.year, state__in=MERGE_TARGET_STATES)
        .exclude(pk=project.pk)
        .select_related("unit")
        .order_by("code")[:limit]
    )


# ---------------------------------------------------------------- the project page


def project_detail(*, viewer: Membership, project_id: int) -> Project:
    """A project with everything its page shows, in a fixed number of queries whatever the size of its team,
    timeline, notes and attachments."""
    return get_object_or_404(
        visible_projects(viewer)
        .select_related("unit", "direction__guide", "created_by__user", "merged_into", "filing_acknowledged_by__user")
        .prefetch_related(
            Prefetch("unit_links", queryset=ProjectUnit.objects.select_related("unit").order_by("unit__path")),
            Prefetch(
                "team",
                # the leader first ("leader" < "member"), then by share
                queryset=TeamMember.objects.select_related("member__user", "member__unit").order_by(
                    "role", "-share", "pk"
                ),
            ),
            Prefetch(
                "indicator_links",
                queryset=ProjectIndicator.objects.select_related("indicator__node").order_by("indicator__node__path"),
            ),
            Prefetch(
                "shortfall_links",
                queryset=ProjectShortfall.objects.select_related(
                    "shortfall__indicator__node", "shortfall__unit"
                ).order_by("-shortfall__period_start"),
            ),
            Prefetch("transitions", queryset=Transition.objects.select_related("actor__user")),
            Prefetch("notes", queryset=ProgressNote.objects.select_related("author__user")),
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by__user")),
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("chair__user", "decided_by__user").prefetch_related(
                    "assignments"
                ),
            ),
            Prefetch("merged_from", queryset=Project.objects.select_related("unit").order_by("code")),
        ),
        pk=project_id,
    )


def timeline(project: Project) -> list[dict]:
    """The project's story in time order: every transition, and every review decided (from the prefetched rows,
    no query)."""
    events = [{"kind": "transition", "at": t.created_at, "transition": t} for t in project.transitions.all()]
    events += [{"kind": "review", "at": r.decided_at, "review": r} for r in project.reviews.all() if r.decided_at]
    return sorted(events, key=lambda e: e["at"])


def attachment_get(*, viewer: Membership, attachment_id: int) -> Attachment:
    """An attachment of a project the viewer may see, else 404."""
    return get_object_or_404(Attachment.objects.filter(project__in=visible_projects(viewer)), pk=attachment_id)


def members_by_number(*, numbers) -> dict[str, Membership]:
    """Members by employee number (one query), to show who a typed number is."""
    numbers = {(n or "").strip() for n in numbers} - {""}
    if not numbers:
        return {}
    found = Membership.objects.filter(employee_number__in=numbers).select_related("user", "unit")
    return {m.employee_number: m for m in found}
