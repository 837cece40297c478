"""The midterm and closing reviews: the rubric's criteria, a review of a project with its result and the closing
panel's judged complexity, the reviewers on its panel and their scores."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel

from .project import Project


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
