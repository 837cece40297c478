"""Filing a project in steps (basics → indicators → team → plan), the closing data, and My projects: each step
saves and goes on; bad input comes back with 400 and nothing stored."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lean.models import Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import guides, services
from projects.models import Project, ProjectIndicator, ProjectShortfall, State, TeamMember, Tier
from targets.models import Shortfall
from tests.factories import make_member
from tests.projects.factories import make_guide, make_project
from tests.targets.factories import make_targets


@pytest.fixture
def world(tenant_a):
    """tenant_a's targets, a published 2025 guide, and a second unit with its manager."""
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_targets(ts)
        guide, direction = make_guide(ts)
        guides.guide_publish(actor=ts.lean_office, guide=guide)
        other = unit_create(name="二分公司", code="U2", parent=ts.hq)
        ts.extra.update(
            guide=guide,
            direction=direction,
            other_unit=other,
            other_manager=make_member(other, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="U2-UM"),
        )
    return ts


BASICS = {
    "title": "降低一分公司设备非计划停运次数",
    "tier": Tier.HQ,
    "year": 2025,
    "problem": "设备可用率连续三个月低于目标",
    "management_base": "已建立点检制度",
    "capability": "有专业检修队伍",
    "expected_effect": "可用率提升2个百分点",
}


def basics(ts, **changes):
    return {**BASICS, "unit": ts.unit.pk, "direction": ts.extra["direction"].pk, **changes}


def draft(ts, **extra):
    return services.project_create(
        actor=ts.manager, title="课题草稿", unit=ts.unit, problem="问题", year=2025, tier=Tier.HQ, **extra
    )


# ---------------------------------------------------------------- My projects


def test_my_projects_are_grouped_by_state(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        first = make_project(ts, title="课题一")
        second = make_project(ts, title="课题二")
        services.project_transition(actor=ts.manager, project=second, action="submit")
        theirs = services.project_create(
            actor=ts.extra["other_manager"],
            title="二分公司课题",
            unit=ts.extra["other_unit"],
            problem="问题",
            year=2025,
        )
    login(ts.manager)
    response = client.get("/t/alpha/projects/")
    body = response.content.decode()
    assert response.status_code == 200
    assert first.code in body and second.code in body and theirs.code not in body
    assert 'id="state-draft"' in body and 'id="state-submitted"' in body
    assert "/t/alpha/projects/new/" in body  # "File a project"
    # The employee of the team below sees none of them (not their unit, not on their team) …
    login(ts.employee)
    body = client.get("/t/alpha/projects/").content.decode()
    assert first.code not in body
    # … until they are on the team.
    with tenant_scope(ts.tenant):
        services.team_set(
            actor=ts.manager,
            project=first,
            rows=[
                services.TeamRow(ts.manager, "leader", Decimal(70)),
                services.TeamRow(ts.employee, "member", Decimal(30)),
            ],
        )
    assert first.code in client.get("/t/alpha/projects/").content.decode()


def test_my_projects_runs_the_same_queries_with_2_and_10_projects(world, login, client):
    ts = world
    login(ts.manager)
    counts = []
    for n in (2, 10):
        with tenant_scope(ts.tenant):
            while Project.objects.count() < n:
                make_project(ts, title=f"课题{Project.objects.count()}")
        client.get("/t/alpha/projects/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/t/alpha/projects/")
        assert response.content.decode().count("lean-project-card") == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- step 1: basics


def test_the_basics_offer_the_published_guides_directions(world, login, client):
    login(world.manager)
    body = client.get("/t/alpha/projects/new/").content.decode()
    assert "设备可靠性提升" in body
    assert 'data-step="basics"' in body and 'data-step="submit"' in body


def test_basics_create_a_draft_and_go_to_the_indicators(world, login, client):
    ts = world
    login(ts.manager)
    response = client.post("/t/alpha/projects/new/", basics(ts))
    with tenant_scope(ts.tenant):
        project = Project.objects.get()
        assert response.status_code == 302
        assert response.url == f"/t/alpha/projects/{project.pk}/indicators/"
        assert (project.state, project.tier, project.unit, project.year) == (State.DRAFT, Tier.HQ, ts.unit, 2025)
        assert project.direction == ts.extra["direction"]
        assert project.capability == "有专业检修队伍"
        assert list(project.team.values_list("member_id", "role", "share")) == [(ts.manager.pk, "leader", 100)]


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"problem": ""},
        {"unit": ""},
        {"year": 2031},  # not offered
        {"year": 2026},  # the direction belongs to the 2025 guide
        {"direction": 999999},
    ],
)
def test_bad_basics_are_refused_and_nothing_is_stored(world, login, client, changes):
    ts = world
    login(ts.manager)
    response = client.post("/t/alpha/projects/new/", basics(ts, **changes))
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    with tenant_scope(ts.tenant):
        assert not Project.objects.exists()


