"""Project test data, built through the services the way the product builds it."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from lean.models import Notification, Role
from projects import guides, services
from projects.models import Tier
from targets.models import Shortfall
from tests.factories import make_member

PDF = b"%PDF-1.4\n% test\n"


def make_guide(ts, year=2025):
    guide = guides.guide_create(actor=ts.lean_office, year=year)
    direction = guides.direction_save(
        actor=ts.lean_office,
        guide=guide,
        code="D01",
        title="设备可靠性提升",
        description="围绕设备可用率短板开展攻关",
        sources=[ts.extra["uptime"].node] if "uptime" in ts.extra else [],
    )
    return guide, direction


def make_project(
    ts, *, tier=Tier.HQ, title="降低一分公司设备非计划停运", problem="设备可用率连续三个月低于目标", **extra
):
    """A complete draft of ts.unit filed by its manager, attacking the uptime indicator and its shortfall."""
    project = services.project_create(
        actor=ts.manager,
        title=title,
        unit=ts.unit,
        problem=problem,
        tier=tier,
        year=2025,
        direction=extra.pop("direction", None),
        management_base="已建立点检制度",
        capability="有专业检修队伍",
        expected_effect="可用率提升2个百分点",
        planned_start=date(2025, 3, 1),
        planned_end=date(2025, 11, 30),
        **extra,
    )
    uptime = ts.extra["uptime"]
    services.indicators_set(
        actor=ts.manager,
        project=project,
        rows=[services.IndicatorRow(uptime, baseline=Decimal(90), goal=Decimal(95))],
    )
    services.shortfalls_set(actor=ts.manager, project=project, shortfalls=Shortfall.objects.filter(indicator=uptime))
    return project


def panel(ts):
    """Two reviewers: the TenantSet's reviewer and a second one (made once per tenant set)."""
    if "reviewer2" not in ts.extra:
        ts.extra["reviewer2"] = make_member(ts.hq, [Role.REVIEWER], number=f"{ts.tenant.slug.upper()}-RV2")
    return [ts.reviewer, ts.extra["reviewer2"]]


def finance_member(ts):
    """The tenant set's finance verifier (财务核验), of HQ: it verifies every project (made once per tenant set)."""
    if "finance" not in ts.extra:
        ts.extra["finance"] = make_member(ts.hq, [Role.FINANCE], number=f"{ts.tenant.slug.upper()}-FI")
    return ts.extra["finance"]


def sign_off(ts, project, actor=None):
    """Finance signs off the project's verified benefit (it must be in its closing review), with a PDF as the
    evidence. Run inside tenant_scope."""
    from projects import finance
    from projects.models import Project

    project = Project.objects.get(pk=project.pk)
    return finance.benefit_signoff_sign(
        actor=actor or finance_member(ts),
        project=project,
        amount=project.verified_benefit,
        basis="按财务账面数据核算：实施前后各12个月同口径成本对比",
        evidence_upload=SimpleUploadedFile("效益核算表.pdf", PDF, content_type="application/pdf"),
    )


def make_projects(ts):
    """On top of make_targets(ts): criteria, a guide with a direction, and one HQ-tier project taken to its
    midterm review with a panel and one reviewer's scores, a note and an attachment (a row in every table)."""
    criteria = services.criteria_defaults()
    guide, direction = make_guide(ts)
    project = make_project(ts, direction=direction)
    services.team_set(
        actor=ts.manager,
        project=project,
        rows=[
            services.TeamRow(ts.manager, "leader", Decimal(60)),
            services.TeamRow(ts.employee, "member", Decimal(40)),
        ],
    )
    for action, actor in [("submit", ts.manager), ("approve", ts.lean_office), ("start", ts.manager)]:
        project = services.project_transition(actor=actor, project=project, action=action)
    project = services.project_transition(actor=ts.manager, project=project, action="request_midterm")
    review = project.reviews.get()
    reviewers = panel(ts)
    services.review_setup(actor=ts.lean_office, review=review, reviewers=reviewers, chair=ts.reviewer)
    services.review_submit_scores(
        actor=ts.reviewer, review=review, scores={c.pk: Decimal(85) for c in criteria}, comment="思路清晰"
    )
    services.note_add(actor=ts.manager, project=project, text="完成设备点检台账梳理")
    services.attachment_add(
        actor=ts.manager, project=project, upload=SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    )
    assert Notification.objects.exists()
    # A benefit sign-off row (returned) so every tenant table has a row; made directly, since a project at its
    # midterm has no verified benefit to sign off through the service.
    from projects.models import BenefitSignoff

    BenefitSignoff.objects.create(
        tenant=ts.tenant,
        project=project,
        status=BenefitSignoff.Status.RETURNED,
        reason="效益测算口径待核实",
        signed_by=ts.lean_office,
        signed_at=project.created_at,
    )
    ts.extra.update(guide=guide, direction=direction, project=project, review=review, criteria=criteria)
    return project
