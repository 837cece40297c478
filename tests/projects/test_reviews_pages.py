"""The review pages (queue, panel, scores, decision), the criteria page and the case library."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lean.models import Role
from lean.tenancy import tenant_scope
from projects import services
from projects.models import (
    Criterion,
    Project,
    ProjectIndicator,
    Review,
    ReviewAssignment,
    Score,
    State,
    TeamMember,
    Tier,
)
from tests.factories import make_member
from tests.targets.factories import make_targets

from .factories import make_project, make_projects, panel, sign_off


def to_midterm(ts, **extra):
    """A second HQ project taken to its midterm review, without a panel yet."""
    project = make_project(ts, **extra)
    for action, actor in [
        ("submit", ts.manager),
        ("approve", ts.lean_office),
        ("start", ts.manager),
        ("request_midterm", ts.manager),
    ]:
        project = services.project_transition(actor=actor, project=project, action=action)
    return project, project.reviews.get()


@pytest.fixture
def data(tenant_a):
    """make_projects' midterm review (panel: reviewer (chair) who scored, reviewer2 who has not), and a second
    project's midterm review waiting for a panel."""
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        make_projects(tenant_a)
        panel(tenant_a)
        x = tenant_a.extra
        x["project2"], x["review2"] = to_midterm(tenant_a, title="压缩检修工期", problem="检修工期长于行业水平")
    return tenant_a


def url(review):
    return f"/t/alpha/projects/reviews/{review.pk}/"


def scores_post(criteria, value, comment="好"):
    return {"form": "scores", "comment": comment, **{f"c{c.pk}": str(value) for c in criteria}}


# ---------------------------------------------------------------- the queue and who sees what


def test_the_queue_by_role(client, data, login):
    x = data.extra
    login(data.reviewer)
    queue = client.get("/t/alpha/projects/reviews/").context["queue"]
    assert [a.review_id for a in queue.scored] == [x["review"].pk] and queue.to_score == []
    assert queue.needs_panel == [] and queue.with_panel == []
    login(x["reviewer2"])
    queue = client.get("/t/alpha/projects/reviews/").context["queue"]
    assert [a.review_id for a in queue.to_score] == [x["review"].pk]
    login(data.lean_office)
    response = client.get("/t/alpha/projects/reviews/")
    queue = response.context["queue"]
    assert [r.pk for r in queue.needs_panel] == [x["review2"].pk]
    assert [(r.pk, r.scored, r.panel_size) for r in queue.with_panel] == [(x["review"].pk, 1, 2)]
    assert x["project2"].code in response.content.decode()
    login(data.employee)
    assert client.get("/t/alpha/projects/reviews/").status_code == 403


def test_a_reviewer_sees_only_their_assigned_reviews(client, data, login):
    x = data.extra
    with tenant_scope(data.tenant):
        third = make_member(data.hq, [Role.REVIEWER], number="ALPHA-RV3")
        services.review_setup(actor=data.lean_office, review=x["review2"], reviewers=[third], chair=third)
    login(data.reviewer)
    assert client.get(url(x["review"])).status_code == 200
    assert client.get(url(x["review2"])).status_code == 404  # another reviewer's review: not found
    queue = client.get("/t/alpha/projects/reviews/").context["queue"]
    ids = {a.review_id for a in queue.to_score + queue.scored + queue.decided}
    assert ids == {x["review"].pk}
    for someone in (data.employee, data.manager):  # the applicant is no organiser of an HQ-tier review
        login(someone)
        assert client.get(url(x["review"])).status_code == 404
    login(third)
    assert client.get(url(x["review2"])).status_code == 200
    assert client.get(url(x["review"])).status_code == 404
    assert client.get("/t/alpha/projects/reviews/999999/").status_code == 404


def test_another_tenants_review_is_not_found(client, two_tenants, login):
    alpha, beta = two_tenants
    login(beta.lean_office)
    assert client.get(f"/t/beta/projects/reviews/{alpha.extra['review'].pk}/").status_code == 404
    assert client.get(f"/t/beta/projects/reviews/{beta.extra['review'].pk}/").status_code == 200


