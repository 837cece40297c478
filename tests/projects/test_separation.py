"""Separation of duties (issue 14): whoever filed a project, its leader and its team never approve, return, reject or
merge it, never sit on its panel or chair it, never decide its review and never acknowledge its filing (备案). A unit
manager's own unit-tier proposal goes to another manager of the unit or of a unit above it, and with none, up to
the lean office. Reviewers of the project's own unit (or below it) are not offered for its panel and are refused.

The matrix is a table: (project, person, action) → allowed or refused, each refusal a PermissionDenied (with the
reason when the role alone would have allowed it) or an ApplicationError, and nothing stored."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from lean.errors import ApplicationError
from lean.models import Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import services, workflow
from projects.models import Project, Review, ReviewAssignment, Score, State, Tier, Transition
from projects.selectors import reviews
from tests.factories import make_member
from tests.projects.factories import make_project
from tests.targets.factories import make_targets

TEAM = services.TeamRow


def _team(project, actor, rows):
    services.team_set(actor=actor, project=project, rows=[TEAM(m, role, Decimal(share)) for m, role, share in rows])


def _submitted(project, actor):
    return services.project_transition(actor=actor, project=project, action="submit")


@pytest.fixture
def world(tenant_a):
    """Units: U1 (two managers: manager, manager_b) with its team T1; U2 (one manager, manager2); U3 under a region
    R (region_manager above, manager3 in U3). People: two lean office members, a leader and a member in T1,
    reviewers of HQ, of U1's team and of U2.

    Projects, all submitted:
    - u1_own: unit tier, U1, filed by `manager` (leader: leader, member: employee);
    - u2_own: unit tier, U2, filed by manager2, who leads it — no other manager: up to the lean office;
    - u3_own: unit tier, U3, filed by manager3 — the region's manager above judges it;
    - u1_staff: unit tier, U1, filed by the leader with manager_b on the team — `manager` judges it;
    - hq_office: HQ tier, U1, filed by `manager`, lean_office2 on its team — lean_office judges it."""
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        u2 = unit_create(name="二分公司", code="U2", parent=a.hq)
        region = unit_create(name="西部区域", code="R", parent=a.hq)
        u3 = unit_create(name="三分公司", code="U3", parent=region)
        p = {
            "lean_office": a.lean_office,
            "lean_office2": make_member(a.hq, [Role.LEAN_OFFICE, Role.EMPLOYEE], number="LO-2"),
            "manager": a.manager,
            "manager_b": make_member(a.unit, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="UM-B"),
            "manager2": make_member(u2, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="UM-2"),
            "region_manager": make_member(region, [Role.UNIT_MANAGER], number="UM-R"),
            "manager3": make_member(u3, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="UM-3"),
            "leader": make_member(a.team, [Role.EMPLOYEE], number="LEADER"),
            "employee": a.employee,
            "reviewer": a.reviewer,  # of HQ
            "reviewer_unit": make_member(a.team, [Role.REVIEWER, Role.EMPLOYEE], number="RV-U1"),
            "reviewer_u2": make_member(u2, [Role.REVIEWER], number="RV-U2"),
        }
        x = {}
        x["u1_own"] = make_project(a, tier=Tier.UNIT, title="一分公司经理的课题")
        _team(x["u1_own"], a.manager, [(p["leader"], "leader", 60), (p["employee"], "member", 40)])
        x["u2_own"] = _unit_project(a, p["manager2"], u2, "二分公司经理的课题")
        x["u3_own"] = _unit_project(a, p["manager3"], u3, "三分公司经理的课题")
        x["u1_staff"] = _unit_project(a, p["leader"], a.unit, "员工提出的课题")
        _team(x["u1_staff"], a.manager, [(p["leader"], "leader", 70), (p["manager_b"], "member", 30)])
        x["hq_office"] = make_project(a, tier=Tier.HQ, title="总部级课题")
        _team(x["hq_office"], a.manager, [(p["manager"], "leader", 50), (p["lean_office2"], "member", 50)])
        for key in x:
            x[key] = _submitted(x[key], a.manager if key in ("u1_own", "hq_office", "u1_staff") else _filer(x[key]))
    return a, p, x


def _unit_project(a, actor, unit, title):
    """A complete unit-tier draft of `unit` filed by `actor` (who leads it), attacking the uptime indicator."""
    from datetime import date

    project = services.project_create(
        actor=actor,
        title=title,
        unit=unit,
        problem="设备可用率低于目标",
        tier=Tier.UNIT,
        year=2025,
        management_base="点检制度",
        capability="检修队伍",
        expected_effect="提升2个百分点",
        planned_start=date(2025, 3, 1),
        planned_end=date(2025, 11, 30),
    )
    services.indicators_set(
        actor=actor,
        project=project,
        rows=[services.IndicatorRow(a.extra["uptime"], baseline=Decimal(90), goal=Decimal(95))],
    )
    return project


def _filer(project):
    return Project.objects.select_related("created_by").get(pk=project.pk).created_by


# ---------------------------------------------------------------- approval: approve, return, reject, merge

JUDGES = ["approve", "return", "reject", "merge"]
# project → who may judge its proposal; everyone else in PEOPLE is refused.
APPROVERS = {
    "u1_own": {"manager_b"},  # the filer's fellow manager of U1 (not the lean office: a manager is free)
    "u2_own": {"lean_office", "lean_office2"},  # U2's only manager filed it: up to the lean office
    "u3_own": {"region_manager"},  # the manager of the unit above
    "u1_staff": {"manager"},  # filed by staff; manager_b is on its team
    "hq_office": {"lean_office"},  # lean_office2 is on its team
}
PEOPLE = [
    "lean_office",
    "lean_office2",
    "manager",
    "manager_b",
    "manager2",
    "region_manager",
    "manager3",
    "leader",
    "employee",
    "reviewer",
]
MATRIX = [(key, person, action) for key in APPROVERS for person in PEOPLE for action in JUDGES]


def test_the_approval_matrix(world):
    a, p, x = world
    mismatches = []
    with tenant_scope(a.tenant):
        into = make_project(a, tier=Tier.UNIT, title="整合课题", problem="另一个问题")
        Project.objects.filter(pk=into.pk).update(state=State.SUBMITTED)
        for key, person, action in MATRIX:
            project = Project.objects.select_related("unit").get(pk=x[key].pk)
            expected = person in APPROVERS[key]
            try:
                with transaction.atomic():
                    services.project_transition(
                        actor=p[person], project=project, action=action, reason="原因", into=into
                    )
                    transaction.set_rollback(True)
                outcome = True
            except (PermissionDenied, ApplicationError):
                outcome = False
            shown = workflow.allowed(p[person], project, workflow.ACTIONS[action])
            if outcome != expected or shown != expected:
                mismatches.append((key, person, action, expected, outcome, shown))
            assert Project.objects.get(pk=project.pk).state == State.SUBMITTED
    assert mismatches == []


@pytest.mark.parametrize(
    ("key", "person"),
    [("u1_own", "manager"), ("u2_own", "manager2"), ("u1_staff", "manager_b"), ("hq_office", "lean_office2")],
)
def test_a_refusal_on_ones_own_project_says_why(world, key, person):
    a, p, x = world
    with tenant_scope(a.tenant), pytest.raises(PermissionDenied) as refused:
        services.project_transition(actor=p[person], project=x[key], action="approve")
    assert str(refused.value) == str(workflow.OWN_PROJECT["approver"])
    with tenant_scope(a.tenant):
        assert not Transition.objects.filter(project=x[key], action="approve").exists()


def test_the_refusal_page_and_the_api_say_why(world, login, client, settings):
    a, p, x = world
    login(p["manager"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(f"/t/alpha/projects/{x['u1_own'].pk}/transition/", {"action": "approve"})
    assert response.status_code == 403
    assert "you cannot approve, return, reject or merge it" in response.content.decode()
    response = client.post(
        f"/t/alpha/api/v1/projects/projects/{x['u1_own'].pk}/transitions/",
        {"action": "approve"},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_the_approver_sees_the_approval_and_the_filer_does_not(world, login, client):
    a, p, x = world
    url = f"/t/alpha/projects/{x['u2_own'].pk}/"
    body = login(p["lean_office"]).get(url).content.decode()
    assert 'id="approval"' in body and 'data-action="approve"' in body
    body = login(p["manager2"]).get(url).content.decode()
    assert 'id="approval"' not in body and 'data-action="approve"' not in body


def test_an_escalated_proposal_tells_the_lean_office(world):
    a, p, x = world
    from lean.models import Notification

    with tenant_scope(a.tenant):
        assert Notification.objects.filter(recipient=p["lean_office"], url__contains=f"/{x['u2_own'].pk}/").exists()
        # a proposal some manager judges does not go to the lean office
        assert not Notification.objects.filter(recipient=p["lean_office"], url__contains=f"/{x['u1_own'].pk}/").exists()


# ---------------------------------------------------------------- reviews: organiser, panel, chair, scores


def _to_midterm(a, p, x, key):
    """The project approved by its approver, started and in its midterm review (a review without a panel)."""
    approver = p[sorted(APPROVERS[key])[0]]
    project = services.project_transition(actor=approver, project=x[key], action="approve")
    leader = project.team.get(role="leader").member
    project = services.project_transition(actor=leader, project=project, action="start")
    project = services.project_transition(actor=leader, project=project, action="request_midterm")
    return project, project.reviews.get()


ORGANISERS = {"u1_own": "manager_b", "u2_own": "lean_office", "hq_office": "lean_office"}


@pytest.mark.parametrize("key", list(ORGANISERS))
def test_the_organiser_is_the_approver_never_the_filer(world, key):
    a, p, x = world
    with tenant_scope(a.tenant):
        project, review = _to_midterm(a, p, x, key)
        for person in PEOPLE:
            expected = person in APPROVERS[key]
            assert workflow.is_organiser(p[person], project) == expected, person
            try:
                with transaction.atomic():
                    services.review_setup(
                        actor=p[person], review=review, reviewers=[p["reviewer"]], chair=p["reviewer"]
                    )
                    transaction.set_rollback(True)
                outcome = True
            except PermissionDenied:
                outcome = False
            assert outcome == expected, person
        # the review queue shows it to the organiser, and not to the project's own manager
        queued = {r.pk for r in reviews.review_queue(p[ORGANISERS[key]]).needs_panel}
        assert review.pk in queued
        filer = _filer(project)
        assert review.pk not in {r.pk for r in reviews.review_queue(filer).needs_panel}


# panel candidate → may sit on u1_own's panel (U1's project: team T1 is below U1)
PANEL = {
    "reviewer": True,  # HQ
    "reviewer_u2": True,  # another unit
    "reviewer_unit": False,  # of the project's own unit's subtree
}


def test_the_panel_excludes_the_team_the_filer_and_the_projects_unit(world):
    a, p, x = world
    with tenant_scope(a.tenant):
        project, review = _to_midterm(a, p, x, "u1_own")
        # a reviewer on the team too
        on_team = make_member(a.hq, [Role.REVIEWER, Role.EMPLOYEE], number="RV-TEAM")
        _team(
            project, p["leader"], [(p["leader"], "leader", 60), (p["employee"], "member", 20), (on_team, "member", 20)]
        )
        offered = set(reviews.panel_candidates(review).values_list("pk", flat=True))
        for person, expected in PANEL.items():
            assert (p[person].pk in offered) == expected, person
            assert workflow.may_review(p[person], project) == expected, person
        assert on_team.pk not in offered and not workflow.may_review(on_team, project)
        for barred in (p["reviewer_unit"], on_team):
            for chair in (barred, p["reviewer"]):
                with pytest.raises(ApplicationError) as error:
                    services.review_setup(
                        actor=p["manager_b"], review=review, reviewers=[p["reviewer"], barred], chair=chair
                    )
                assert error.value.code == "own_project" and "reviewers" in error.value.field_errors
        assert not ReviewAssignment.objects.filter(review=review).exists()  # nothing half-stored
        assert Review.objects.get(pk=review.pk).chair_id is None
        services.review_setup(
            actor=p["manager_b"], review=review, reviewers=[p["reviewer"], p["reviewer_u2"]], chair=p["reviewer"]
        )


def test_a_reviewer_who_joins_the_team_can_no_longer_score_or_decide(world):
    a, p, x = world
    with tenant_scope(a.tenant):
        criteria = services.criteria_defaults()
        project, review = _to_midterm(a, p, x, "u1_own")
        services.review_setup(
            actor=p["manager_b"], review=review, reviewers=[p["reviewer"], p["reviewer_u2"]], chair=p["reviewer"]
        )
        scores = {c.pk: Decimal(85) for c in criteria}
        services.review_submit_scores(actor=p["reviewer_u2"], review=review, scores=scores)
        # the chair joins the team afterwards
        _team(project, p["leader"], [(p["leader"], "leader", 80), (p["reviewer"], "member", 20)])
        with pytest.raises(PermissionDenied) as refused:
            services.review_submit_scores(actor=p["reviewer"], review=review, scores=scores)
        assert str(refused.value)  # the reason, not a bare 403
        assert not Score.objects.filter(assignment__review=review, assignment__reviewer=p["reviewer"]).exists()
        ReviewAssignment.objects.filter(review=review, reviewer=p["reviewer"]).update(submitted_at=review.created_at)
        with pytest.raises(PermissionDenied) as refused:
            services.review_decide(actor=p["reviewer"], review=review, result=Review.Result.PASS)
        assert str(refused.value) == str(workflow.OWN_PROJECT["chair"])
        assert Review.objects.get(pk=review.pk).result == ""
        assert Project.objects.get(pk=project.pk).state == State.MIDTERM
        midterm_pass = workflow.ACTIONS["midterm_pass"]
        assert not workflow.allowed(p["reviewer"], project, midterm_pass, review=Review.objects.get(pk=review.pk))


# ---------------------------------------------------------------- 备案: acknowledge and return


@pytest.mark.parametrize("action", ["acknowledge_filing", "return_filing"])
def test_the_lean_office_member_on_the_team_does_not_answer_the_filing(world, action):
    a, p, x = world
    with tenant_scope(a.tenant):
        project = x["u1_staff"]
        _team(project, p["leader"], [(p["leader"], "leader", 70), (p["lean_office2"], "member", 30)])
        Project.objects.filter(pk=project.pk).update(state=State.CLOSED, midterm_passed=True)
        services.project_transition(actor=p["leader"], project=project, action="file")
        expected = {"lean_office"}
        for person in PEOPLE:
            try:
                with transaction.atomic():
                    services.project_transition(actor=p[person], project=project, action=action, reason="补充")
                    transaction.set_rollback(True)
                outcome = True
            except (PermissionDenied, ApplicationError):
                outcome = False
            assert outcome == (person in expected), person
        with pytest.raises(PermissionDenied) as refused:
            services.project_transition(actor=p["lean_office2"], project=project, action=action, reason="补充")
        assert str(refused.value) == str(workflow.OWN_PROJECT["filing_office"])
        fresh = Project.objects.get(pk=project.pk)
        assert fresh.state == State.FILED and fresh.filing_acknowledged_at is None


def test_the_lean_office_finds_the_proposals_sent_up_to_it(world, login, client):
    a, p, x = world
    body = login(p["lean_office"]).get("/t/alpha/projects/filings/").content.decode()
    sent_up = body.split('id="sent-up"')[1].split('id="returned"')[0]
    assert x["u2_own"].code in sent_up  # U2's only manager filed it
    assert x["u1_own"].code not in sent_up and x["u3_own"].code not in sent_up  # a manager is free to judge these
