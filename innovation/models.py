"""Employee innovation (创新人才队伍建设): contribution types, versioned points rules with unit tuning,
contributions and the credits they give each person, rationalization suggestions, incentives, and the public
listings that make points final.

The arithmetic lives in innovation/points.py; every write goes through innovation/services/.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel, Unit

POINTS = {"max_digits": 12, "decimal_places": 2}


class Level:
    """The factor tables' level names. Values per level are in a rule version; these are only the keys."""

    POSITIONING = [("strategic", _("Strategic")), ("key", _("Key")), ("general", _("General"))]
    BREADTH = [
        ("tenant", _("Whole enterprise")),
        ("cross_unit", _("Across units")),
        ("unit", _("One unit")),
        ("team", _("One team")),
    ]
    COMPLEXITY = [("high", _("High")), ("medium", _("Medium")), ("low", _("Low"))]
    AWARD = [
        ("none", _("None")),
        ("unit", _("Unit award")),
        ("company", _("Company award")),
        ("provincial", _("Provincial award")),
        ("national", _("National award")),
    ]
    FACTORS = {"positioning": POSITIONING, "breadth": BREADTH, "complexity": COMPLEXITY}


class ContributionType(TenantModel):
    """A kind of contribution (精益项目, QC小组活动, 一页纸改善, 合理化建议, OPL一点课, or the tenant's or a
    unit's own). Its base points live in the rule versions, so changing them is versioned too."""

    class RecordedBy(models.TextChoices):
        SELF = "self", _("The employee")
        MANAGER = "manager", _("A manager")
        SYSTEM = "system", _("Automatically")

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=10, choices=RecordedBy.choices, default=RecordedBy.SELF)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by unit")
    )
    builtin = models.BooleanField(default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contribution type")
        verbose_name_plural = _("contribution types")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="contribution_type_code_unique")]

    def __str__(self):
        return self.name


class RuleVersion(TenantModel):
    """A version of the tenant's points rules (积分制), set by HQ, in force from `effective_from`.

    `rules` holds base points per type code, the factor tables with the bounds a unit may tune within, the
    award bonus per level, and the bounds of a unit-added type's base (format: innovation/points.py). A version
    never changes once saved: a contribution keeps the version that scored it.
    """

    number = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    rules = models.JSONField(_("rules"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["-effective_from", "-number"]
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="rule_version_number_unique")]

    def __str__(self):
        return f"v{self.number}"


class UnitTuning(TenantModel):
    """A unit's fine-tuning (丰富和微调) of the HQ rules, in force from `effective_from` for the unit and its
    sub-units: factor values and the base of its own types, each inside HQ's bounds. Never changed once saved."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    effective_from = models.DateField(_("effective from"))
    factors = models.JSONField(_("factors"), default=dict)  # {"positioning": {"key": "1.3"}, ...}
    type_base = models.JSONField(_("base of own types"), default=dict)  # {"type-code": "8"}
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit tuning")
        verbose_name_plural = _("unit tunings")
        ordering = ["unit", "-effective_from", "-id"]

    def __str__(self):
        return f"{self.unit_id} {self.effective_from}"


class InnovationSettings(TenantModel):
    """The tenant's innovation settings: how long a public listing stays open for objections (公示期)."""

    objection_days = models.PositiveSmallIntegerField(_("objection window (days)"), default=7)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("innovation settings")
        verbose_name_plural = _("innovation settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="innovation_settings_one_per_tenant")]


class Listing(TenantModel):
    """A public innovation listing (创新公示) of a period: its verified contributions and points, open for
    objections until `closes_at`; finalizing it locks the points, which then go to HR."""

    class State(models.TextChoices):
        OPEN = "open", _("Open for objections")
        FINAL = "final", _("Final")

    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))  # inclusive
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened"))
    closes_at = models.DateTimeField(_("objections until"))
    opened_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    finalized_at = models.DateTimeField(_("finalized"), null=True, blank=True)
    finalized_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A read-only link for a notice-board screen (empty: none). Only its SHA-256 is kept; revoking empties it.
    board_token_digest = models.CharField(max_length=64, blank=True, db_index=True)
    board_token_created_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the lean office was told objections hold it up

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public listing")
        verbose_name_plural = _("public listings")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period_start", "period_end"], name="listing_period_unique")
        ]

    def __str__(self):
        return self.title