def test_the_page_shows_each_role_its_form(client, data, login):
    x = data.extra
    login(data.reviewer)  # on the panel and the chair
    response = client.get(url(x["review"]))
    body = response.content.decode()
    assert 'id="score-form"' in body and 'id="decision-form"' in body and 'id="score-sheet"' in body
    assert 'id="panel-form"' not in body
    assert x["project"].problem in body and "方案.pdf" in body and "设备可用率" in body
    assert response.context["score_form"].initial[f"c{x['criteria'][0].pk}"] == Decimal(85)
    login(x["reviewer2"])
    body = client.get(url(x["review"])).content.decode()
    assert 'id="score-form"' in body and 'id="decision-form"' not in body and 'id="score-sheet"' not in body
    login(data.lean_office)
    body = client.get(url(x["review"])).content.decode()
    assert 'id="panel-form"' in body and 'id="score-sheet"' in body
    assert 'id="score-form"' not in body and 'id="decision-form"' not in body


# ---------------------------------------------------------------- panel, scores, decision through the page


def test_the_organiser_sets_up_the_panel(client, data, login):
    x = data.extra
    review = x["review2"]
    login(data.lean_office)
    bad = {"form": "panel", "reviewers": [data.reviewer.pk], "chair": x["reviewer2"].pk}
    response = client.post(url(review), bad)
    assert response.status_code == 400
    assert "chair" in response.content.decode().lower() or "主席" in response.content.decode()
    with tenant_scope(data.tenant):
        assert not ReviewAssignment.objects.filter(review=review).exists()
    good = {
        "form": "panel",
        "reviewers": [data.reviewer.pk, x["reviewer2"].pk],
        "chair": x["reviewer2"].pk,
        "scheduled_for": "2025-06-30",
    }
    response = client.post(url(review), good)
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        review.refresh_from_db()
        assert review.chair_id == x["reviewer2"].pk and str(review.scheduled_for) == "2025-06-30"
        assert set(ReviewAssignment.objects.filter(review=review).values_list("reviewer_id", flat=True)) == {
            data.reviewer.pk,
            x["reviewer2"].pk,
        }
    # A team member is not offered as a reviewer, and a panel member may not set up the panel.
    with tenant_scope(data.tenant):
        data.employee.roles = [Role.EMPLOYEE, Role.REVIEWER]
        data.employee.save()
    login(data.lean_office)
    candidates = client.get(url(x["review"])).context["panel_form"].fields["reviewers"].queryset
    with tenant_scope(data.tenant):
        assert data.employee not in candidates and data.reviewer in candidates
    login(data.reviewer)
    assert client.post(url(review), good).status_code == 403


def test_a_panel_member_scores(client, data, login):
    x = data.extra
    review, criteria = x["review"], x["criteria"]
    login(x["reviewer2"])
    response = client.post(url(review), scores_post(criteria, 120))
    assert response.status_code == 400
    missing = scores_post(criteria, 70)
    missing.pop(f"c{criteria[0].pk}")
    assert client.post(url(review), missing).status_code == 400
    with tenant_scope(data.tenant):
        assert not Score.objects.filter(assignment__reviewer=x["reviewer2"]).exists()
    response = client.post(url(review), scores_post(criteria, 65, comment="数据不足"))
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        review.refresh_from_db()
        assignment = ReviewAssignment.objects.get(review=review, reviewer=x["reviewer2"])
        assert assignment.submitted_at and assignment.comment == "数据不足"
        assert review.score == Decimal("75.00") and review.suggested == Review.Result.CONDITIONAL
    login(data.reviewer)
    response = client.get(url(review))
    sheet = {row.assignment.reviewer_id: row.weighted for row in response.context["sheet"]}
    assert sheet == {data.reviewer.pk: Decimal("85.00"), x["reviewer2"].pk: Decimal("65.00")}
    body = response.content.decode()
    assert "75.00" in body and "85.00" in body and "65.00" in body


def test_the_chair_decides_and_a_decision_against_the_scores_needs_a_reason(client, data, login):
    x = data.extra
    review, project = x["review"], x["project"]
    login(x["reviewer2"])
    client.post(url(review), scores_post(x["criteria"], 95))  # panel mean 90: pass
    login(x["reviewer2"])
    assert client.post(url(review), {"form": "decide", "result": "pass"}).status_code == 403  # not the chair
    login(data.reviewer)
    response = client.post(url(review), {"form": "decide", "result": "fail", "conditions": " "})
    assert response.status_code == 400
    assert response.context["decision_form"].non_field_errors()
    with tenant_scope(data.tenant):
        review.refresh_from_db()
        assert review.result == "" and Project.objects.get(pk=project.pk).state == State.MIDTERM
    response = client.post(url(review), {"form": "decide", "result": "pass"})
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        review.refresh_from_db()
        project.refresh_from_db()
        assert review.result == Review.Result.PASS and review.decided_by_id == data.reviewer.pk
        assert project.state == State.IN_PROGRESS and project.midterm_passed
    body = client.get(url(review)).content.decode()
    assert 'id="review-result"' in body and 'id="decision-form"' not in body and 'id="score-form"' not in body
    assert client.post(url(review), scores_post(x["criteria"], 10)).status_code == 302  # refused: decided
    with tenant_scope(data.tenant):
        assert Score.objects.filter(assignment__review=review, value=10).count() == 0
    queue = client.get("/t/alpha/projects/reviews/").context["queue"]
    assert [a.review_id for a in queue.decided] == [review.pk]


