"""The lifecycle: every action from every state, for every role, in both tiers — allowed exactly when the
table of the issue says so — and two people acting at the same moment."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from lean.errors import ApplicationError
from lean.models import Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import services, workflow
from projects.models import Project, State, Tier, Transition
from tests.factories import make_member
from tests.projects.factories import make_project
from tests.targets.factories import make_targets

ROLES = ["lean_office", "manager", "leader", "employee", "reviewer", "other_manager"]
# Who may take each action (by the issue): the applicant = the leader or the unit's manager; the approver = the
# lean office for HQ tier, the unit's manager for unit tier — but the manager filed these projects, and whoever
# filed a project never approves it (issue 14): with no other manager of the unit, the lean office approves.
# The filing (备案) is acknowledged or returned by the lean office.
APPLICANT = {"leader", "manager"}
APPROVER = {Tier.HQ: {"lean_office"}, Tier.UNIT: {"lean_office"}}
FILING_OFFICE = {"lean_office"}
BY_BUTTON = [a for a in workflow.ACTIONS.values() if not a.by_review]


@pytest.fixture(scope="module")
def expected_sources():
    return {
        "submit": {State.DRAFT, State.RETURNED},
        "return": {State.SUBMITTED},
        "reject": {State.SUBMITTED},
        "merge": {State.SUBMITTED},
        "approve": {State.SUBMITTED},
        "start": {State.APPROVED},
        "request_midterm": {State.IN_PROGRESS},
        "request_closing": {State.IN_PROGRESS},
        "file": {State.CLOSED},
        "acknowledge_filing": {State.FILED},
        "return_filing": {State.FILED},
    }


@pytest.fixture
def world(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        other = unit_create(name="二分公司", code="U2", parent=a.hq)
        people = {
            "lean_office": a.lean_office,
            "manager": a.manager,
            "leader": make_member(a.team, [Role.EMPLOYEE], number="LEADER"),
            "employee": a.employee,
            "reviewer": a.reviewer,
            "other_manager": make_member(other, [Role.UNIT_MANAGER], number="OTHER-UM"),
        }
        projects = {}
        for tier in (Tier.HQ, Tier.UNIT):
            project = make_project(a, tier=tier, title=f"课题{tier}")
            services.team_set(
                actor=a.manager,
                project=project,
                rows=[services.TeamRow(people["leader"], "leader", Decimal(100))],
            )
            projects[tier] = project
            # the merge target for "merge"
            target = make_project(a, tier=tier, title=f"整合课题{tier}", problem="另一个问题")
            Project.objects.filter(pk=target.pk).update(state=State.SUBMITTED)
            projects[f"{tier}-into"] = target
    return a, people, projects


def _prepare(project, state):
    """Put the project in `state` with what that state implies (midterm passed, closing data)."""
    Project.objects.filter(pk=project.pk).update(
        state=state, midterm_passed=state in (State.CLOSING, State.CLOSED, State.FILED), verified_benefit=Decimal(1)
    )
    project.indicator_links.update(achieved=Decimal(94))


@pytest.mark.parametrize("tier", [Tier.HQ, Tier.UNIT])
def test_every_action_in_every_state_for_every_role(world, tier, expected_sources):
    a, people, projects = world
    project, into = projects[tier], projects[f"{tier}-into"]
    mismatches = []
    with tenant_scope(a.tenant):
        for state in State.values:
            for action in BY_BUTTON:
                for role in ROLES:
                    _prepare(project, state)
                    fresh = Project.objects.select_related("unit").get(pk=project.pk)
                    if action.name == "request_closing":
                        fresh.midterm_passed = True
                        Project.objects.filter(pk=project.pk).update(midterm_passed=True)
                    who = {"applicant": APPLICANT, "approver": APPROVER[tier], "filing_office": FILING_OFFICE}
                    expected = (
                        state in expected_sources[action.name] and role in who[action.who] and tier in action.tiers
                    )
                    try:
                        with transaction.atomic():
                            services.project_transition(
                                actor=people[role], project=fresh, action=action.name, reason="原因", into=into
                            )
                            outcome = True
                            transaction.set_rollback(True)
                    except (ApplicationError, PermissionDenied):
                        outcome = False
                    if outcome != expected or workflow.allowed(people[role], fresh, action) != expected:
                        mismatches.append((state, action.name, role, expected, outcome))
    assert mismatches == []


def test_review_decisions_are_the_chairs_only(world):
    a, people, projects = world
    project = projects[Tier.HQ]
    with tenant_scope(a.tenant):
        _prepare(project, State.MIDTERM)
        action = workflow.ACTIONS["midterm_pass"]
        for role in ROLES:
            with pytest.raises(PermissionDenied):
                services.project_transition(actor=people[role], project=project, action="midterm_pass")
        assert not any(workflow.allowed(people[r], project, action) for r in ROLES)


def test_a_refusal_says_why(world):
    a, people, projects = world
    project = projects[Tier.HQ]
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            services.project_transition(actor=a.lean_office, project=project, action="approve")
        assert error.value.code == "wrong_state" and "草稿" in str(error.value.message)
        with pytest.raises(ApplicationError) as error:
            services.project_transition(actor=a.lean_office, project=project, action="launch")
        assert error.value.code == "unknown_action"
        Project.objects.filter(pk=project.pk).update(state=State.SUBMITTED)
        with pytest.raises(ApplicationError) as error:
            services.project_transition(actor=a.lean_office, project=project, action="reject", reason=" ")
        assert error.value.code == "reason_required"


def test_submitting_an_incomplete_proposal_lists_what_is_missing(world):
    a, people, _projects = world
    with tenant_scope(a.tenant):
        bare = services.project_create(actor=a.manager, title="空白课题", unit=a.unit, problem="问题", year=2025)
        with pytest.raises(ApplicationError) as error:
            services.project_transition(actor=a.manager, project=bare, action="submit")
        assert error.value.code == "incomplete"
        assert Project.objects.get(pk=bare.pk).state == State.DRAFT


def test_each_transition_is_recorded_with_who_when_and_why(world):
    a, people, projects = world
    project = projects[Tier.HQ]
    with tenant_scope(a.tenant):
        services.project_transition(actor=people["leader"], project=project, action="submit")
        services.project_transition(actor=a.lean_office, project=project, action="return", reason="补充数据")
        steps = list(Transition.objects.filter(project=project).values_list("action", "from_state", "to_state"))
        assert steps == [("submit", "draft", "submitted"), ("return", "submitted", "returned")]
        last = Transition.objects.filter(project=project).last()
        assert last.actor == a.lean_office and last.reason == "补充数据" and last.created_at
        assert project.history.first().history_user == a.lean_office.user


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_the_same_moment_only_one_wins(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        project = make_project(a)
        services.project_transition(actor=a.manager, project=project, action="submit")
        second = make_member(a.hq, [Role.LEAN_OFFICE], number="LO-2")
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor, action, reason):
        try:
            with tenant_scope(a.tenant):
                barrier.wait()
                services.project_transition(actor=actor, project=project, action=action, reason=reason)
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(a.lean_office, "approve", "")),
        threading.Thread(target=approve, args=(second, "reject", "不符合方向")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "wrong_state"]
    with tenant_scope(a.tenant):
        assert Transition.objects.filter(project=project).count() == 2  # submit + exactly one decision
