"""Innovation test data, built through the services the way the product builds it."""

from datetime import date
from decimal import Decimal

from innovation.models import ContributionType, Incentive
from innovation.services import contributions, incentives, listings, scoring, suggestions
from innovation.services.contributions import Levels

D = Decimal


def kind(code: str) -> ContributionType:
    scoring.innovation_setup()
    return ContributionType.objects.get(code=code)


def make_opl(ts, member=None, *, title="点检标准化一点课", day=date(2025, 3, 10), levels=None):
    """An OPL recorded by an employee for themselves: waits for verification."""
    return contributions.contribution_record(
        actor=member or ts.employee, kind=kind("opl"), title=title, occurred_on=day, levels=levels or Levels()
    )


def make_qc(ts, team=None, *, day=date(2025, 4, 20), levels=None):
    """A QC circle activity recorded by the unit's manager for a team: verified at once."""
    return contributions.contribution_record(
        actor=ts.manager,
        kind=kind("qc"),
        title="降低磨煤机故障率QC小组",
        occurred_on=day,
        unit=ts.unit,
        levels=levels or Levels("key", "unit", "medium", "unit"),
        team=team or [(ts.manager, D(60)), (ts.employee, D(40))],
    )


def make_innovation(ts):
    """A row in every innovation table: types and rules, a unit tuning with its own type, an OPL verified, a
    QC activity, an adopted suggestion, a listing with an objection, a re-score, a studio and incentives."""
    scoring.innovation_setup()
    own = scoring.type_create(actor=ts.manager, name="安全隐患随手拍", base=D(4), unit=ts.unit)
    opl = make_opl(ts)
    contributions.contribution_verify(actor=ts.manager, contribution=opl)
    qc = make_qc(ts)
    contributions.contribution_rescore(actor=ts.lean_office, contribution=qc, reason="复核")
    idea = suggestions.suggestion_submit(actor=ts.employee, title="皮带机加装清扫器", problem="撒煤多", proposal="加装")
    suggestions.suggestion_evaluate(actor=ts.manager, suggestion=idea, evaluation="可行")
    suggestions.suggestion_decide(actor=ts.manager, suggestion=idea, adopt=True)
    listing = listings.listing_open(actor=ts.lean_office, period_start=date(2025, 1, 1), period_end=date(2025, 6, 30))
    objection = listings.objection_raise(actor=ts.reviewer, contribution=qc, text="人员分配有误")
    listings.settings_update(actor=ts.lean_office, objection_days=7)
    studio = incentives.studio_create(
        actor=ts.lean_office, name="刘思远创新工作室", unit=ts.unit, leader=ts.employee, established_on=date(2025, 5, 1)
    )
    incentives.incentive_create(
        actor=ts.lean_office,
        member=ts.employee,
        kind=Incentive.Kind.STUDIO,
        name="工作室成员",
        reason="骨干",
        awarded_on=date(2025, 5, 1),
        studio=studio,
    )
    incentives.incentive_create(
        actor=ts.lean_office,
        member=ts.employee,
        kind=Incentive.Kind.BONUS,
        name="绩效加分",
        reason="年度创新之星",
        awarded_on=date(2025, 6, 1),
        bonus_points=D(5),
    )
    ts.extra.update(own_type=own, opl=opl, qc=qc, suggestion=idea, listing=listing, objection=objection, studio=studio)
    return listing


def close_project(ts, *, execute_on_commit=None, complexity="medium"):
    """Take make_projects(ts)'s project (at its midterm review) through to closed and released, as in the
    projects tests. Needs populate(ts) (or make_targets + make_projects) first; run inside tenant_scope."""
    from projects import services as ps
    from projects.models import Project
    from tests.projects.factories import panel, sign_off

    review = ts.extra["review"]
    ids = {c.pk for c in ts.extra["criteria"]}
    ps.review_submit_scores(actor=ts.extra["reviewer2"], review=review, scores={pk: D(90) for pk in ids})
    ps.review_decide(actor=ts.reviewer, review=review, result="pass")
    project = Project.objects.get(pk=review.project_id)
    ps.project_update(actor=ts.manager, project=project, case_summary="点检定修经验", verified_benefit=D(1200000))
    project.indicator_links.update(achieved=D("95.5"))
    ps.project_transition(actor=ts.manager, project=project, action="request_closing")
    closing = project.reviews.get(kind="closing")
    ps.review_setup(actor=ts.lean_office, review=closing, reviewers=panel(ts), chair=ts.reviewer)
    for reviewer in panel(ts):
        ps.review_submit_scores(actor=reviewer, review=closing, scores={pk: D(92) for pk in ids})
    sign_off(ts, project)
    ps.review_decide(actor=ts.reviewer, review=closing, result="pass", excellent=True, complexity=complexity)
    project.refresh_from_db()
    return project