def close_with_excellence(client, ts, login):
    """Midterm passed, closing review scored and decided as an excellent case through the pages."""
    x = ts.extra
    login(x["reviewer2"])
    client.post(url(x["review"]), scores_post(x["criteria"], 90))
    login(ts.reviewer)
    client.post(url(x["review"]), {"form": "decide", "result": "pass"})
    with tenant_scope(ts.tenant):
        Project.objects.filter(pk=x["project"].pk).update(
            verified_benefit=Decimal("1200000"), verified_hours=Decimal(800), case_summary="点检标准化后可用率稳定提升"
        )
        ProjectIndicator.objects.filter(project=x["project"]).update(achieved=Decimal(96))
        project = services.project_transition(actor=ts.manager, project=x["project"], action="request_closing")
        closing = project.reviews.get(kind=Review.Kind.CLOSING)
        sign_off(ts, project)
    login(ts.lean_office)
    post = {"form": "panel", "reviewers": [ts.reviewer.pk], "chair": ts.reviewer.pk}
    assert client.post(url(closing), post).status_code == 302
    login(ts.reviewer)
    body = client.get(url(closing)).content.decode()
    assert 'name="excellent"' in body  # the closing decision offers the excellent-case mark
    assert client.post(url(closing), scores_post(x["criteria"], 92)).status_code == 302
    post = {"form": "decide", "result": "pass", "excellent": "on", "complexity": "high"}
    response = client.post(url(closing), post)
    assert response.status_code == 302
    return closing


def test_a_closing_decision_marks_an_excellent_case_for_the_library(client, data, login):
    close_with_excellence(client, data, login)
    project = data.extra["project"]
    with tenant_scope(data.tenant):
        project.refresh_from_db()
        assert project.state == State.CLOSED and project.excellent
    login(data.employee)
    body = client.get("/t/alpha/projects/cases/").content.decode()
    assert project.code in body and "点检标准化" in body
    assert "1200000" in body.replace(",", "") and "96" in body


# ---------------------------------------------------------------- criteria


@pytest.mark.parametrize("role,expected", [("manager", 403), ("reviewer", 403), ("employee", 403)])
def test_only_the_lean_office_manages_criteria(client, data, login, role, expected):
    login(getattr(data, role))
    coverage = data.extra["criteria"][0]
    assert client.get("/t/alpha/projects/criteria/").status_code == expected
    post = {"criterion": coverage.pk, "code": "coverage", "name": "覆盖面", "weight": "90", "active": "on"}
    assert client.post("/t/alpha/projects/criteria/", post).status_code == expected
    with tenant_scope(data.tenant):
        assert Criterion.objects.get(pk=coverage.pk).weight == 30


def test_the_lean_office_edits_and_adds_criteria_with_shares(client, data, login):
    login(data.lean_office)
    response = client.get("/t/alpha/projects/criteria/")
    assert [c.share for c in response.context["criteria"]] == [Decimal("0.3"), Decimal("0.3"), Decimal("0.4")]
    assert "30.0%" in response.content.decode() and "40.0%" in response.content.decode()
    coverage = data.extra["criteria"][0]
    assert client.get("/t/alpha/projects/criteria/", {"edit": coverage.pk}).context["editing"] == coverage
    post = {"criterion": coverage.pk, "code": "coverage", "name": "Coverage", "description": "", "weight": "20"}
    assert client.post("/t/alpha/projects/criteria/", post).status_code == 302  # weight 20 and inactive
    new = {"code": "safety", "name": "安全性", "weight": "25", "active": "on"}
    assert client.post("/t/alpha/projects/criteria/", new).status_code == 302
    duplicate = {"code": "safety", "name": "重复", "weight": "5", "active": "on"}
    assert client.post("/t/alpha/projects/criteria/", duplicate).status_code == 400
    assert client.post("/t/alpha/projects/criteria/", {**new, "code": "x", "weight": "0"}).status_code == 400
    with tenant_scope(data.tenant):
        coverage.refresh_from_db()
        assert coverage.weight == 20 and not coverage.active
        assert Criterion.objects.filter(code="safety", weight=25).exists() and Criterion.objects.count() == 4
    shares = {c.code: c.share for c in client.get("/t/alpha/projects/criteria/").context["criteria"]}
    assert shares["coverage"] is None and sum(s for s in shares.values() if s) == 1
    assert client.get("/t/alpha/projects/criteria/", {"edit": 999999}).status_code == 404


