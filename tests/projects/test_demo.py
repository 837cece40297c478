"""The demo projects: the real seed, run once, gives huaxin a published guide and about 40 projects in every state
of both tiers, with teams, reviews, timelines and excellent cases; lvyuan three small ones; a second run changes
nothing."""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, Sum

from lean.models import Notification, Tenant
from lean.tenancy import tenant_scope
from projects import demo, similarity
from projects.models import (
    BenefitSignoff,
    Direction,
    Guide,
    ProgressNote,
    Project,
    ProjectIndicator,
    ProjectShortfall,
    ProjectUnit,
    Review,
    ReviewAssignment,
    Score,
    State,
    TeamMember,
    Tier,
    Transition,
)

MODELS = (
    Guide,
    Direction,
    Project,
    ProjectUnit,
    ProjectIndicator,
    ProjectShortfall,
    TeamMember,
    Transition,
    ProgressNote,
    Review,
    ReviewAssignment,
    Score,
    Notification,
)


def snapshot(slug):
    with tenant_scope(Tenant.objects.get(slug=slug)):
        return {model.__name__: model.objects.count() for model in MODELS} | {
            "project history": Project.history.count(),
            "states": sorted(Project.objects.values_list("code", "state")),
        }


def check_timelines(projects):
    """Every project's transitions chain from draft to its state, in time order, inside its year."""
    for project in projects:
        steps = list(project.transitions.all())
        state = State.DRAFT
        for step in steps:
            assert step.from_state == state, (project.code, step.action)
            state = step.to_state
        assert state == project.state, project.code
        moments = [project.created_at] + [step.created_at for step in steps]
        assert moments == sorted(moments), project.code
        assert all(moment.year == project.year for moment in moments), project.code


