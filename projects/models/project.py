"""Lean projects (精益课题): the yearly improvement guide, projects in two tiers with their lifecycle, teams,
indicators, PDCA, benefits, progress notes, attachments, and the midterm and closing reviews.

The lifecycle itself (which action moves which state, for whom) is in projects/workflow.py; every change of
state goes through projects.services.project_transition and leaves a Transition row.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel, Unit
from targets.models import Indicator, Shortfall, TargetNode


class Guide(TenantModel):
    """《精益改善指引》 of one year: topic directions for the year's projects. Read-only once published."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("improvement guide")
        verbose_name_plural = _("improvement guides")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["tenant", "year"], name="guide_year_unique")]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.published_at is not None


class Direction(TenantModel):
    """A topic direction of the guide, drawn from annual priorities and key shortfall indicators."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="directions", verbose_name=_("guide"))
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    requirements = models.TextField(_("requirements"), blank=True)
    sources = models.ManyToManyField(
        TargetNode, through="DirectionSource", related_name="+", verbose_name=_("comes from")
    )
    from_shortfall = models.ForeignKey(
        Shortfall, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("from shortfall")
    )
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guide direction")
        verbose_name_plural = _("guide directions")
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "guide", "code"], name="direction_code_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"


class DirectionSource(TenantModel):
    """An annual-priority node or a shortfall indicator's node a direction comes from."""

    direction = models.ForeignKey(Direction, on_delete=models.CASCADE, related_name="source_links")
    node = models.ForeignKey(TargetNode, on_delete=models.CASCADE, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "direction", "node"], name="direction_source_unique")]

    def __str__(self):
        return f"{self.direction_id} ← {self.node_id}"


class Tier(models.TextChoices):
    HQ = "hq", _("HQ tier")
    UNIT = "unit", _("Unit tier")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into an integrated project")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    MIDTERM = "midterm", _("Midterm review")
    CLOSING = "closing", _("Closing review")
    CLOSED = "closed", _("Closed and released")
    FILED = "filed", _("Filed to HQ")