def test_a_tenant_without_criteria_gets_the_three_defaults(client, tenant_a, login):
    login(tenant_a.lean_office)
    assert "暂无评分项" in client.get("/t/alpha/projects/criteria/").content.decode()
    assert client.post("/t/alpha/projects/criteria/", {"defaults": "1"}).status_code == 302
    with tenant_scope(tenant_a.tenant):
        assert set(Criterion.objects.values_list("code", flat=True)) == {"coverage", "innovation", "contribution"}


# ---------------------------------------------------------------- the case library


def bulk_cases(ts, count, *, year=2024, unit=None, prefix="C"):
    now = timezone.now()
    projects = Project.objects.bulk_create(
        [
            Project(
                tenant=ts.tenant,
                code=f"{prefix}{year}-{i:03d}",
                title=f"优秀案例{i}",
                unit=unit or ts.unit,
                tier=Tier.UNIT,
                year=year,
                state=State.CLOSED if i % 2 else State.FILED,
                excellent=True,
                problem="库存积压" if i % 3 == 0 else "能耗偏高",
                case_summary=f"总结{i}",
                verified_benefit=Decimal(10000 * (i + 1)),
                tokens=["案例"],
                created_by=ts.manager,
                state_changed_at=now - timedelta(days=i),
            )
            for i in range(count)
        ]
    )
    TeamMember.objects.bulk_create(
        [TeamMember(tenant=ts.tenant, project=p, member=ts.manager, role="leader", share=100) for p in projects]
    )
    if "uptime" in ts.extra:
        ProjectIndicator.objects.bulk_create(
            [
                ProjectIndicator(
                    tenant=ts.tenant, project=p, indicator=ts.extra["uptime"], baseline=90, goal=95, achieved=96
                )
                for p in projects[:2]
            ]
        )
    return projects


def test_case_library_search(client, tenant_a, login):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        bulk_cases(tenant_a, 6)
        plain = make_project(tenant_a, title="未评优的项目", problem="库存积压")  # a draft: never in the library
    login(tenant_a.employee)
    response = client.get("/t/alpha/projects/cases/")
    assert response.status_code == 200 and response.context["page"].paginator.count == 6
    assert plain.code not in response.content.decode()
    codes = lambda params: {p.code for p in client.get("/t/alpha/projects/cases/", params).context["page"]}  # noqa: E731
    assert codes({"q": "库存"}) == {"C2024-000", "C2024-003"}
    assert codes({"q": "总结5"}) == {"C2024-005"}
    assert codes({"q": "优秀案例1"}) == {"C2024-001"}
    assert codes({"indicator": tenant_a.extra["uptime"].pk}) == {"C2024-000", "C2024-001"}
    assert codes({"unit": tenant_a.hq.pk}) == codes({}) and codes({"unit": tenant_a.team.pk}) == set()
    assert codes({"year": 2024}) == codes({}) and codes({"year": 2023}) == codes({})  # unknown year: ignored
    response = client.get("/t/alpha/projects/cases/", {"q": "库存"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="case-list"' in body and "C2024-000" in body


def test_case_library_queries_do_not_grow(client, tenant_a, login):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        bulk_cases(tenant_a, 2, year=2023, prefix="S")
        bulk_cases(tenant_a, 40, year=2024, prefix="L")
    login(tenant_a.employee)
    counts = []
    for year in (2023, 2024):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/t/alpha/projects/cases/", {"year": year}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_review_queue_queries_do_not_grow(client, data, login):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/t/alpha/projects/reviews/").status_code == 200
        return len(queries)

    login(data.lean_office)
    small = count()
    with tenant_scope(data.tenant):
        for i in range(3):
            project, review = to_midterm(data, title=f"课题{i}", problem=f"问题{i}")
            services.review_setup(actor=data.lean_office, review=review, reviewers=[data.reviewer], chair=data.reviewer)
    assert count() == small
    login(data.reviewer)
    small = count()
    with tenant_scope(data.tenant):
        to_midterm(data, title="课题X", problem="问题X")
        project, review = to_midterm(data, title="课题Y", problem="问题Y")
        services.review_setup(actor=data.lean_office, review=review, reviewers=[data.reviewer], chair=data.reviewer)
    assert count() == small
