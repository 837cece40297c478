"""Finance's sign-off (财务核验) of a project's verified benefits, which a project needs to close."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel

from .activity import Attachment
from .project import Project


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