class Contribution(TenantModel):
    """One contribution (a closed lean project, a QC circle activity, a one-page improvement, an adopted
    suggestion, an OPL, …) with the levels that score it, its points and the rule version that produced them.

    The people credited and their share are the Credit rows; `points` is the total they split exactly.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    type = models.ForeignKey(ContributionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    occurred_on = models.DateField(_("date"))
    positioning = models.CharField(_("positioning"), max_length=12, choices=Level.POSITIONING, default="general")
    breadth = models.CharField(_("breadth"), max_length=12, choices=Level.BREADTH, default="team")
    complexity = models.CharField(_("complexity"), max_length=12, choices=Level.COMPLEXITY, default="low")
    award = models.CharField(_("award"), max_length=12, choices=Level.AWARD, default="none")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    points = models.DecimalField(_("points"), **POINTS)
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    tuning = models.ForeignKey(UnitTuning, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scoring = models.JSONField(default=dict)  # the figures that produced `points`, to show and to reproduce
    recorded_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    verified_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason"), blank=True)
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    suggestion = models.ForeignKey("Suggestion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey(Listing, null=True, blank=True, on_delete=models.SET_NULL, related_name="contributions")
    final = models.BooleanField(_("final"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            # A closed project awards its team once, however often closing is retried (also concurrently).
            models.UniqueConstraint(
                fields=["tenant", "project"],
                condition=models.Q(project__isnull=False),
                name="contribution_once_per_project",
            ),
            models.UniqueConstraint(
                fields=["tenant", "suggestion"],
                condition=models.Q(suggestion__isnull=False),
                name="contribution_once_per_suggestion",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "occurred_on"], name="contribution_status_date"),
            # the contribution query's order (newest first) and the year filters' first and last days
            models.Index(fields=["tenant", "-occurred_on", "-id"], name="contribution_newest"),
        ]

    def __str__(self):
        return self.title


class Credit(TenantModel):
    """A person's part of a contribution: their share (%) and the points it gives them."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="credits")
    member = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="innovation_credits", verbose_name=_("person")
    )
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    points = models.DecimalField(_("points"), **POINTS)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        ordering = ["-share", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "contribution", "member"], name="credit_unique")]
        indexes = [models.Index(fields=["tenant", "member"], name="credit_member")]


class Rescore(TenantModel):
    """An explicit re-score of a contribution under the rules now in force: before and after, who and why."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="rescores")
    before_points = models.DecimalField(**POINTS)
    after_points = models.DecimalField(**POINTS)
    before_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    after_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    before = models.JSONField()  # scoring and credits before
    after = models.JSONField()
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class Suggestion(TenantModel):
    """A rationalization suggestion (合理化建议): submitted → evaluated → adopted or not adopted (with a reason)
    → implemented. Adoption records the proposer's contribution."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        EVALUATED = "evaluated", _("Evaluated")
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        IMPLEMENTED = "implemented", _("Implemented")

    proposer = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("proposer")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("current problem"))
    proposal = models.TextField(_("proposal"))
    expected_benefit = models.TextField(_("expected benefit"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    evaluated_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evaluated_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    implemented_at = models.DateTimeField(_("implemented"), null=True, blank=True)
    implementation_note = models.TextField(_("implementation"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["tenant", "unit", "submitted_at"], name="suggestion_unit_date")]

    def __str__(self):
        return self.title


class Objection(TenantModel):
    """An objection (异议) to a listed contribution, raised by a member during the window and resolved by the
    lean office: dismissed, or upheld (the contribution leaves the listing to be corrected)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="objections")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="objections", verbose_name=_("contribution")
    )
    raised_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at"]


class Studio(TenantModel):
    """An innovation studio (创新工作室) named after a person or a team."""

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    leader = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("named after"))
    established_on = models.DateField(_("established"))
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("innovation studio")
        verbose_name_plural = _("innovation studios")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Incentive(TenantModel):
    """An incentive (激励) recorded against a person with a reason: an honour, a title, a place in a studio, or
    performance bonus points that go to HR."""

    class Kind(models.TextChoices):
        HONOUR = "honour", _("Honour")
        TITLE = "title", _("Title")
        STUDIO = "studio", _("Innovation studio")
        BONUS = "bonus", _("Performance bonus points")

    member = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="incentives", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    reason = models.TextField(_("reason"))
    awarded_on = models.DateField(_("awarded on"))
    bonus_points = models.DecimalField(_("bonus points"), null=True, blank=True, **POINTS)
    studio = models.ForeignKey(
        Studio, null=True, blank=True, on_delete=models.PROTECT, related_name="incentives", verbose_name=_("studio")
    )
    awarded_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")
        ordering = ["-awarded_on", "-id"]

    def __str__(self):
        return self.name