class Project(TenantModel):
    code = models.CharField(_("code"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.UNIT)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="projects", verbose_name=_("unit"))
    direction = models.ForeignKey(
        Direction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("direction"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    problem = models.TextField(_("problem statement"))
    # The applicant unit's self-assessment, what the approver weighs (选题立项).
    management_base = models.TextField(_("management base"), blank=True)
    capability = models.TextField(_("capability"), blank=True)
    expected_effect = models.TextField(_("expected effect"), blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    pdca_plan = models.TextField(_("plan (P)"), blank=True)
    pdca_do = models.TextField(_("do (D)"), blank=True)
    pdca_check = models.TextField(_("check (C)"), blank=True)
    pdca_act = models.TextField(_("act (A)"), blank=True)
    estimated_benefit = models.DecimalField(_("estimated benefit (CNY)"), max_digits=14, decimal_places=2, default=0)
    estimated_hours = models.DecimalField(_("estimated hours saved"), max_digits=10, decimal_places=1, default=0)
    estimated_quality = models.CharField(_("expected quality gain"), max_length=300, blank=True)
    verified_benefit = models.DecimalField(
        _("verified benefit (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    verified_hours = models.DecimalField(
        _("verified hours saved"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    verified_quality = models.CharField(_("verified quality gain"), max_length=300, blank=True)
    midterm_passed = models.BooleanField(_("midterm review passed"), default=False)
    excellent = models.BooleanField(_("excellent case"), default=False)
    case_summary = models.TextField(_("case summary"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    participants = models.ManyToManyField(Unit, through="ProjectUnit", related_name="+", verbose_name=_("participants"))
    indicators = models.ManyToManyField(Indicator, through="ProjectIndicator", related_name="projects")
    shortfalls = models.ManyToManyField(Shortfall, through="ProjectShortfall", related_name="projects")
    # Character bigrams of title and problem (Chinese has no spaces): similar proposals overlap most.
    tokens = ArrayField(models.CharField(max_length=40), default=list, editable=False)
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # 备案: the lean office acknowledges a filed unit-tier project, or returns it for correction with a reason
    # (kept here until it is filed again).
    filing_acknowledged_at = models.DateTimeField(_("filing acknowledged"), null=True, blank=True)
    filing_acknowledged_by = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("filing acknowledged by"),
    )
    filing_return_reason = models.TextField(_("filing returned for correction"), blank=True)

    history = HistoricalRecords(excluded_fields=["tokens"])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="project_code_unique")]
        indexes = [
            models.Index(fields=["tenant", "state"], name="project_state"),
            models.Index(fields=["tenant", "unit"], name="project_unit"),
            GinIndex(fields=["tokens"], name="project_tokens"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class ProjectUnit(TenantModel):
    """A unit taking part: the applicant, and every unit of a proposal merged into an integrated project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "project", "unit"], name="project_unit_unique")]

    def __str__(self):
        return f"{self.project_id}: {self.unit_id}"


class ProjectIndicator(TenantModel):
    """A target-tree indicator the project attacks: where it starts, where it aims, where it ended."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    baseline = models.DecimalField(_("baseline"), max_digits=18, decimal_places=4)
    goal = models.DecimalField(_("goal"), max_digits=18, decimal_places=4)
    achieved = models.DecimalField(_("achieved"), max_digits=18, decimal_places=4, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "project", "indicator"], name="project_indicator_unique")
        ]

    def __str__(self):
        return f"{self.project_id}: {self.indicator_id}"


class ProjectShortfall(TenantModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="shortfall_links")
    shortfall = models.ForeignKey(Shortfall, on_delete=models.CASCADE, related_name="project_links")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "project", "shortfall"], name="project_shortfall_unique")
        ]

    def __str__(self):
        return f"{self.project_id}: {self.shortfall_id}"


class TeamMember(TenantModel):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        MEMBER = "member", _("Member")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team")
    member = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="project_roles")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    share = models.DecimalField(_("contribution share (%)"), max_digits=5, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "-share"]  # "leader" sorts before "member"
        constraints = [models.UniqueConstraint(fields=["tenant", "project", "member"], name="team_member_unique")]

    def __str__(self):
        return f"{self.project_id}: {self.member_id} {self.share}%"


class Transition(TenantModel):
    """One step of the lifecycle: who moved the project from which state to which, when and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices)
    actor = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.project_id}: {self.from_state} → {self.to_state}"


class ProgressNote(TenantModel):
    """日常沟通: what happened, written by the team or the lean office."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:40]


def attachment_path(instance, filename):
    return f"projects/{instance.tenant_id}/{instance.project_id}/{filename}"


class Attachment(TenantModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class Criterion(TenantModel):
    """A rubric criterion of the reviews: coverage 覆盖面, innovation 创新度, contribution 贡献度 and the
    tenant's own, each with a weight."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="criterion_code_unique")]

    def __str__(self):
        return self.name


class Complexity(models.TextChoices):
    """The closing panel's judgement of how complex the project was: the keys of the points rules' complexity
    factor (innovation.models.Level.COMPLEXITY), so the award scores with it."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Review(TenantModel):
    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("Midterm review")
        CLOSING = "closing", _("Closing review")

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        CONDITIONAL = "conditional", _("Pass with conditions")
        FAIL = "fail", _("Fail")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    chair = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("chair")
    )
    reviewers = models.ManyToManyField(Membership, through="ReviewAssignment", related_name="+")
    scheduled_for = models.DateField(_("scheduled for"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    suggested = models.CharField(_("suggested by the scores"), max_length=12, choices=Result.choices, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices, blank=True)
    conditions = models.TextField(_("conditions or reasons"), blank=True)
    excellent = models.BooleanField(_("excellent case"), default=False)
    # Set by the chair when deciding a closing review; the closed project's points use it.
    complexity = models.CharField(_("judged complexity"), max_length=10, choices=Complexity.choices, blank=True)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "project", "kind", "round"], name="review_round_unique")
        ]

    def __str__(self):
        return f"{self.project_id} {self.kind} #{self.round}"


class ReviewAssignment(TenantModel):
    """A reviewer on a review's panel; `submitted_at` once their scores are in."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="review_assignments")
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "review", "reviewer"], name="review_assignment_unique")
        ]

    def __str__(self):
        return f"{self.review_id}: {self.reviewer_id}"


class Score(TenantModel):
    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "assignment", "criterion"], name="score_unique")]

    def __str__(self):
        return f"{self.assignment_id} {self.criterion_id}: {self.value}"


class BenefitSignoff(TenantModel):
    """财务核验: a finance verifier's word on a project's verified benefits, with the calculation basis and the
    evidence (an attachment of the project). A project closes only with a `signed` one; a change of the verified
    benefits afterwards makes it `void`; `returned` sends the figures back to the team with a reason. Rows are
    never deleted, so the history of sign-offs stays."""

    class Status(models.TextChoices):
        SIGNED = "signed", _("Signed off")
        RETURNED = "returned", _("Returned for correction")
        VOID = "void", _("Void: the benefits changed after the sign-off")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="benefit_signoffs")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    amount = models.DecimalField(_("benefit signed off (CNY)"), max_digits=14, decimal_places=2, null=True)
    basis = models.TextField(_("calculation basis"), blank=True)
    evidence = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("evidence")
    )
    reason = models.TextField(_("reason"), blank=True)
    signed_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    signed_at = models.DateTimeField(_("at"))
    voided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("benefit sign-off")
        verbose_name_plural = _("benefit sign-offs")
        ordering = ["-signed_at", "-pk"]
        constraints = [
            # At most one standing sign-off per project: the figures it vouches for are the project's current ones.
            models.UniqueConstraint(
                fields=["tenant", "project"],
                condition=models.Q(status="signed"),
                name="benefit_signoff_one_signed",
            )
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="benefit_signoff_status")]

    def __str__(self):
        return f"{self.project_id}: {self.status} {self.amount}"
