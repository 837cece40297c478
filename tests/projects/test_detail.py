"""The project page: who sees which project, the buttons per role and state, transitions through the page,
notes, attachments (limits, download only to those who may see the project), and bounded queries."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lean.models import Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import selectors, services
from projects.models import Attachment, ProgressNote, Project, State, TeamMember, Tier, Transition
from projects.services import MAX_ATTACHMENT
from tests.factories import make_member
from tests.projects.factories import PDF, make_project
from tests.targets.factories import make_targets


@pytest.fixture
def world(tenant_a):
    """tenant_a's targets, a second unit with its manager and employee, and projects in several states."""
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_targets(ts)
        other = unit_create(name="二分公司", code="U2", parent=ts.hq)
        ts.extra["other_unit"] = other
        ts.extra["other_manager"] = make_member(other, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="U2-UM")
        ts.extra["other_employee"] = make_member(other, [Role.EMPLOYEE], number="U2-EM")
        ts.extra["team_employee"] = make_member(ts.team, [Role.EMPLOYEE], number="T1-EM2")
    return ts


def _project(ts, state=State.DRAFT, tier=Tier.HQ, title="降低一分公司设备非计划停运", **extra):
    """A complete project of ts.unit (team: manager 60, employee 40) moved to `state` through the services."""
    project = make_project(ts, tier=tier, title=title, **extra)
    services.team_set(
        actor=ts.manager,
        project=project,
        rows=[
            services.TeamRow(ts.manager, "leader", Decimal(60)),
            services.TeamRow(ts.employee, "member", Decimal(40)),
        ],
    )
    # The manager filed it: a unit-tier proposal of theirs goes up to the lean office too (issue 14).
    approver = ts.lean_office
    path = {
        State.DRAFT: [],
        State.SUBMITTED: [("submit", ts.manager)],
        State.APPROVED: [("submit", ts.manager), ("approve", approver)],
        State.IN_PROGRESS: [("submit", ts.manager), ("approve", approver), ("start", ts.manager)],
    }.get(state, [])
    for action, actor in path:
        project = services.project_transition(actor=actor, project=project, action=action)
    if state in (State.CLOSED, State.FILED):  # the reviews' way there is tested elsewhere
        Project.objects.filter(pk=project.pk).update(state=state, midterm_passed=True)
        project.refresh_from_db()
    return project


def url(project, suffix=""):
    return f"/t/{project.tenant.slug}/projects/{project.pk}/{suffix}"


# ---------------------------------------------------------------- who sees what


def test_visible_projects_per_role(world):
    ts = world
    with tenant_scope(ts.tenant):
        mine = _project(ts, State.SUBMITTED)
        theirs = services.project_create(
            actor=ts.extra["other_manager"],
            title="二分公司课题",
            unit=ts.extra["other_unit"],
            problem="问题",
            year=2025,
        )
        team_only = services.project_create(
            actor=ts.extra["other_manager"], title="跨单位课题", unit=ts.extra["other_unit"], problem="问题", year=2025
        )
        services.team_set(
            actor=ts.extra["other_manager"],
            project=team_only,
            rows=[
                services.TeamRow(ts.extra["other_manager"], "leader", Decimal(50)),
                services.TeamRow(ts.extra["team_employee"], "member", Decimal(50)),
            ],
        )
        case = services.project_create(
            actor=ts.extra["other_manager"], title="优秀案例", unit=ts.extra["other_unit"], problem="问题", year=2025
        )
        Project.objects.filter(pk=case.pk).update(state=State.CLOSED, excellent=True)

        def seen(member):
            return set(selectors.visible_projects(member).values_list("pk", flat=True))

        everything = {mine.pk, theirs.pk, team_only.pk, case.pk}
        assert seen(ts.lean_office) == everything
        assert seen(ts.manager) == {mine.pk, case.pk}  # own unit's subtree + the case library
        assert seen(ts.extra["other_manager"]) == {theirs.pk, team_only.pk, case.pk}
        assert seen(ts.employee) == {mine.pk, case.pk}  # on mine's team
        assert seen(ts.extra["team_employee"]) == {team_only.pk, case.pk}  # on its team only
        assert seen(ts.extra["other_employee"]) == {theirs.pk, team_only.pk, case.pk}  # their unit's
        assert seen(ts.reviewer) == {case.pk}  # nothing assigned yet
        # the reviewer sees a project once one of its reviews is assigned to them
        project = services.project_transition(actor=ts.lean_office, project=mine, action="approve")
        project = services.project_transition(actor=ts.manager, project=project, action="start")
        project = services.project_transition(actor=ts.manager, project=project, action="request_midterm")
        services.review_setup(
            actor=ts.lean_office, review=project.reviews.get(), reviewers=[ts.reviewer], chair=ts.reviewer
        )
        assert seen(ts.reviewer) == {mine.pk, case.pk}
        ts.extra["other_employee"].active = False
        assert seen(ts.extra["other_employee"]) == set()


