"""The project itself: its tier and lifecycle state, the proposal and its PDCA, the estimated and verified
benefits, the units taking part, the indicators and shortfalls it attacks, and its team."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel, Unit
from targets.models import Indicator, Shortfall

from .guides import Direction


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