def test_a_unit_outside_ones_branch_is_not_offered(world, login, client):
    ts = world
    login(ts.manager)
    response = client.post("/t/alpha/projects/new/", basics(ts, unit=ts.extra["other_unit"].pk))
    assert response.status_code == 400
    with tenant_scope(ts.tenant):
        assert not Project.objects.exists()


def test_editing_the_basics_and_its_lock_after_submitting(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = make_project(ts, title="旧标题")
    login(ts.manager)
    edit = f"/t/alpha/projects/{project.pk}/edit/"
    assert "旧标题" in client.get(edit).content.decode()
    response = client.post(edit, basics(ts, title="新标题", year=2025))
    assert response.status_code == 302
    with tenant_scope(ts.tenant):
        project.refresh_from_db()
        assert project.title == "新标题"
        services.project_transition(actor=ts.manager, project=project, action="submit")
    response = client.post(edit, basics(ts, title="再改"))
    assert response.status_code == 302 and response.url == f"/t/alpha/projects/{project.pk}/"
    with tenant_scope(ts.tenant):
        project.refresh_from_db()
        assert project.title == "新标题"
    login(ts.employee)  # not on the team, not the unit: the project is not found
    assert client.get(edit).status_code == 404


def test_the_steps_show_similar_proposals_of_other_units(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        theirs = services.project_create(
            actor=ts.extra["other_manager"],
            title="降低二分公司设备非计划停运次数",
            unit=ts.extra["other_unit"],
            problem="设备可用率连续低于目标",
            year=2025,
        )
        Project.objects.filter(pk=theirs.pk).update(state=State.SUBMITTED)
        unrelated = services.project_create(
            actor=ts.extra["other_manager"],
            title="食堂满意度调查",
            unit=ts.extra["other_unit"],
            problem="员工对午餐不满意",
            year=2025,
        )
        Project.objects.filter(pk=unrelated.pk).update(state=State.SUBMITTED)
    login(ts.manager)
    response = client.post("/t/alpha/projects/new/", basics(ts), follow=True)
    body = response.content.decode()
    assert 'id="similar-proposals"' in body
    assert theirs.code in body and "二分公司" in body
    assert unrelated.code not in body


# ---------------------------------------------------------------- step 2: indicators and shortfalls


def ind_post(rows, shortfalls=()):
    data = {"ind-TOTAL_FORMS": len(rows), "ind-INITIAL_FORMS": 0, "shortfalls": [s.pk for s in shortfalls]}
    for i, (indicator, baseline, goal) in enumerate(rows):
        data.update({f"ind-{i}-indicator": indicator.pk, f"ind-{i}-baseline": baseline, f"ind-{i}-goal": goal})
    return data


def test_the_indicators_step_offers_the_units_shortfalls_first(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = draft(ts)
        shortfall = Shortfall.objects.get(indicator=ts.extra["uptime"])
    login(ts.manager)
    body = client.get(f"/t/alpha/projects/{project.pk}/indicators/").content.decode()
    # the uptime shortfall is offered (ticked) and its indicator pre-filled with actual → target
    assert f'name="shortfalls" value="{shortfall.pk}" checked' in body
    assert f'<option value="{ts.extra["uptime"].pk}" selected>' in body
    assert "单位成本" in body  # every indicator of the year's tree can be chosen


def test_indicators_are_saved_and_the_team_is_next(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = draft(ts)
        shortfall = Shortfall.objects.get(indicator=ts.extra["uptime"])
    login(ts.manager)
    rows = [(ts.extra["uptime"], "90", "95"), (ts.extra["cost"], "80", "70")]
    response = client.post(f"/t/alpha/projects/{project.pk}/indicators/", ind_post(rows, [shortfall]))
    assert response.status_code == 302 and response.url == f"/t/alpha/projects/{project.pk}/team/"
    with tenant_scope(ts.tenant):
        links = {
            link.indicator_id: (link.baseline, link.goal) for link in ProjectIndicator.objects.filter(project=project)
        }
        assert links == {ts.extra["uptime"].pk: (90, 95), ts.extra["cost"].pk: (80, 70)}
        assert list(ProjectShortfall.objects.filter(project=project).values_list("shortfall_id", flat=True)) == [
            shortfall.pk
        ]


@pytest.mark.parametrize(
    "rows",
    [
        [("uptime", "90", "90")],  # the goal equals the baseline (the service refuses)
        [("uptime", "90", "95"), ("uptime", "91", "96")],  # twice
        [("uptime", "abc", "95")],  # not a number
    ],
)
def test_bad_indicators_are_refused_and_nothing_is_stored(world, login, client, rows):
    ts = world
    with tenant_scope(ts.tenant):
        project = draft(ts)
        shortfall = Shortfall.objects.get(indicator=ts.extra["uptime"])
    login(ts.manager)
    rows = [(ts.extra[name], baseline, goal) for name, baseline, goal in rows]
    response = client.post(f"/t/alpha/projects/{project.pk}/indicators/", ind_post(rows, [shortfall]))
    assert response.status_code == 400
    with tenant_scope(ts.tenant):
        assert not ProjectIndicator.objects.filter(project=project).exists()
        assert not ProjectShortfall.objects.filter(project=project).exists()


# ---------------------------------------------------------------- step 3: the team


def team_post(rows):
    data = {"team-TOTAL_FORMS": len(rows), "team-INITIAL_FORMS": 0}
    for i, (number, role, share) in enumerate(rows):
        data.update({f"team-{i}-number": number, f"team-{i}-role": role, f"team-{i}-share": share})
    return data


def test_the_team_is_saved_and_the_plan_is_next(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = draft(ts)
    login(ts.manager)
    page = client.get(f"/t/alpha/projects/{project.pk}/team/").content.decode()
    assert ts.manager.employee_number in page  # the filer leads with 100% until the team is set
    rows = [(ts.manager.employee_number, "leader", "60"), (ts.employee.employee_number, "member", "40")]
    response = client.post(f"/t/alpha/projects/{project.pk}/team/", team_post(rows))
    assert response.status_code == 302 and response.url == f"/t/alpha/projects/{project.pk}/plan/"
    with tenant_scope(ts.tenant):
        team = set(TeamMember.objects.filter(project=project).values_list("member_id", "role", "share"))
        assert team == {(ts.manager.pk, "leader", 60), (ts.employee.pk, "member", 40)}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("{manager}", "leader", "60"), ("{employee}", "member", "30")], "90"),  # shares add to 90%
        ([("{manager}", "leader", "60"), ("{employee}", "leader", "40")], ""),  # two leaders
        ([("{manager}", "leader", "60"), ("NOBODY", "member", "40")], ""),  # unknown number
        ([("{manager}", "leader", "60"), ("{manager}", "member", "40")], ""),  # twice
        ([("{manager}", "leader", "0"), ("{employee}", "member", "100")], ""),  # a share of 0
    ],
)
def test_a_bad_team_is_refused_and_nothing_is_stored(world, login, client, rows, message):
    ts = world
    with tenant_scope(ts.tenant):
        project = draft(ts)
    login(ts.manager)
    numbers = {"manager": ts.manager.employee_number, "employee": ts.employee.employee_number}
    rows = [(number.format(**numbers), role, share) for number, role, share in rows]
    response = client.post(f"/t/alpha/projects/{project.pk}/team/", team_post(rows))
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_scope(ts.tenant):
        team = list(TeamMember.objects.filter(project=project).values_list("member_id", "role", "share"))
        assert team == [(ts.manager.pk, "leader", 100)]


def test_people_are_found_by_number_or_name(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = draft(ts)
    login(ts.manager)
    response = client.get(
        f"/t/alpha/projects/{project.pk}/team/", {"q": ts.employee.employee_number}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'data-number="{ts.employee.employee_number}"' in body
    assert "HX-Request" in response["Vary"]
    name = ts.reviewer.user.full_name
    body = client.get(f"/t/alpha/projects/{project.pk}/team/", {"q": name}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-number="{ts.reviewer.employee_number}"' in body


# ---------------------------------------------------------------- step 4: the plan


PLAN = {
    "planned_start": "2025-03-01",
    "planned_end": "2025-11-30",
    "pdca_plan": "分析停机原因",
    "pdca_do": "实施预防性维护",
    "pdca_check": "按月跟踪可用率",
    "pdca_act": "固化点检标准",
    "estimated_benefit": "120000",
    "estimated_hours": "300",
    "estimated_quality": "故障率下降",
}


def test_the_plan_is_saved_and_leads_to_the_project_page(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = draft(ts)
    login(ts.manager)
    response = client.post(f"/t/alpha/projects/{project.pk}/plan/", PLAN)
    assert response.status_code == 302 and response.url == f"/t/alpha/projects/{project.pk}/#actions"
    with tenant_scope(ts.tenant):
        project.refresh_from_db()
        assert (project.planned_start, project.planned_end) == (date(2025, 3, 1), date(2025, 11, 30))
        assert project.pdca_do == "实施预防性维护" and project.estimated_benefit == 120000


@pytest.mark.parametrize(
    "changes",
    [
        {"planned_end": "2025-02-01"},  # before the start
        {"planned_start": ""},
        {"estimated_benefit": "-5"},
        {"planned_end": "2025-13-45"},
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_stored(world, login, client, changes):
    ts = world
    with tenant_scope(ts.tenant):
        project = draft(ts)
    login(ts.manager)
    response = client.post(f"/t/alpha/projects/{project.pk}/plan/", {**PLAN, **changes})
    assert response.status_code == 400
    with tenant_scope(ts.tenant):
        project.refresh_from_db()
        assert project.planned_start is None and project.pdca_plan == ""


def test_the_step_bar_marks_what_is_complete(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = make_project(ts)  # complete basics, an indicator, dates; the filer alone in the team
    login(ts.manager)
    body = client.get(f"/t/alpha/projects/{project.pk}/plan/").content.decode()
    for step in ("basics", "indicators", "team", "plan"):
        assert f'is-complete" data-step="{step}"' in body, step
    assert 'is-current is-complete" data-step="plan"' in body
    assert 'is-complete" data-step="submit"' not in body


def test_only_the_applicant_files(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = make_project(ts)
        services.team_set(
            actor=ts.manager,
            project=project,
            rows=[
                services.TeamRow(ts.manager, "leader", Decimal(60)),
                services.TeamRow(ts.employee, "member", Decimal(40)),
            ],
        )
    login(ts.employee)  # a team member sees the project but does not lead it
    for step in ("edit", "indicators", "team", "plan", "closing"):
        assert client.get(f"/t/alpha/projects/{project.pk}/{step}/").status_code == 403, step
    search = client.get(f"/t/alpha/projects/{project.pk}/team/", {"q": "ALPHA"}, HTTP_HX_REQUEST="true")
    assert search.status_code == 403
    login(ts.extra["other_manager"])
    assert client.get(f"/t/alpha/projects/{project.pk}/plan/").status_code == 404


# ---------------------------------------------------------------- closing data


def test_the_closing_data_once_the_midterm_is_passed(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = make_project(ts, tier=Tier.UNIT)
        # the manager filed it, so the lean office approves it (issue 14: nobody judges their own proposal)
        for action, actor in (("submit", ts.manager), ("approve", ts.lean_office), ("start", ts.manager)):
            project = services.project_transition(actor=actor, project=project, action=action)
        link = ProjectIndicator.objects.get(project=project)
    login(ts.manager)
    closing = f"/t/alpha/projects/{project.pk}/closing/"
    assert client.get(closing).status_code == 302  # the midterm review is not passed yet
    with tenant_scope(ts.tenant):
        Project.objects.filter(pk=project.pk).update(midterm_passed=True)
    data = {
        f"achieved_{link.pk}": "96.5",
        "verified_benefit": "88000",
        "verified_hours": "250",
        "verified_quality": "故障率下降30%",
        "case_summary": "通过预防性维护提升设备可用率",
    }
    assert client.post(closing, {**data, "case_summary": ""}).status_code == 400
    response = client.post(closing, data)
    assert response.status_code == 302
    with tenant_scope(ts.tenant):
        project.refresh_from_db()
        assert project.verified_benefit == 88000 and project.case_summary.startswith("通过")
        assert ProjectIndicator.objects.get(project=project).achieved == Decimal("96.5")
