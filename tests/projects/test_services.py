"""Project services: review scoring and decisions, merging proposals, similarity of Chinese proposals, team
shares, attachments, closing."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from lean.errors import ApplicationError
from lean.models import Notification, Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import services, similarity
from projects.models import Project, ProjectUnit, Review, State
from projects.signals import project_closed
from tests.factories import make_member
from tests.projects.factories import PDF, make_project, make_projects, panel, sign_off
from tests.targets.factories import make_targets


@pytest.fixture
def a(tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        make_projects(tenant_a)
    return tenant_a


def criteria_ids(a):
    return {c.code: c.pk for c in a.extra["criteria"]}


def test_weighted_score_and_suggested_result():
    weights = {1: D(30), 2: D(30), 3: D(40)}
    assert services.weighted({1: D(90), 2: D(70), 3: D(80)}, weights) == D("80.00")
    assert services.weighted({1: D(100), 2: D(0), 3: D(50)}, weights) == D("50.00")
    assert [services.suggested_result(D(s)) for s in ("80", "79.99", "60", "59.99")] == [
        "pass",
        "conditional",
        "conditional",
        "fail",
    ]


def test_panel_score_is_the_mean_of_the_reviewers(a):
    review, ids = a.extra["review"], criteria_ids(a)
    second = a.extra["reviewer2"]
    with tenant_scope(a.tenant):
        scores = {ids["coverage"]: D(70), ids["innovation"]: D(60), ids["contribution"]: D(65)}  # 65.00
        services.review_submit_scores(actor=second, review=review, scores=scores)
        review.refresh_from_db()
        assert review.score == D("75.00") and review.suggested == Review.Result.CONDITIONAL  # (85 + 65) / 2


def test_only_panel_members_score_every_criterion_in_range(a):
    review, ids = a.extra["review"], criteria_ids(a)
    with tenant_scope(a.tenant):
        with pytest.raises(PermissionDenied):
            services.review_submit_scores(actor=a.lean_office, review=review, scores={})
        with pytest.raises(ApplicationError) as error:
            services.review_submit_scores(actor=a.reviewer, review=review, scores={ids["coverage"]: D(101)})
        assert set(error.value.field_errors) == {"coverage", "innovation", "contribution"}


def test_the_chair_decides_after_every_score_and_a_different_decision_needs_a_reason(a):
    review, ids = a.extra["review"], criteria_ids(a)
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            services.review_decide(actor=a.reviewer, review=review, result="pass")
        assert error.value.code == "scores_pending"
        services.review_submit_scores(
            actor=a.extra["reviewer2"], review=review, scores={pk: D(85) for pk in ids.values()}
        )
        with pytest.raises(PermissionDenied):
            services.review_decide(actor=a.extra["reviewer2"], review=review, result="pass")
        with pytest.raises(ApplicationError):
            services.review_decide(actor=a.reviewer, review=review, result="fail")  # against the scores, no reason
        services.review_decide(actor=a.reviewer, review=review, result="pass")
        project = Project.objects.get(pk=review.project_id)
        assert project.state == State.IN_PROGRESS and project.midterm_passed
        with pytest.raises(ApplicationError):
            services.review_decide(actor=a.reviewer, review=review, result="pass")


def test_a_failed_midterm_sends_the_project_back_to_work_for_a_second_round(a):
    review, ids = a.extra["review"], criteria_ids(a)
    with tenant_scope(a.tenant):
        services.review_submit_scores(
            actor=a.extra["reviewer2"], review=review, scores={pk: D(85) for pk in ids.values()}
        )
        services.review_decide(actor=a.reviewer, review=review, result="fail", conditions="数据不足，补充后再审")
        project = Project.objects.get(pk=review.project_id)
        assert project.state == State.IN_PROGRESS and not project.midterm_passed
        services.project_transition(actor=a.manager, project=project, action="request_midterm")
        assert project.reviews.filter(kind="midterm").values_list("round", flat=True).order_by("round")[1] == 2


def test_closing_writes_the_case_and_calls_innovation_once(a, django_capture_on_commit_callbacks):
    review, ids = a.extra["review"], criteria_ids(a)
    received = []
    project_closed.connect(lambda sender, project, **kw: received.append(project.pk), weak=False, dispatch_uid="t")
    try:
        with tenant_scope(a.tenant), django_capture_on_commit_callbacks(execute=True):
            services.review_submit_scores(
                actor=a.extra["reviewer2"], review=review, scores={pk: D(90) for pk in ids.values()}
            )
            services.review_decide(actor=a.reviewer, review=review, result="pass")
            project = Project.objects.get(pk=review.project_id)
            with pytest.raises(ApplicationError) as error:  # closing data first
                services.project_transition(actor=a.manager, project=project, action="request_closing")
            assert error.value.code == "closing_data"
            services.project_update(actor=a.manager, project=project, case_summary="点检定修经验")
            services.project_update(actor=a.manager, project=project, verified_benefit=D(1200000))
            project.indicator_links.update(achieved=D("95.5"))
            services.project_transition(actor=a.manager, project=project, action="request_closing")
            closing = project.reviews.get(kind="closing")
            services.review_setup(actor=a.lean_office, review=closing, reviewers=panel(a), chair=a.reviewer)
            for reviewer in panel(a):
                services.review_submit_scores(actor=reviewer, review=closing, scores={pk: D(92) for pk in ids.values()})
            sign_off(a, project)
            services.review_decide(actor=a.reviewer, review=closing, result="pass", excellent=True, complexity="high")
            project.refresh_from_db()
            assert project.state == State.CLOSED and project.excellent
    finally:
        project_closed.disconnect(dispatch_uid="t")
    assert received == [project.pk]


def test_merging_keeps_every_unit_as_participant(a):
    with tenant_scope(a.tenant):
        other = unit_create(name="二分公司", code="U2", parent=a.hq)
        manager2 = make_member(other, [Role.UNIT_MANAGER], number="UM-2")
        host = make_project(a, title="设备可靠性整合研究")
        services.project_transition(actor=a.manager, project=host, action="submit")
        proposal = services.project_create(
            actor=manager2, title="提高二分公司设备可用率", unit=other, problem="停机多", year=2025, tier="hq"
        )
        Project.objects.filter(pk=proposal.pk).update(state=State.SUBMITTED)
        services.project_transition(actor=a.lean_office, project=proposal, action="merge", into=host)
        proposal.refresh_from_db()
        assert proposal.state == State.MERGED and proposal.merged_into == host
        assert set(ProjectUnit.objects.filter(project=host).values_list("unit__code", flat=True)) == {"U1", "U2"}
        assert Notification.objects.filter(recipient=manager2).exists()


def test_similarity_finds_a_reworded_chinese_proposal_and_not_an_unrelated_one(a):
    with tenant_scope(a.tenant):
        other = unit_create(name="二分公司", code="U2", parent=a.hq)
        manager2 = make_member(other, [Role.UNIT_MANAGER], number="UM-2")
        mine = services.project_create(
            actor=a.manager,
            title="降低锅炉给水泵非计划停运次数",
            unit=a.unit,
            problem="给水泵密封泄漏频繁导致非计划停运",
            year=2025,
        )
        reworded = services.project_create(
            actor=manager2,
            title="减少给水泵非计划停运",
            unit=other,
            problem="给水泵机械密封泄漏，停运次数多",
            year=2025,
        )
        unrelated = services.project_create(
            actor=manager2, title="营业厅客户满意度提升", unit=other, problem="客户排队时间长，投诉多", year=2025
        )
        Project.objects.filter(pk__in=[reworded.pk, unrelated.pk]).update(state=State.SUBMITTED)
        found = dict(similarity.similar_ids(project=mine, states=[State.SUBMITTED]))
    assert reworded.pk in found and unrelated.pk not in found
    assert found[reworded.pk] >= similarity.THRESHOLD


def test_bigrams_of_chinese_text():
    assert similarity.tokens("给水泵") == ["水泵", "给水"]
    assert "ab" not in similarity.tokens("a b")
    assert similarity.tokens("OEE 提升 85%") == ["85", "oee"]  # 提升 is a stop bigram


def test_team_shares_must_add_up_to_100_with_one_leader(a):
    project = a.extra["project"]
    rows = services.TeamRow
    with tenant_scope(a.tenant):
        for bad in (
            [rows(a.manager, "leader", D(60)), rows(a.employee, "member", D(30))],
            [rows(a.manager, "member", D(60)), rows(a.employee, "member", D(40))],
            [rows(a.manager, "leader", D(60)), rows(a.manager, "member", D(40))],
            [rows(a.manager, "leader", D(100)), rows(a.employee, "member", D(0))],
        ):
            with pytest.raises(ApplicationError):
                services.team_set(actor=a.manager, project=project, rows=bad)
        assert project.team.count() == 2
        services.team_set(
            actor=a.manager,
            project=project,
            rows=[rows(a.manager, "leader", D("33.34")), rows(a.employee, "member", D("66.66"))],
        )


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("a.exe", b"MZ...", "file_type"),
        ("fake.pdf", b"\x89PNG....", "file_type"),
        ("empty.pdf", b"", "file_empty"),
        ("notes.txt", b"\x00\x01binary", "file_type"),
    ],
)
def test_attachments_are_checked(a, name, content, code):
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            services.attachment_add(
                actor=a.manager, project=a.extra["project"], upload=SimpleUploadedFile(name, content)
            )
        assert error.value.code == code


def test_attachment_size_limit(a, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENT", 10)
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            services.attachment_add(
                actor=a.manager, project=a.extra["project"], upload=SimpleUploadedFile("big.pdf", PDF + b"x" * 20)
            )
        assert error.value.code == "file_size"
        with pytest.raises(PermissionDenied):  # not on the team nor in charge
            services.attachment_add(
                actor=a.reviewer, project=a.extra["project"], upload=SimpleUploadedFile("a.pdf", PDF)
            )


def test_the_proposal_is_locked_after_submission_but_the_work_is_not(a):
    project = a.extra["project"]  # at its midterm review
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError):
            services.project_update(actor=a.manager, project=project, title="改个名字")
        services.project_update(actor=a.manager, project=project, pdca_do="更换密封件")
        with pytest.raises(PermissionDenied):
            services.project_update(actor=a.employee, project=project, pdca_do="x")  # a member, not the leader


def test_a_shortfall_attacked_by_a_project_is_covered(a):
    from targets.selectors import shortfall_list

    with tenant_scope(a.tenant):
        covered = a.extra["project"].shortfalls.get()
        uncovered = set(shortfall_list(uncovered=True).values_list("pk", flat=True))
        assert covered.pk not in uncovered
        assert covered.pk in set(shortfall_list().values_list("pk", flat=True))


def test_a_rejected_project_no_longer_covers_its_shortfall(a):
    from targets.selectors import shortfall_list

    with tenant_scope(a.tenant):
        project = a.extra["project"]
        covered = project.shortfalls.get()
        Project.objects.filter(pk=project.pk).update(state=State.REJECTED)
        assert covered.pk in set(shortfall_list(uncovered=True).values_list("pk", flat=True))


def test_directions_and_indicators_belong_to_the_projects_year(a):
    from projects import guides
    from targets import services as target_services

    with tenant_scope(a.tenant):
        other_year, _direction = guides.guide_create(actor=a.lean_office, year=2026), None
        later = guides.direction_save(
            actor=a.lean_office, guide=other_year, code="X1", title="明年", description="明年"
        )
        with pytest.raises(ApplicationError):
            services.project_create(
                actor=a.manager, title="错年", unit=a.unit, problem="问题", year=2025, direction=later
            )
        copy = target_services.tree_copy(source=a.extra["tree"], year=2026)
        indicator = copy.nodes.get(code="A1.1").indicator
        with pytest.raises(ApplicationError):
            services.indicators_set(
                actor=a.manager,
                project=a.extra["project"],
                rows=[services.IndicatorRow(indicator, baseline=D(1), goal=D(2))],
            )