def check_seed(messages, client):
    """The projects part of the demo, seeded once for every app by tests/test_demo.py."""
    assert "demo projects huaxin: created" in messages and "demo projects lvyuan: created" in messages

    with tenant_scope(Tenant.objects.get(slug="huaxin")):
        guide = Guide.objects.get(year=2026)
        assert guide.is_published and guide.directions.count() == 10
        directions = guide.directions.prefetch_related("sources__tree")
        assert all(d.sources.exists() and {n.tree.year for n in d.sources.all()} == {2026} for d in directions)
        assert guide.directions.exclude(from_shortfall=None).count() >= 3
        assert "降低供电煤耗" in guide.directions.values_list("title", flat=True)

        projects = list(Project.objects.select_related("unit").prefetch_related("transitions"))
        assert len(projects) >= 40
        assert {p.state for p in projects} == set(State.values)
        assert {p.tier for p in projects} == set(Tier.values)
        assert all(p.tier == Tier.UNIT for p in projects if p.state == State.FILED)
        assert len({p.unit.code for p in projects}) == 6
        # Filed by the teams' leaders, so the units' managers stay free to judge them (separation of duties).
        leaders = dict(TeamMember.objects.filter(role="leader").values_list("project_id", "member_id"))
        assert all(p.created_by_id == leaders[p.pk] for p in projects)
        # 备案: filings acknowledged by the lean office, one returned for correction, one waiting.
        filed = [p for p in projects if p.state == State.FILED]
        assert sum(1 for p in filed if p.filing_acknowledged_by_id) >= 2
        assert sum(1 for p in filed if not p.filing_acknowledged_at) == 1
        returned = [p for p in projects if p.state == State.CLOSED and p.filing_return_reason]
        assert len(returned) == 1 and returned[0].tier == Tier.UNIT
        refiled = [p for p in filed if "return_filing" in {t.action for t in p.transitions.all()}]
        assert len(refiled) == 1 and refiled[0].filing_acknowledged_at
        check_timelines(projects)

        cases = Project.objects.filter(excellent=True)
        assert cases.count() >= 5 and set(cases.values_list("state", flat=True)) <= {State.CLOSED, State.FILED}
        done = Project.objects.filter(state__in=[State.CLOSED, State.FILED])
        assert not done.filter(verified_benefit=None).exists() and not done.filter(case_summary="").exists()
        assert not ProjectIndicator.objects.filter(project__in=done, achieved=None).exists()

        # Teams of 2–5 with one leader and shares adding to 100.
        teams = TeamMember.objects.values("project").annotate(n=Count("pk"), total=Sum("share"))
        assert len(teams) == len(projects)
        assert all(t["total"] == Decimal(100) and 2 <= t["n"] <= 5 for t in teams)
        assert TeamMember.objects.filter(role="leader").count() == len(projects)
        # Every project attacks indicators of the 2026 tree; most attack shortfalls.
        assert not Project.objects.filter(indicator_links=None).exists()
        assert Project.objects.exclude(shortfall_links=None).count() >= 20

        # Reviews: panels of reviewers, one failed midterm that went back to work, every pending stage.
        reviews = Counter(Review.objects.values_list("kind", "result"))
        assert reviews[("midterm", "fail")] == 1 and reviews[("closing", "pass")] >= 9
        assert reviews[("midterm", "")] >= 1 and reviews[("closing", "")] >= 1
        failed = Review.objects.get(kind="midterm", result="fail").project
        assert failed.state == State.IN_PROGRESS and not failed.midterm_passed
        assert not ReviewAssignment.objects.exclude(reviewer__roles__contains=["reviewer"]).exists()
        team_of = set(TeamMember.objects.values_list("project_id", "member_id"))
        panels = set(ReviewAssignment.objects.values_list("review__project_id", "reviewer_id"))
        assert not panels & team_of  # nobody reviews their own team's project

        # The integrated project keeps every merged unit as participant.
        merged = Project.objects.filter(state=State.MERGED)
        assert merged.count() == 2 and len({p.merged_into_id for p in merged}) == 1
        integrated = merged.first().merged_into
        assert ProjectUnit.objects.filter(project=integrated).count() == 3

        # Two pairs of similar proposals from different units.
        for title, twin in (
            ("降低#2机组供电煤耗", "#3机组供电煤耗攻关降低"),
            ("备品备件库存压降", "检修备件库存压降与联储联备"),
        ):
            project, other = Project.objects.get(title=title), Project.objects.get(title=twin)
            assert project.unit_id != other.unit_id
            found = [pk for pk, _score in similarity.similar_ids(project=project, states=[State.SUBMITTED])]
            assert found[0] == other.pk

        assert ProgressNote.objects.count() >= 40 and Notification.objects.count() >= 200

        # 财务核验: finance (H0008, of HQ) signed off every closed project before it closed, with its evidence;
        # closing reviews waiting for a sign-off remain, one of them returned for correction; every passed
        # closing review judged the complexity.
        signed = BenefitSignoff.objects.filter(status=BenefitSignoff.Status.SIGNED)
        assert set(signed.values_list("project_id", flat=True)) == set(done.values_list("pk", flat=True))
        assert {s.signed_by.employee_number for s in signed} == {"H0008"}
        assert not signed.filter(evidence=None).exists() and not signed.filter(basis="").exists()
        waiting = Project.objects.filter(state=State.CLOSING).exclude(benefit_signoffs__status="signed")
        assert waiting.count() >= 1
        assert BenefitSignoff.objects.filter(status=BenefitSignoff.Status.RETURNED).count() == 1
        assert not Review.objects.filter(kind="closing", result="pass", complexity="").exists()

    with tenant_scope(Tenant.objects.get(slug="lvyuan")):
        small = Project.objects.all()
        assert small.count() == 3 and set(small.values_list("tier", flat=True)) == {Tier.UNIT}
        assert set(small.values_list("state", flat=True)) == {State.DRAFT, State.IN_PROGRESS, State.CLOSED}


def test_a_tenant_without_a_demo_plan_is_left_alone(tenant_a):
    assert demo.seed(tenant_a.tenant) is False
    with tenant_scope(tenant_a.tenant):
        assert not Project.objects.exists()