def test_a_project_nobody_may_see_is_not_found(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = _project(ts)
    login(ts.extra["other_employee"])
    assert client.get(url(project)).status_code == 404
    login(ts.reviewer)
    assert client.get(url(project)).status_code == 404
    login(ts.employee)
    assert client.get(url(project)).status_code == 200


def test_another_tenants_project_is_not_found(two_tenants, login, client):
    a, b = two_tenants
    login(a.lean_office)
    theirs = b.extra["project"]
    assert client.get(f"/t/alpha/projects/{theirs.pk}/").status_code == 404
    with tenant_scope(b.tenant):
        attachment = Attachment.objects.get(project=theirs)
    assert client.get(f"/t/alpha/projects/attachments/{attachment.pk}/").status_code == 404
    response = client.post(f"/t/alpha/projects/{theirs.pk}/transition/", {"action": "submit"})
    assert response.status_code == 404


# ---------------------------------------------------------------- the page and its buttons


def test_the_page_shows_the_project(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = _project(ts, State.SUBMITTED)
        services.note_add(actor=ts.manager, project=project, text="完成设备点检台账梳理")
    login(ts.manager)
    body = client.get(url(project)).content.decode()
    for text in [
        project.code,
        "降低一分公司设备非计划停运",
        "设备可用率连续三个月低于目标",  # problem
        "已建立点检制度",  # assessment
        "设备可用率",  # indicator
        "60%",  # team share
        "完成设备点检台账梳理",  # note
        "/t/alpha/targets/shortfalls/",  # a shortfall it attacks, linked
        'id="timeline"',
    ]:
        assert text in body, text


BUTTONS = [
    "submit",
    "approve",
    "return",
    "reject",
    "merge",
    "start",
    "request_midterm",
    "file",
    "acknowledge_filing",
    "return_filing",
]
# (tier, state, role) → the buttons shown. The unit manager filed these projects, so their unit-tier proposal goes
# up to the lean office (issue 14: whoever filed a project never approves it).
CASES = [
    (Tier.HQ, State.DRAFT, "manager", {"submit"}),
    (Tier.HQ, State.DRAFT, "lean_office", set()),
    (Tier.HQ, State.DRAFT, "employee", set()),
    (Tier.HQ, State.SUBMITTED, "lean_office", {"approve", "return", "reject", "merge"}),
    (Tier.HQ, State.SUBMITTED, "manager", set()),
    (Tier.UNIT, State.SUBMITTED, "manager", set()),
    (Tier.UNIT, State.SUBMITTED, "lean_office", {"approve", "return", "reject", "merge"}),
    (Tier.UNIT, State.CLOSED, "manager", {"file"}),
    (Tier.UNIT, State.FILED, "lean_office", {"acknowledge_filing", "return_filing"}),
    (Tier.UNIT, State.FILED, "manager", set()),
    (Tier.HQ, State.APPROVED, "manager", {"start"}),
    (Tier.HQ, State.APPROVED, "lean_office", set()),
    (Tier.HQ, State.IN_PROGRESS, "manager", {"request_midterm"}),
    (Tier.HQ, State.IN_PROGRESS, "employee", set()),
]


@pytest.mark.parametrize(("tier", "state", "role", "expected"), CASES)
def test_buttons_per_role_and_state(world, login, client, tier, state, role, expected):
    ts = world
    with tenant_scope(ts.tenant):
        project = _project(ts, state, tier=tier)
    login(getattr(ts, role))
    body = client.get(url(project)).content.decode()
    shown = {name for name in BUTTONS if f'data-action="{name}"' in body}
    assert shown == expected


def test_the_approver_sees_the_assessment_and_similar_proposals_of_other_units(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = _project(ts, State.SUBMITTED)
        other = services.project_create(
            actor=ts.extra["other_manager"],
            title="降低二分公司设备非计划停运",
            unit=ts.extra["other_unit"],
            problem="设备可用率连续低于目标",
            tier=Tier.HQ,
            year=2025,
        )
        Project.objects.filter(pk=other.pk).update(state=State.SUBMITTED)
    login(ts.lean_office)
    body = client.get(url(project)).content.decode()
    assert 'id="approval"' in body and "有专业检修队伍" in body
    assert 'id="similar-proposals"' in body and other.code in body and "二分公司" in body
    assert f'name="into" value="{other.pk}"' in body  # "merge into this"
    login(ts.manager)  # not the approver of an HQ-tier project
    assert 'id="approval"' not in client.get(url(project)).content.decode()


# ---------------------------------------------------------------- transitions through the page


def test_submitting_an_incomplete_draft_says_what_is_missing(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = services.project_create(
            actor=ts.manager, title="未完成的课题", unit=ts.unit, problem="问题", year=2025
        )
    login(ts.manager)
    response = client.post(url(project, "transition/"), {"action": "submit"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "申报前，请补充" in body
    with tenant_scope(ts.tenant):
        project.refresh_from_db()
        assert project.state == State.DRAFT
        assert not Transition.objects.filter(project=project).exists()


def test_the_lean_office_approves_on_the_page(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = _project(ts, State.SUBMITTED)
    login(ts.lean_office)
    response = client.post(url(project, "transition/"), {"action": "approve"})
    assert response.status_code == 302 and response.url == url(project)
    with tenant_scope(ts.tenant):
        project.refresh_from_db()
        assert project.state == State.APPROVED
        last = Transition.objects.filter(project=project).last()
        assert (last.action, last.actor, last.from_state) == ("approve", ts.lean_office, State.SUBMITTED)
    body = client.get(url(project)).content.decode()
    assert "alert-success" in body


def test_a_wrong_role_is_refused_with_403_and_a_reason(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = _project(ts, State.SUBMITTED)
    login(ts.manager)  # the applicant, not the approver of an HQ-tier project
    response = client.post(url(project, "transition/"), {"action": "approve"})
    assert response.status_code == 403
    assert 'id="refusal"' in response.content.decode()
    with tenant_scope(ts.tenant):
        project.refresh_from_db()
        assert project.state == State.SUBMITTED


def test_a_wrong_state_and_a_missing_reason_are_messages(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = _project(ts, State.APPROVED)
    login(ts.lean_office)
    response = client.post(url(project, "transition/"), {"action": "approve"}, follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    with tenant_scope(ts.tenant):
        submitted = _project(ts, State.SUBMITTED, title="另一个课题")
    response = client.post(url(submitted, "transition/"), {"action": "return", "reason": " "}, follow=True)
    assert "alert-danger" in response.content.decode()
    with tenant_scope(ts.tenant):
        project.refresh_from_db()
        submitted.refresh_from_db()
        assert (project.state, submitted.state) == (State.APPROVED, State.SUBMITTED)
    response = client.post(url(submitted, "transition/"), {"action": "return", "reason": "请补充数据"})
    with tenant_scope(ts.tenant):
        submitted.refresh_from_db()
        assert submitted.state == State.RETURNED
        assert Transition.objects.filter(project=submitted).last().reason == "请补充数据"


def test_merge_through_the_page(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        target = _project(ts, State.SUBMITTED)
        proposal = services.project_create(
            actor=ts.extra["other_manager"],
            title="降低二分公司设备非计划停运",
            unit=ts.extra["other_unit"],
            problem="设备可用率连续低于目标",
            tier=Tier.HQ,
            year=2025,
        )
        Project.objects.filter(pk=proposal.pk).update(state=State.SUBMITTED)
    login(ts.lean_office)
    response = client.post(url(proposal, "transition/"), {"action": "merge", "into": target.pk})
    assert response.status_code == 302
    with tenant_scope(ts.tenant):
        proposal.refresh_from_db()
        assert proposal.state == State.MERGED and proposal.merged_into_id == target.pk
        assert ts.extra["other_unit"].pk in set(target.unit_links.values_list("unit_id", flat=True))
    body = client.get(url(target)).content.decode()
    assert proposal.code in body  # "integrates"


# ---------------------------------------------------------------- notes and attachments


def test_notes(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = _project(ts, State.IN_PROGRESS)
    login(ts.employee)  # on the team
    assert client.post(url(project, "notes/"), {"text": "本周完成试点"}).status_code == 302
    response = client.post(url(project, "notes/"), {"text": "   "})
    assert response.status_code == 400
    login(ts.extra["other_manager"])
    assert client.post(url(project, "notes/"), {"text": "外人"}).status_code == 404
    with tenant_scope(ts.tenant):
        assert list(ProgressNote.objects.filter(project=project).values_list("text", flat=True)) == ["本周完成试点"]


def test_attachments_upload_limits_and_download(world, login, client):
    ts = world
    with tenant_scope(ts.tenant):
        project = _project(ts, State.IN_PROGRESS)
    login(ts.manager)
    ok = SimpleUploadedFile("改善方案.pdf", PDF, content_type="application/pdf")
    assert client.post(url(project, "attachments/"), {"file": ok}).status_code == 302

    too_big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_ATTACHMENT, content_type="application/pdf")
    response = client.post(url(project, "attachments/"), {"file": too_big})
    assert response.status_code == 400 and "10 MB" in response.content.decode()

    disguised = SimpleUploadedFile("fake.pdf", b"\x89PNG\r\n\x1a\n....", content_type="application/pdf")
    response = client.post(url(project, "attachments/"), {"file": disguised})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()

    script = SimpleUploadedFile("run.exe", b"MZ....", content_type="application/octet-stream")
    assert client.post(url(project, "attachments/"), {"file": script}).status_code == 400

    with tenant_scope(ts.tenant):
        attachment = Attachment.objects.get(project=project)
        assert attachment.name == "改善方案.pdf" and attachment.size == len(PDF)
    download = f"/t/alpha/projects/attachments/{attachment.pk}/"

    body = client.get(url(project)).content.decode()
    assert download in body and "改善方案.pdf" in body

    login(ts.employee)  # on the team
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''%E6%94%B9%E5%96%84%E6%96%B9%E6%A1%88.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF

    for outsider in (ts.extra["other_employee"], ts.extra["other_manager"], ts.reviewer):
        login(outsider)
        assert client.get(download).status_code == 404
        assert client.post(url(project, "attachments/"), {"file": ok}).status_code == 404


# ---------------------------------------------------------------- bounded queries


def _grow(ts, project, n):
    """n team members, n transitions, n notes and n attachments on `project`."""
    people = [make_member(ts.unit, [Role.EMPLOYEE], number=f"{project.code}-{i}") for i in range(n - 1)]
    share = Decimal(100) / n
    rows = [services.TeamRow(ts.manager, "leader", Decimal(100) - share * (n - 1))]
    rows += [services.TeamRow(p, "member", share) for p in people]
    services.team_set(actor=ts.manager, project=project, rows=rows)
    Transition.objects.bulk_create(
        [
            Transition(
                tenant=ts.tenant,
                project=project,
                action="submit" if i % 2 == 0 else "return",
                from_state=State.DRAFT if i % 2 == 0 else State.SUBMITTED,
                to_state=State.SUBMITTED if i % 2 == 0 else State.RETURNED,
                actor=ts.manager if i % 2 == 0 else ts.lean_office,
                reason=f"理由{i}",
            )
            for i in range(n)
        ]
    )
    for i in range(n):
        services.note_add(actor=ts.manager, project=project, text=f"记录{i}")
    for i in range(n):
        services.attachment_add(
            actor=ts.manager, project=project, upload=SimpleUploadedFile(f"f{i}.pdf", PDF, "application/pdf")
        )
    assert TeamMember.objects.filter(project=project).count() == n


def test_the_page_runs_the_same_queries_with_2_and_20_rows(two_tenants, login, client):
    ts, _b = two_tenants
    with tenant_scope(ts.tenant):
        small = _project(ts, State.DRAFT, title="小课题")
        large = _project(ts, State.DRAFT, title="大课题")
        _grow(ts, small, 2)
        _grow(ts, large, 20)
    counts = {}
    for member in (ts.lean_office, ts.manager):
        login(member)
        for name, project in (("small", small), ("large", large)):
            client.get(url(project))  # warm the session
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url(project))
            assert response.status_code == 200
            counts[(member.employee_number, name)] = len(queries)
        assert counts[(member.employee_number, "small")] == counts[(member.employee_number, "large")], counts
    body = response.content.decode()
    assert body.count("lean-note") == 20 and body.count("lean-transition") == 20
